// Package evegen writes large, deterministic EVE logs for benchmarking
// `wirescan report`: a realistic mix of mostly flow, fileinfo, http and smb
// lines with some alerts, whose keys (signature × file × client × server)
// come from a fixed pool so the log holds a known number of distinct
// incidents however large it grows.
//
// Alerts are written as wirescan writes them without a hash policy: on a file
// still open (no sha256), followed by the file's fileinfo with the hash and
// the sid, so the report's pending-hash path is exercised as in real logs.
// A few alerts open a policy incident and are followed by its summary.
package evegen

import (
	"bufio"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand"
	"time"

	"github.com/wirescan/wirescan/engine/eve"
)

// Config describes the log to write.
type Config struct {
	// Bytes is the size to reach (the last flow may go a little past it).
	Bytes int64
	// Seed makes the log reproducible.
	Seed int64
	// Incidents is the number of distinct alert keys (default 3000).
	Incidents int
	// FlowsPerAlert is how many flows pass per alerting flow (default 20).
	FlowsPerAlert int
	// Start is the first timestamp (default 2026-01-01T00:00:00Z); each flow
	// advances the clock by 50 ms.
	Start time.Time
}

// Stats says what was written, for checking a report against it.
type Stats struct {
	Lines, Alerts, Summaries, SummaryHits int64
	Bytes                                 int64
	// Keys is the number of distinct incident keys that alerted.
	Keys int
}

