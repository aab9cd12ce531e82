package pcapgen

import (
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// Scenarios where one file's bytes travel over several TCP connections: an
// SMB 3 multichannel session, a durable handle reopened after its
// connection broke, and an HTTP download manager fetching 206 pieces over
// three connections. A sensor must join each file's pieces to see (and
// hash, and scan) the whole file; the EICAR file is split so that no
// single connection carries it whole.

// joinedScenarios are the testdata captures of joined files.
func joinedScenarios() []Scenario {
	return []Scenario{
		{Name: "smb3-multichannel.pcap", Write: writeSMB3Multichannel, Description: "One SMB 3.0.2 multichannel session " +
			"over two connections to two addresses of one server (same ServerGuid): connection 1 (10.30.0.21 to " +
			"10.30.0.10) negotiates with the multichannel capability, logs on and connects to \\\\files\\projects; " +
			"connection 2 (10.30.1.21 to 10.30.1.10) binds itself to the session (SESSION_SETUP with the binding flag). " +
			"design\\build.bin (256 KiB) is read in 64 KiB READs alternating between the connections, tools\\eicar.com " +
			"is read 34 bytes on each connection and closed on connection 2, upload\\notes.txt (150000 bytes) is written " +
			"in 64 KiB WRITEs alternating between the connections. No connection carries any file whole."},
		{Name: "smb3-durable.pcap", Write: writeSMB3Durable, Description: "An SMB 3.0.2 client opens vm\\disk-notes.txt " +
			"with a durable v2 handle (DH2Q) and tools\\eicar.com with a durable v1 handle (DHnQ), reads the first part of " +
			"each, and its connection is reset. 15 seconds later it reconnects from a new port, logs on again (previous " +
			"session id set), reopens both handles (DH2C, DHnC) and reads the rest; EICAR is split 34/34 bytes across the " +
			"two connections."},
		{Name: "http-range-pieces.pcap", Write: writeHTTPRangePieces, Description: "A download manager fetches " +
			"/iso/tool.bin (120000 bytes) and /iso/eicar.com as three 206 Partial Content ranges each, one range per " +
			"connection over three keep-alive connections whose packets interleave (Range/Content-Range); no connection " +
			"carries either file whole."},
	}
}

// joined marks files the test tools can't find in one connection.
func joined(f ExpectedFile) ExpectedFile {
	f.Joined = true
	return f
}

func writeSMB3Multichannel(w io.Writer) ([]ExpectedFile, error) {
	r := rand.New(rand.NewPCG(8, 8))
	c, err := NewCapture(w, epoch())
	if err != nil {
		return nil, err
	}
	build := Executable(r, 256<<10)
	notes := Text(r, 150000)
	id := SMB2Session{Domain: "CORP", User: "carol", Workstation: "WS07"}
	srv := NewSMB3Server("files", "projects", true, 8)
	cv1, err := c.Open(EP("10.30.0.21", 49900), EP("10.30.0.10", SMBPort), ConnOptions{})
	if err != nil {
		return nil, err
	}
	ch1 := NewSMB3Channel(cv1, srv, 81)
	if err := ch1.Negotiate(); err != nil {
		return nil, err
	}
	session, err := ch1.Logon(id, 0)
	if err != nil {
		return nil, err
	}
	tree, err := ch1.TreeConnect()
	if err != nil {
		return nil, err
	}
	c.Sleep(20 * time.Millisecond)
	cv2, err := c.Open(EP("10.30.1.21", 49901), EP("10.30.1.10", SMBPort), ConnOptions{})
	if err != nil {
		return nil, err
	}
	ch2 := NewSMB3Channel(cv2, srv, 82)
	if err := ch2.Negotiate(); err != nil {
		return nil, err
	}
	if err := ch2.Bind(session, tree, id); err != nil {
		return nil, err
	}
	chans := []*SMB3Channel{ch1, ch2}
	f, err := ch1.Create(`design\build.bin`, false, int64(len(build)), NotDurable)
	if err != nil {
		return nil, err
	}
	for i, off := 0, 0; off < len(build); i, off = i+1, off+DefaultSMBChunk {
		if err := chans[i%2].Read(f, int64(off), build[off:min(off+DefaultSMBChunk, len(build))]); err != nil {
			return nil, err
		}
	}
	if err := ch1.Close(f); err != nil {
		return nil, err
	}
	eicar := []byte(EICAR)
	e, err := ch1.Create(`tools\eicar.com`, false, int64(len(eicar)), NotDurable)
	if err != nil {
		return nil, err
	}
	if err := ch1.Read(e, 0, eicar[:34]); err != nil {
		return nil, err
	}
	if err := ch2.Read(e, 34, eicar[34:]); err != nil {
		return nil, err
	}
	if err := ch2.Close(e); err != nil {
		return nil, err
	}
	u, err := ch2.Create(`upload\notes.txt`, true, 0, NotDurable)
	if err != nil {
		return nil, err
	}
	for i, off := 0, 0; off < len(notes); i, off = i+1, off+DefaultSMBChunk {
		if err := chans[(i+1)%2].Write(u, int64(off), notes[off:min(off+DefaultSMBChunk, len(notes))]); err != nil {
			return nil, err
		}
	}
	if err := ch1.Close(u); err != nil {
		return nil, err
	}
	if err := ch1.Logoff(); err != nil {
		return nil, err
	}
	if err := cv2.Close(); err != nil {
		return nil, err
	}
	if err := cv1.Close(); err != nil {
		return nil, err
	}
	return []ExpectedFile{joined(expect("smb", f.Name, build, false)), joined(expect("smb", e.Name, eicar, false)),
		joined(expect("smb", u.Name, notes, true))}, c.Err()
}

func writeSMB3Durable(w io.Writer) ([]ExpectedFile, error) {
	r := rand.New(rand.NewPCG(9, 9))
	c, err := NewCapture(w, epoch())
	if err != nil {
		return nil, err
	}
	notes := Text(r, 180000)
	eicar := []byte(EICAR)
	id := SMB2Session{Domain: "CORP", User: "dave", Workstation: "HV01"}
	srv := NewSMB3Server("cluster", "vms", false, 9)
	client, server := EP("10.40.0.31", 50100), EP("10.40.0.5", SMBPort)
	cv1, err := c.Open(client, server, ConnOptions{})
	if err != nil {
		return nil, err
	}
	ch1 := NewSMB3Channel(cv1, srv, 91)
	if err := ch1.Negotiate(); err != nil {
		return nil, err
	}
	old, err := ch1.Logon(id, 0)
	if err != nil {
		return nil, err
	}
	if _, err := ch1.TreeConnect(); err != nil {
		return nil, err
	}
	n, err := ch1.Create(`vm\disk-notes.txt`, false, int64(len(notes)), DurableV2)
	if err != nil {
		return nil, err
	}
	e, err := ch1.Create(`tools\eicar.com`, false, int64(len(eicar)), DurableV1)
	if err != nil {
		return nil, err
	}
	half := 2 * DefaultSMBChunk
	for off := 0; off < half; off += DefaultSMBChunk {
		if err := ch1.Read(n, int64(off), notes[off:off+DefaultSMBChunk]); err != nil {
			return nil, err
		}
	}
	if err := ch1.Read(e, 0, eicar[:34]); err != nil {
		return nil, err
	}
	// The path breaks; the connection is reset. The client comes back
	// after the sensor's flow has long ended (closed-timeout is 10 s).
	if err := cv1.Reset(); err != nil {
		return nil, err
	}
	c.Sleep(15 * time.Second)
	client.Port++
	cv2, err := c.Open(client, server, ConnOptions{})
	if err != nil {
		return nil, err
	}
	ch2 := NewSMB3Channel(cv2, srv, 92)
	if err := ch2.Negotiate(); err != nil {
		return nil, err
	}
	if _, err := ch2.Logon(id, old); err != nil {
		return nil, err
	}
	if _, err := ch2.TreeConnect(); err != nil {
		return nil, err
	}
	if n, err = ch2.Reopen(n, int64(len(notes))); err != nil {
		return nil, err
	}
	if e, err = ch2.Reopen(e, int64(len(eicar))); err != nil {
		return nil, err
	}
	for off := half; off < len(notes); off += DefaultSMBChunk {
		if err := ch2.Read(n, int64(off), notes[off:min(off+DefaultSMBChunk, len(notes))]); err != nil {
			return nil, err
		}
	}
	if err := ch2.Read(e, 34, eicar[34:]); err != nil {
		return nil, err
	}
	for _, h := range []SMBHandle{n, e} {
		if err := ch2.Close(h); err != nil {
			return nil, err
		}
	}
	if err := ch2.Logoff(); err != nil {
		return nil, err
	}
	if err := cv2.Close(); err != nil {
		return nil, err
	}
	return []ExpectedFile{joined(expect("smb", n.Name, notes, false)), joined(expect("smb", e.Name, eicar, false))}, c.Err()
}

// rangePiece is one 206 response of a resource.
type rangePiece struct {
	uri        string
	start, end int
	body       []byte
	total      int
}

func (p rangePiece) exchange(host string) HTTPExchange {
	return HTTPExchange{URI: p.uri, Host: host, Status: 206,
		ReqHeaders:  []Header{{"Range", fmt.Sprintf("bytes=%d-%d", p.start, p.end)}},
		RespHeaders: []Header{{"Content-Type", "application/octet-stream"}, {"Content-Range", fmt.Sprintf("bytes %d-%d/%d", p.start, p.end, p.total)}},
		RespBody:    p.body}
}

// thirds cuts data into three ranges.
func thirds(uri string, data []byte) []rangePiece {
	n := len(data)
	cuts := []int{0, n / 3, 2 * n / 3, n}
	out := make([]rangePiece, 3)
	for i := range out {
		out[i] = rangePiece{uri: uri, start: cuts[i], end: cuts[i+1] - 1, body: data[cuts[i]:cuts[i+1]], total: n}
	}
	return out
}

func writeHTTPRangePieces(w io.Writer) ([]ExpectedFile, error) {
	r := rand.New(rand.NewPCG(10, 10))
	c, err := NewCapture(w, epoch())
	if err != nil {
		return nil, err
	}
	tool := Executable(r, 120000)
	eicar := []byte(EICAR)
	host := "mirror.example.test"
	server := EP("10.50.0.80", 80)
	cvs := make([]*Conversation, 3)
	for i := range cvs {
		if cvs[i], err = c.Open(EP("10.50.0.12", uint16(51000+i)), server, ConnOptions{}); err != nil {
			return nil, err
		}
	}
	for _, res := range [][]rangePiece{thirds("/iso/tool.bin", tool), thirds("/iso/eicar.com", eicar)} {
		resps := make([][]byte, 3)
		for i, p := range res {
			x := p.exchange(host)
			if err := cvs[i].FromClient(x.Request()); err != nil {
				return nil, err
			}
			if resps[i], err = x.Response(c.Now()); err != nil {
				return nil, err
			}
		}
		c.Sleep(2 * time.Millisecond)
		// The three responses arrive side by side, 4 KiB at a time.
		for pending := true; pending; {
			pending = false
			for i := range resps {
				if len(resps[i]) == 0 {
					continue
				}
				k := min(4096, len(resps[i]))
				if err := cvs[i].FromServer(resps[i][:k]); err != nil {
					return nil, err
				}
				resps[i] = resps[i][k:]
				pending = true
			}
		}
		c.Sleep(20 * time.Millisecond)
	}
	for _, cv := range cvs {
		if err := cv.Close(); err != nil {
			return nil, err
		}
	}
	return []ExpectedFile{joined(expect("http", "/iso/tool.bin", tool, false)), joined(expect("http", "/iso/eicar.com", eicar, false))}, c.Err()
}
