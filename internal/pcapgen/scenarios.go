package pcapgen

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// epoch is the start of every testdata capture's clock.
func epoch() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }

// ExpectedFile is one file the engine must report for a capture: the
// fileinfo it should log and whether a rule matching EICAR should alert.
type ExpectedFile struct {
	// Filename is the name the engine reports: the URI path for HTTP
	// downloads, the multipart filename for uploads, the CREATE name for SMB.
	Filename string `json:"filename"`
	// Size is the file size after transfer and content decoding.
	Size int64 `json:"size"`
	// SHA256 is the lowercase hex SHA-256 of the decoded file.
	SHA256 string `json:"sha256"`
	// Alert is true for the EICAR file.
	Alert bool `json:"alert"`
	// AppProto is "http" or "smb".
	AppProto string `json:"app_proto"`
	// Direction is "to_client" (download) or "to_server" (upload).
	Direction string `json:"direction"`
	// Encoding is the file's Content-Encoding on the wire ("gzip, br"),
	// empty when it travels as it is.
	Encoding string `json:"encoding,omitempty"`
	// WriteAndClose is set when the last bytes travel in an SMB1
	// WRITE_AND_CLOSE, whose data Wireshark's object export leaves out
	// (the tshark cross-check skips such files).
	WriteAndClose bool `json:"-"`
	// Joined is set when no single connection carries the file whole
	// (HTTP ranges, SMB multichannel, a durable reconnect): the engine
	// must join its pieces; per-connection tools (tshark's export, the
	// stream checks) can't find it.
	Joined bool `json:"joined,omitempty"`
}

func expect(proto, name string, data []byte, upload bool) ExpectedFile {
	sum := sha256.Sum256(data)
	dir := "to_client"
	if upload {
		dir = "to_server"
	}
	return ExpectedFile{Filename: name, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]),
		Alert: string(data) == EICAR, AppProto: proto, Direction: dir}
}

// Scenario is one testdata capture.
type Scenario struct {
	// Name is the capture's file name ("http-eicar.pcap").
	Name string
	// Description says what the capture contains, for testdata/README.md.
	Description string
	// Write writes the capture and returns the files in it, in order.
	Write func(w io.Writer) ([]ExpectedFile, error)
}

// Testdata returns the project's testdata captures.
func Testdata() []Scenario {
	return append([]Scenario{
		{Name: "http-eicar.pcap", Write: writeHTTPEicar, Description: "Two HTTP/1.1 connections (IPv4). " +
			"Connection 1 (keep-alive): GET /index.html (HTML, Content-Length), GET /downloads/tool.exe (PE-looking binary), " +
			"GET /downloads/eicar.com (EICAR). Connection 2: GET /static/app.js (chunked + gzip; the file is the " +
			"decoded body), POST /upload (multipart/form-data with report.csv; 204 response without body)."},
		{Name: "smb2-eicar.pcap", Write: writeSMB2Eicar, Description: "One SMB 2.1 session on port 445 (IPv4): " +
			"NEGOTIATE, NTLMSSP SESSION_SETUP (2 rounds), TREE_CONNECT \\\\fileserver\\public, READ of " +
			"docs\\quarterly-report.txt (3 READs of 64 KiB or less), READ of tools\\eicar.com, WRITE of " +
			"uploads\\notes.txt (2 WRITEs), TREE_DISCONNECT, LOGOFF."},
		{Name: "mixed-impaired.pcap", Write: writeMixedImpaired, Description: "HTTP over IPv6 (EICAR and a " +
			"binary download) and SMB2 over IPv4 in VLAN 42 with MSS 536 (EICAR and a text file read), both with " +
			"seeded reordering, duplicate segments and tiny segments; no loss, so every file is complete."},
		{Name: "inventory-flood.pcap", Write: writeInventoryFlood, Description: "An alert flood for the README's " +
			"walkthrough: twelve workstations (10.1.2.11-22) pull the benign inventory agent `agent\\invagent.exe` " +
			"(48000 bytes, PE-looking, containing the string `" + InventoryAgentMarker + "`) from \\\\deploy\\NETLOGON " +
			"over SMB 2.1, three rounds twenty minutes apart; six more hosts (10.1.3.21-26) fetch it over HTTP from " +
			"updates.corp.example in the first two rounds; 10.1.2.17 also downloads the EICAR test file over HTTP."},
		{Name: "http-encodings.pcap", Write: writeHTTPEncodings, Description: "One HTTP/1.1 keep-alive connection " +
			"(IPv4) with content-encoded downloads: GET /enc/eicar.com (EICAR, Content-Encoding: gzip, br), " +
			"GET /enc/report.txt (lzma, chunked), GET /enc/setup.exe (br), GET /enc/notes.txt (deflate, lzma, chunked). " +
			"Each file is the decoded body."},
		{Name: "smb1-legacy.pcap", Write: writeSMB1Legacy, Description: "Two legacy SMB1 sessions (NT LM 0.12 without " +
			"extended security, OEM strings). A scanner on port 139 (NetBIOS session request first) connects to " +
			"\\\\NAS01\\SCANS and uploads SCAN0001.PDF with core CREATE, WRITE and WRITE_AND_CLOSE, TMP0002.PDF " +
			"renamed to SCAN0002.PDF and ~LOCK.TMP marked delete-on-close (TRANS2 SET_FILE_INFORMATION). An old client on " +
			"port 445 queries (TRANS2 QUERY_PATH_INFORMATION) and downloads TOOLS\\EICAR.COM with core OPEN and READ and " +
			"DOCS\\MANUAL.TXT with NT_CREATE_ANDX and READ_ANDX."},
	}, joinedScenarios()...)
}