// Write writes the log to w.
func Write(w io.Writer, cfg Config) (Stats, error) {
	if cfg.Incidents <= 0 {
		cfg.Incidents = 3000
	}
	if cfg.FlowsPerAlert <= 0 {
		cfg.FlowsPerAlert = 20
	}
	if cfg.Start.IsZero() {
		cfg.Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	cw := &countingWriter{w: w}
	bw := bufio.NewWriterSize(cw, 1<<20)
	g := &gen{cfg: cfg, rng: rand.New(rand.NewSource(cfg.Seed)), out: eve.NewWriter(bw), now: cfg.Start, keys: map[key]bool{}}
	var err error
	for cw.n+int64(bw.Buffered()) < cfg.Bytes && err == nil {
		err = g.flow()
	}
	if err == nil {
		err = g.out.Flush()
	}
	if err == nil {
		err = bw.Flush()
	}
	g.stats.Bytes, g.stats.Keys = cw.n, len(g.keys)
	return g.stats, err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type gen struct {
	cfg      Config
	rng      *rand.Rand
	out      *eve.Writer
	now      time.Time
	flowID   uint64
	incident uint64
	keys     map[key]bool
	stats    Stats
}

func (g *gen) write(ev *eve.Event) error {
	g.stats.Lines++
	return g.out.Write(ev)
}

// key is one alert key of the pool.
type key struct {
	sid            int
	sha            string
	name           string
	client, server string
}

// keyAt maps a pool index to its key: one of 25 signatures on one of 40
// files, between one of 60,000 clients and one of 30 servers, drawn by a
// hash of the index so that distinct indexes are (almost always) distinct
// keys and several clients share each signature and file (fanout).
func keyAt(i int) key {
	h := uint64(i) + 0x9e3779b97f4a7c15 // splitmix64
	h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
	h = (h ^ h>>27) * 0x94d049bb133111eb
	h ^= h >> 31
	file, client := int(h>>8%40), int(h>>16%60000)
	return key{
		sid:    9000100 + int(h%25),
		sha:    fmt.Sprintf("%x", sha256.Sum256([]byte{byte(file)})),
		name:   fmt.Sprintf(`deploy\agent-%03d.exe`, file),
		client: fmt.Sprintf("10.20.%d.%d", client/250, 1+client%250),
		server: fmt.Sprintf("10.1.0.%d", 1+int(h>>40%30)),
	}
}

// flow writes one connection: an SMB session reading files or an HTTP
// keep-alive connection downloading them, each file a fileinfo, and the flow
// event; one flow in FlowsPerAlert alerts on its first file.
func (g *gen) flow() error {
	g.flowID++
	g.now = g.now.Add(50 * time.Millisecond)
	smb := g.rng.Intn(2) == 0
	alert := g.rng.Intn(g.cfg.FlowsPerAlert) == 0
	var k key
	idx := g.rng.Intn(g.cfg.Incidents)
	if alert {
		k = keyAt(idx)
	} else {
		k = key{client: fmt.Sprintf("10.30.%d.%d", g.rng.Intn(200), 1+g.rng.Intn(250)), server: fmt.Sprintf("10.1.1.%d", 1+g.rng.Intn(50))}
	}
	proto := "http"
	if smb {
		proto = "smb"
	}
	base := eve.Event{Timestamp: g.now, FlowID: g.flowID, SrcIP: k.server, SrcPort: 445, DestIP: k.client, DestPort: uint16(49152 + g.rng.Intn(16000)),
		Proto: "TCP", AppProto: proto}
	if !smb {
		base.SrcPort = 80
	}
	files := 1 + g.rng.Intn(3)
	for tx := uint64(0); tx < uint64(files); tx++ {
		name := fmt.Sprintf("/static/%d/%x.js", g.rng.Intn(1000), g.rng.Int63())
		sha := fmt.Sprintf("%016x%016x%016x%016x", g.rng.Int63(), g.rng.Int63(), g.rng.Int63(), g.rng.Int63())
		if smb {
			name = fmt.Sprintf(`share\docs\report-%d.docx`, g.rng.Intn(100000))
		}
		alerting := alert && tx == 0
		if alerting {
			name, sha = k.name, k.sha
			if !smb {
				name = "/downloads/" + k.name[len(`deploy\`):]
			}
		}
		if err := g.transaction(base, proto, tx, name); err != nil {
			return err
		}
		size := int64(1000 + g.rng.Intn(200000))
		fi := eve.FileInfo{Filename: name, Gaps: false, State: eve.StateClosed, SHA256: sha, Size: size, TxID: tx,
			MD5: sha[:32], SHA1: sha[:40], Magic: "PE32 executable"}
		if alerting {
			if err := g.alert(base, k, tx, name, size); err != nil {
				return err
			}
			fi.SID = []int{k.sid}
		}
		ev := base
		ev.Timestamp = g.now.Add(time.Duration(tx+1) * time.Millisecond)
		ev.EventType, ev.TxID, ev.FileInfo = "fileinfo", &tx, &fi
		ev.Wirescan = &eve.Extra{FileSeen: size}
		if err := g.write(&ev); err != nil {
			return err
		}
	}
	end := base
	end.EventType, end.SrcIP, end.DestIP, end.SrcPort, end.DestPort = "flow", k.client, k.server, base.DestPort, base.SrcPort
	end.Flow = &eve.Flow{PktsToServer: 40, PktsToClient: 80, BytesToServer: 4000, BytesToClient: 120000,
		Start: g.now, End: g.now.Add(40 * time.Millisecond), State: "closed", Reason: "timeout", Alerted: alert}
	end.TCP = &eve.TCP{TCPFlags: "1b", TCPFlagsTS: "1b", TCPFlagsTC: "1b", SYN: true, FIN: true, PSH: true, ACK: true, State: "closed"}
	return g.write(&end)
}

// transaction writes the protocol event of one file transfer.
func (g *gen) transaction(base eve.Event, proto string, tx uint64, name string) error {
	ev := base
	ev.EventType, ev.TxID = proto, &tx
	if proto == "smb" {
		ev.SMB = map[string]any{"id": tx + 3, "dialect": "3.1.1", "command": "SMB2_COMMAND_READ", "status": "STATUS_SUCCESS",
			"status_code": "0x0", "session_id": 4398061507841, "tree_id": 5, "filename": name, "share": `\\fileserver\share`,
			"fuid": fmt.Sprintf("%08x-0000-0000-24ce-267029583ee6", tx)}
	} else {
		ev.HTTP = map[string]any{"hostname": "updates.example.test", "url": name, "http_user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
			"http_content_type": "application/octet-stream", "http_method": "GET", "protocol": "HTTP/1.1", "status": 200, "length": 4096}
	}
	return g.write(&ev)
}

// alert writes the alert on an open file (no hash yet), and for one alert
// in 50 a policy incident: its id on the alert, then a summary line.
func (g *gen) alert(base eve.Event, k key, tx uint64, name string, size int64) error {
	g.keys[k] = true
	ev := base
	ev.EventType, ev.Direction, ev.TxID = "alert", "to_client", &tx
	ev.Alert = &eve.Alert{Action: "allowed", GID: 1, SignatureID: k.sid, Rev: 2, Signature: fmt.Sprintf("WIRESCAN inventory agent %d", k.sid), Category: "Misc activity", Severity: 3}
	ev.Files = []eve.FileInfo{{Filename: name, SID: []int{k.sid}, State: eve.StateOpen, Size: size / 2, TxID: tx}}
	ev.Wirescan = &eve.Extra{MatchOffsets: []int64{size / 2}, RuleFile: "/etc/wirescan/local.rules", RuleLine: k.sid - 9000000,
		EvidencePcap: fmt.Sprintf("%d.pcap", base.FlowID)}
	summary := g.rng.Intn(50) == 0
	if summary {
		g.incident++
		ev.Wirescan.IncidentID = g.incident
	}
	g.stats.Alerts++
	if err := g.write(&ev); err != nil {
		return err
	}
	if !summary {
		return nil
	}
	count := uint64(2 + g.rng.Intn(500))
	g.stats.Summaries++
	g.stats.SummaryHits += int64(count - 1)
	sum := eve.Event{Timestamp: g.now.Add(time.Second), EventType: "incident", SrcIP: k.server, DestIP: k.client,
		Alert: &eve.Alert{Action: "allowed", GID: 1, SignatureID: k.sid, Rev: 2, Signature: ev.Alert.Signature, Severity: 3},
		Wirescan: &eve.Extra{IncidentID: g.incident, IncidentCount: count, IncidentFirst: eve.FormatTime(g.now),
			IncidentLast: eve.FormatTime(g.now.Add(time.Second))}}
	return g.write(&sum)
}
