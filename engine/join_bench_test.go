package engine_test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine"
	"github.com/wirescan/wirescan/engine/capture"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/internal/pcapgen"
	"github.com/wirescan/wirescan/signatures"
)

var (
	smb3Once sync.Once
	smb3Data []byte
	smb3Err  error
)

// smb3SingleConnection is one SMB 3.0.2 session on a multichannel-capable
// server over one connection: 2000 files of 16 KiB, each opened with a
// durable v2 handle, read in one READ and closed. Every file is a join
// candidate; none is joined.
func smb3SingleConnection(b *testing.B) []byte {
	smb3Once.Do(func() {
		var buf bytes.Buffer
		c, err := pcapgen.NewCapture(&buf, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		if err != nil {
			smb3Err = err
			return
		}
		srv := pcapgen.NewSMB3Server("files", "data", true, 1)
		cv, err := c.Open(pcapgen.EP("10.0.0.1", 50000), pcapgen.EP("10.0.0.2", pcapgen.SMBPort), pcapgen.ConnOptions{})
		if err != nil {
			smb3Err = err
			return
		}
		ch := pcapgen.NewSMB3Channel(cv, srv, 1)
		content := bytes.Repeat([]byte("benign file content "), 16<<10/20)
		step := func(err error) {
			if smb3Err == nil {
				smb3Err = err
			}
		}
		step(ch.Negotiate())
		_, err = ch.Logon(pcapgen.SMB2Session{Domain: "D", User: "u", Workstation: "W"}, 0)
		step(err)
		_, err = ch.TreeConnect()
		step(err)
		for i := range 2000 {
			h, err := ch.Create("f"+string(rune('a'+i%26))+".txt", false, int64(len(content)), pcapgen.DurableV2)
			step(err)
			step(ch.Read(h, 0, content))
			step(ch.Close(h))
		}
		step(ch.Logoff())
		step(cv.Close())
		smb3Data = buf.Bytes()
	})
	if smb3Err != nil {
		b.Fatal(smb3Err)
	}
	return smb3Data
}

// BenchmarkSingleConnectionSMB3 replays smb3SingleConnection with joining
// off (max-join-candidates 0: no file is registered) and on (every file is
// registered with the joiner and ends as an ordinary file): the difference
// is what joining costs files that travel over one connection.
func BenchmarkSingleConnectionSMB3(b *testing.B) {
	data := smb3SingleConnection(b)
	for _, tc := range []struct {
		name       string
		candidates int
	}{{"joining=off", 0}, {"joining=on", engine.DefaultConfig().Files.MaxJoinCandidates}} {
		b.Run(tc.name, func(b *testing.B) {
			cfg := engine.DefaultConfig()
			cfg.EventTypes = []string{"alert", "fileinfo"}
			cfg.Files.MaxJoinCandidates = tc.candidates
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for range b.N {
				src, err := capture.NewReader(bytes.NewReader(data), "smb3", cfg.Capture)
				if err != nil {
					b.Fatal(err)
				}
				eng, err := engine.New(cfg, signatures.Builtin(), eve.NewWriter(io.Discard))
				if err != nil {
					b.Fatal(err)
				}
				sum, err := eng.Run(context.Background(), src, nil)
				if err != nil {
					b.Fatal(err)
				}
				if sum.Files != 2000 || sum.Alerts != 0 {
					b.Fatalf("%d files, %d alerts: want 2000 files, no alert", sum.Files, sum.Alerts)
				}
			}
		})
	}
}