func writeSMB1Legacy(w io.Writer) ([]ExpectedFile, error) {
	r := rand.New(rand.NewPCG(6, 6))
	c, err := NewCapture(w, epoch())
	if err != nil {
		return nil, err
	}
	scan1 := Text(r, 15000)
	scan2 := Text(r, 6000)
	lock := Text(r, 64)
	manual := Text(r, 11000)
	up := SMB1Session{Server: "NAS01", Share: "SCANS", Domain: "WORKGROUP", User: "scanner", NetBIOS: true, Seed: 6,
		Files: []SMB1File{
			{Name: `\SCANS\SCAN0001.PDF`, Data: scan1, Write: true},
			{Name: `\SCANS\TMP0002.PDF`, Data: scan2, Write: true, RenameTo: `\SCANS\SCAN0002.PDF`},
			{Name: `\SCANS\~LOCK.TMP`, Data: lock, Write: true, Delete: true},
		}}
	if err := conn(c, EP("192.168.56.40", 1031), EP("192.168.56.50", 139), ConnOptions{}, func(cv *Conversation) error {
		return WriteSMB1(cv, up)
	}); err != nil {
		return nil, err
	}
	down := SMB1Session{Server: "NAS01", Share: "PUBLIC", Domain: "WORKGROUP", User: "guest", Seed: 7,
		Files: []SMB1File{
			{Name: `\TOOLS\EICAR.COM`, Data: []byte(EICAR), Query: true},
			{Name: `\DOCS\MANUAL.TXT`, Data: manual, Style: SMB1AndX, Query: true},
		}}
	c.Sleep(time.Second)
	if err := conn(c, EP("192.168.56.41", 1040), EP("192.168.56.50", SMBPort), ConnOptions{}, func(cv *Conversation) error {
		return WriteSMB1(cv, down)
	}); err != nil {
		return nil, err
	}
	exp := []ExpectedFile{
		expect("smb", up.Files[0].Name, scan1, true), expect("smb", up.Files[1].Name, scan2, true),
		expect("smb", up.Files[2].Name, lock, true), expect("smb", down.Files[0].Name, []byte(EICAR), false),
		expect("smb", down.Files[1].Name, manual, false),
	}
	exp[0].WriteAndClose = true
	return exp, c.Err()
}

func writeHTTPEncodings(w io.Writer) ([]ExpectedFile, error) {
	r := rand.New(rand.NewPCG(5, 5))
	c, err := NewCapture(w, epoch())
	if err != nil {
		return nil, err
	}
	report := Text(r, 60000)
	setup := Executable(r, 30000)
	notes := Text(r, 9000)
	host := "cdn.example.test"
	xs := []HTTPExchange{
		{URI: "/enc/eicar.com", Host: host, RespBody: []byte(EICAR), Encodings: []string{"gzip", "br"}},
		{URI: "/enc/report.txt", Host: host, RespBody: report, Encodings: []string{"lzma"}, Chunked: true},
		{URI: "/enc/setup.exe", Host: host, RespBody: setup, Encodings: []string{"br"}},
		{URI: "/enc/notes.txt", Host: host, RespBody: notes, Encodings: []string{"deflate", "lzma"}, Chunked: true, ChunkSize: 1000},
	}
	var exp []ExpectedFile
	for _, x := range xs {
		e := expect("http", x.URI, x.RespBody, false)
		e.Encoding = strings.Join(x.Encodings, ", ")
		exp = append(exp, e)
	}
	if err := httpConn(c, EP("192.168.56.12", 50110), EP("192.168.56.21", 80), ConnOptions{}, xs); err != nil {
		return nil, err
	}
	return exp, c.Err()
}

