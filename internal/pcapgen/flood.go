package pcapgen

import (
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// InventoryAgentMarker is the string inside the inventory agent that the
// walkthrough's over-broad signature matches (testdata/walkthrough-v1.rules):
// a benign executable that looks like a remote-administration tool to a
// naive rule.
const InventoryAgentMarker = "RemoteAdmin::ServiceInstall"

// InventoryAgent returns the benign inventory scanner executable the flood
// scenario's clients download: PE-looking bytes with the marker in the
// middle, so a match needs the whole first half of the file.
func InventoryAgent() []byte {
	r := rand.New(rand.NewPCG(40, 40))
	b := Executable(r, 48000)
	copy(b[23000:], "\x00"+InventoryAgentMarker+"\x00InventoryAgent 4.2 (c) Example Corp\x00")
	return b
}

// writeInventoryFlood writes the walkthrough's alert flood: twelve
// workstations run a logon script that pulls the inventory agent over SMB
// from \\deploy\NETLOGON every twenty minutes for an hour; six more fetch it
// over HTTP from the update server twice; one workstation also downloads
// the EICAR test file over HTTP: the true positive that silencing the false
// one must not hide.
func writeInventoryFlood(w io.Writer) ([]ExpectedFile, error) {
	c, err := NewCapture(w, epoch())
	if err != nil {
		return nil, err
	}
	agent := InventoryAgent()
	const agentName = `agent\invagent.exe`
	var exp []ExpectedFile
	smbServer, webServer := EP("10.1.0.5", SMBPort), EP("10.1.0.6", 80)
	port := uint16(50000)
	for round := range 3 {
		for ws := range 12 {
			port++
			client := EP(fmt.Sprintf("10.1.2.%d", 11+ws), port)
			s := SMB2Session{Server: "deploy", Share: "NETLOGON", Domain: "CORP", User: fmt.Sprintf("ws%02d$", 11+ws),
				Workstation: fmt.Sprintf("WS%02d", 11+ws), Seed: uint64(100 + round*12 + ws),
				Files: []SMBFile{{Name: agentName, Data: agent}}}
			if err := smbConn(c, client, smbServer, ConnOptions{}, s); err != nil {
				return nil, err
			}
			exp = append(exp, expect("smb", agentName, agent, false))
			c.Sleep(7 * time.Second)
		}
		if round < 2 {
			for pc := range 6 {
				port++
				client := EP(fmt.Sprintf("10.1.3.%d", 21+pc), port)
				xs := []HTTPExchange{{URI: "/updates/invagent.exe", Host: "updates.corp.example",
					RespBody: agent, RespHeaders: []Header{{"Content-Type", "application/octet-stream"}}}}
				if err := httpConn(c, client, webServer, ConnOptions{}, xs); err != nil {
					return nil, err
				}
				exp = append(exp, expect("http", "/updates/invagent.exe", agent, false))
			}
		}
		if round == 1 {
			port++
			xs := []HTTPExchange{{URI: "/dl/eicar.com", Host: "files.example.net",
				RespBody: []byte(EICAR), RespHeaders: []Header{{"Content-Type", "application/octet-stream"}}}}
			if err := httpConn(c, EP("10.1.2.17", port), EP("198.51.100.7", 80), ConnOptions{}, xs); err != nil {
				return nil, err
			}
			exp = append(exp, expect("http", "/dl/eicar.com", []byte(EICAR), false))
		}
		c.Sleep(20 * time.Minute)
	}
	return exp, c.Err()
}
