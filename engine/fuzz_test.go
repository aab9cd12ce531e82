package engine

import (
	"testing"
	"time"

	"github.com/wirescan/wirescan/signatures"
)

// FuzzEngine drives whole connections made from the fuzzer's bytes through a
// worker: segments with arbitrary flags, sequence numbers and payloads that
// start like HTTP or SMB. Whatever the input, nothing panics, and after the
// flows are drained every byte of reassembly and file-tracker memory is
// returned.
func FuzzEngine(f *testing.F) {
	f.Add([]byte("\x00\x01GET / HTTP/1.1\r\nHost: a\r\n\r\n\x81\x02HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"))
	f.Add([]byte("\x00\x05\x00\x00\x00\x44\xfeSMB@\x00\x01\x00\x00\x00\x00\x00\x08\x00\x01\x00"))
	f.Add([]byte("\x10\x00POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
	prefixes := []string{"", "GET /x HTTP/1.1\r\nHost: h\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n", "\x00\x00\x00\x40\xfeSMB", "\x00\x00\x00\x40\xffSMB"}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg := DefaultConfig()
		cfg.Stream.MaxBufferedBytes = 4096
		cfg.Files.MaxWindowBytes = 4096
		if len(data) > 0 && data[0]&0x20 != 0 {
			// Starved budgets: limits may cut messages, never crash.
			cfg.AppLayerMemcap = 1 + int64(data[0]&0x1f)
			cfg.HTTP.MaxHeaderBytes = 64 + int(data[0]&0x0f) // the smallest valid limit
			cfg.Files.MaxWindowBytes = 8
		}
		w, _ := newTestWorker(t, cfg, signatures.Builtin())
		var seq [2]uint32
		seq[0], seq[1] = 1000, 5000
		num := uint64(0)
		for len(data) >= 2 {
			ctl, n := data[0], int(data[1])%200
			data = data[2:]
			n = min(n, len(data))
			payload := string(data[:n])
			data = data[n:]
			dir := int(ctl & 1)
			if ctl&0x80 != 0 {
				payload = prefixes[int(ctl>>4)%len(prefixes)] + payload
			}
			p := pkt{src: cli, dst: srv, sport: 40000, dport: 80, data: payload, at: time.Duration(num) * time.Millisecond}
			if ctl&0x08 != 0 {
				p.dport = 445
			}
			if dir == 1 {
				p.src, p.dst, p.sport, p.dport = srv, cli, p.dport, p.sport
			}
			switch (ctl >> 1) & 3 {
			case 0:
				p.flags = "A"
			case 1:
				p.flags = "SA"
			case 2:
				p.flags = "FA"
			case 3:
				p.flags = "R"
			}
			p.seq = seq[dir]
			if ctl&0x40 != 0 {
				p.seq += uint32(n) // skip: a hole
			}
			p.ack = seq[dir^1]
			seq[dir] = p.seq + uint32(len(payload))
			num++
			w.handle(p.decoded(num))
		}
		w.drain("shutdown")
		if got := w.e.mem.InUse(); got != 0 {
			t.Fatalf("reassembly memory not returned: %d bytes", got)
		}
		if got := w.e.parserMem.InUse(); got != 0 {
			t.Fatalf("parser memory not returned: %d bytes", got)
		}
		if got := w.stats.Files.BufferedBytes; got != 0 {
			t.Fatalf("file tracker memory not returned: %d bytes", got)
		}
	})
}