func writeHTTPEicar(w io.Writer) ([]ExpectedFile, error) {
	r := rand.New(rand.NewPCG(1, 1))
	c, err := NewCapture(w, epoch())
	if err != nil {
		return nil, err
	}
	client, server := EP("192.168.56.10", 49732), EP("192.168.56.20", 80)
	html := HTML(r, "Downloads", 2400)
	tool := Executable(r, 3000)
	host := "files.example.test"
	xs := []HTTPExchange{
		{URI: "/index.html", Host: host, RespBody: html, RespHeaders: []Header{{"Content-Type", "text/html; charset=utf-8"}}},
		{URI: "/downloads/tool.exe", Host: host, RespBody: tool, RespHeaders: []Header{{"Content-Type", "application/octet-stream"}}},
		{URI: "/downloads/eicar.com", Host: host, RespBody: []byte(EICAR), RespHeaders: []Header{{"Content-Type", "application/octet-stream"}}},
	}
	exp := []ExpectedFile{expect("http", "/index.html", html, false), expect("http", "/downloads/tool.exe", tool, false),
		expect("http", "/downloads/eicar.com", []byte(EICAR), false)}
	if err := httpConn(c, client, server, ConnOptions{}, xs); err != nil {
		return nil, err
	}

	js := Text(r, 20000)
	csv := Text(r, 5000)
	body, ctype := MultipartFile("----pcapgenBoundary7MA4YWxkTrZu0gW", "file", "report.csv", "text/csv", csv)
	xs = []HTTPExchange{
		{URI: "/static/app.js", Host: host, RespBody: js, Chunked: true, Gzip: true,
			RespHeaders: []Header{{"Content-Type", "application/javascript"}}},
		{Method: "POST", URI: "/upload", Host: host, ReqBody: body, ReqHeaders: []Header{{"Content-Type", ctype}}, Status: 204},
	}
	appjs := expect("http", "/static/app.js", js, false)
	appjs.Encoding = "gzip"
	exp = append(exp, appjs, expect("http", "report.csv", csv, true))
	client.Port++
	c.Sleep(time.Second)
	if err := httpConn(c, client, server, ConnOptions{}, xs); err != nil {
		return nil, err
	}
	return exp, c.Err()
}

// conn opens a conversation, lets talk fill it and closes it.
func conn(c *Capture, client, server Endpoint, opt ConnOptions, talk func(*Conversation) error) error {
	cv, err := c.Open(client, server, opt)
	if err != nil {
		return err
	}
	if err := talk(cv); err != nil {
		return err
	}
	return cv.Close()
}

func httpConn(c *Capture, client, server Endpoint, opt ConnOptions, xs []HTTPExchange) error {
	return conn(c, client, server, opt, func(cv *Conversation) error { return WriteHTTP(cv, xs) })
}

func smbConn(c *Capture, client, server Endpoint, opt ConnOptions, s SMB2Session) error {
	return conn(c, client, server, opt, func(cv *Conversation) error { return WriteSMB2(cv, s) })
}

func writeSMB2Eicar(w io.Writer) ([]ExpectedFile, error) {
	r := rand.New(rand.NewPCG(2, 2))
	c, err := NewCapture(w, epoch())
	if err != nil {
		return nil, err
	}
	report := Text(r, 150000)
	notes := Text(r, 70000)
	s := SMB2Session{Server: "fileserver", Share: "public", Domain: "CORP", User: "alice", Workstation: "WS01", Seed: 2,
		Files: []SMBFile{
			{Name: `docs\quarterly-report.txt`, Data: report},
			{Name: `tools\eicar.com`, Data: []byte(EICAR)},
			{Name: `uploads\notes.txt`, Data: notes, Write: true},
		}}
	if err := smbConn(c, EP("192.168.56.11", 49801), EP("192.168.56.30", SMBPort), ConnOptions{}, s); err != nil {
		return nil, err
	}
	exp := []ExpectedFile{expect("smb", s.Files[0].Name, report, false), expect("smb", s.Files[1].Name, []byte(EICAR), false),
		expect("smb", s.Files[2].Name, notes, true)}
	return exp, c.Err()
}

func writeMixedImpaired(w io.Writer) ([]ExpectedFile, error) {
	r := rand.New(rand.NewPCG(3, 3))
	c, err := NewCapture(w, epoch())
	if err != nil {
		return nil, err
	}
	bin := Executable(r, 40000)
	host := "cdn.example.test"
	xs := []HTTPExchange{
		{URI: "/pub/setup.exe", Host: host, RespBody: bin, RespHeaders: []Header{{"Content-Type", "application/vnd.microsoft.portable-executable"}}},
		{URI: "/pub/eicar.com", Host: host, RespBody: []byte(EICAR), RespHeaders: []Header{{"Content-Type", "application/octet-stream"}}},
	}
	im := Impair{Seed: 3, Reorder: 0.15, Duplicate: 0.05, Tiny: 0.2}
	if err := httpConn(c, EP("2001:db8::10", 50123), EP("2001:db8::80", 80), ConnOptions{Impair: im}, xs); err != nil {
		return nil, err
	}
	exp := []ExpectedFile{expect("http", "/pub/setup.exe", bin, false), expect("http", "/pub/eicar.com", []byte(EICAR), false)}

	text := Text(r, 100000)
	s := SMB2Session{Server: "nas", Share: "home", Domain: "CORP", User: "bob", Workstation: "WS02", Seed: 3,
		Files: []SMBFile{{Name: `bob\eicar.com`, Data: []byte(EICAR)}, {Name: `bob\minutes.txt`, Data: text}}}
	im.Seed = 4
	c.Sleep(500 * time.Millisecond)
	if err := smbConn(c, EP("10.20.0.5", 50200), EP("10.20.0.9", SMBPort), ConnOptions{VLAN: 42, MSS: 536, Impair: im}, s); err != nil {
		return nil, err
	}
	exp = append(exp, expect("smb", s.Files[0].Name, []byte(EICAR), false), expect("smb", s.Files[1].Name, text, false))
	return exp, c.Err()
}
