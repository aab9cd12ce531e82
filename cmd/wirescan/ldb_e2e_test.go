package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wirescan/wirescan/internal/pcapgen"
)

// ldbCapture writes an HTTP capture downloading two generated PE files and
// a plain file holding the same bytes: dropper.exe has the signature's code
// at its entry point, other.exe has it too but its entry point elsewhere,
// and notes.bin is no PE at all.
func ldbCapture(t *testing.T, dir string) string {
	t.Helper()
	code := []byte("\x55\x8b\xec\x83\xec\x40\x53\x56\x57 unpack-stage-2 \xc3")
	data := []byte("cfg=beacon.example.test:8443;sleep=60;")
	dropper, _ := pcapgen.PEFile{Sections: []pcapgen.PESection{{Name: ".text", Data: code}, {Name: ".data", Data: data}}}.Build()
	other, _ := pcapgen.PEFile{Sections: []pcapgen.PESection{{Name: ".text", Data: append([]byte("\x90\x90\x90\x90"), code...)},
		{Name: ".data", Data: data}}}.Build()
	notes := append(append([]byte("notes: "), code...), data...)
	var buf bytes.Buffer
	c, err := pcapgen.NewCapture(&buf, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	cv, err := c.Open(pcapgen.EP("192.168.56.10", 49800), pcapgen.EP("192.168.56.20", 80), pcapgen.ConnOptions{})
	if err != nil {
		t.Fatal(err)
	}
	bin := []pcapgen.Header{{Name: "Content-Type", Value: "application/octet-stream"}}
	xs := []pcapgen.HTTPExchange{
		{URI: "/dl/dropper.exe", Host: "files.example.test", RespBody: dropper, RespHeaders: bin},
		{URI: "/dl/other.exe", Host: "files.example.test", RespBody: other, RespHeaders: bin, Chunked: true, ChunkSize: 100},
		{URI: "/dl/notes.bin", Host: "files.example.test", RespBody: notes, RespHeaders: bin},
	}
	if err := pcapgen.WriteHTTP(cv, xs); err != nil {
		t.Fatal(err)
	}
	if err := cv.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "ldb.pcap")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReplayLogicalSignature replays the download capture with a .ldb
// signature anchored at the PE entry point and in the .data section: it
// alerts on dropper.exe only, under the signature's name.
func TestReplayLogicalSignature(t *testing.T) {
	dir := t.TempDir()
	pcap := ldbCapture(t, dir)
	ldb := filepath.Join(dir, "local.ldb")
	sig := "Test.Dropper.Stage2;Engine:51-255,Target:1,NumberOfSections:2-2;0&1;EP+0:558bec83ec40{3}" +
		hex.EncodeToString([]byte(" unpack-stage-2")) + ";S1+0:" + hex.EncodeToString([]byte("cfg=")) + "::i\n"
	if err := os.WriteFile(ldb, []byte(sig), 0o644); err != nil {
		t.Fatal(err)
	}
	lines, stderr, code := replay(t, "-r", pcap, "-S", ldb, "--rules-cache", "off")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var alerts []string
	files := 0
	for _, l := range lines {
		var ev struct {
			EventType string `json:"event_type"`
			Alert     *struct {
				Signature string `json:"signature"`
			} `json:"alert"`
			HTTP *struct {
				URL string `json:"url"`
			} `json:"http"`
			FileInfo *struct {
				State string `json:"state"`
			} `json:"fileinfo"`
		}
		if err := json.Unmarshal(l, &ev); err != nil {
			t.Fatal(err)
		}
		switch ev.EventType {
		case "alert":
			url := ""
			if ev.HTTP != nil {
				url = ev.HTTP.URL
			}
			alerts = append(alerts, ev.Alert.Signature+" "+url)
		case "fileinfo":
			if ev.FileInfo.State == "CLOSED" {
				files++
			}
		}
	}
	if files != 3 {
		t.Errorf("%d closed files, want 3", files)
	}
	if len(alerts) != 1 || alerts[0] != "Test.Dropper.Stage2 /dl/dropper.exe" {
		t.Errorf("alerts %q, want one for /dl/dropper.exe", alerts)
	}
}

// TestRulesCommandsOnLDB: rules check names file:line for malformed and
// unsupported lines; rules stats counts what was skipped by reason.
func TestRulesCommandsOnLDB(t *testing.T) {
	ldb := filepath.Join(t.TempDir(), "mixed.ldb")
	body := strings.Join([]string{
		"# ClamAV logical signatures",
		"Good;Engine:51-255,Target:1;0&1;EP+0:558bec;S1+0:636667",
		"Html.A;Target:3;0;3c736372697074",
		"Html.B;Target:3;0;3c696672616d65",
		"Bad;Target:0;0&1;4142",
		"Pcre;Target:0;0&1;4142;0/ab.*c/i",
	}, "\n") + "\n"
	if err := os.WriteFile(ldb, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"rules", "check", "--rules-cache", "off", ldb}, strings.NewReader(""), &out, &errb); code != 1 {
		t.Fatalf("rules check exit %d, want 1: %s", code, errb.String())
	}
	for _, want := range []string{
		ldb + ":3: ClamAV target type 3 (HTML, matched normalized by ClamAV) not supported",
		ldb + ":5: logical expression names subsignatures 0-1 but the line has 1",
		ldb + `:6: subsignature 1: ldb PCRE subsignature "/ab.*c/i": no literal prefix of at least 3 bytes ((?i:AB)) on streaming data not supported`,
		"1 rules loaded, 4 skipped",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("rules check output lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if code := run([]string{"rules", "stats", "--rules-cache", "off", ldb}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("rules stats exit %d: %s", code, errb.String())
	}
	for _, want := range []string{
		"rules:          1 (4 skipped)",
		"skipped, by reason:\n       2  ClamAV target type 3 (HTML, matched normalized by ClamAV) not supported\n",
		"       1  ldb PCRE subsignature …: no literal prefix of at least 3 bytes ((?i:AB)) on streaming data not supported\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("rules stats output lacks %q:\n%s", want, out.String())
		}
	}
}
