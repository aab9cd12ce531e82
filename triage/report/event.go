package report

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// eveLine holds the keys of an alert, incident or fileinfo event the
// report uses; every other key is skipped by the decoder. The names are
// Suricata's, plus wirescan's own "wirescan" object.
type eveLine struct {
	Timestamp string    `json:"timestamp"`
	FlowID    uint64    `json:"flow_id"`
	SrcIP     string    `json:"src_ip"`
	DestIP    string    `json:"dest_ip"`
	Direction string    `json:"direction"`
	TxID      *uint64   `json:"tx_id"`
	Host      string    `json:"host"`
	AppProto  string    `json:"app_proto"`
	Alert     *eveAlert `json:"alert"`
	// Flow is the flow summary Suricata 7 adds to alerts: its src_ip and
	// dest_ip are the flow's client and server.
	Flow *struct {
		SrcIP  string `json:"src_ip"`
		DestIP string `json:"dest_ip"`
	} `json:"flow"`
	Files    []eveFile `json:"files"`
	FileInfo *eveFile  `json:"fileinfo"`
	Wirescan *struct {
		RuleFile      string `json:"rule_file"`
		RuleLine      int    `json:"rule_line"`
		EvidencePcap  string `json:"evidence_pcap"`
		IncidentID    uint64 `json:"incident_id"`
		IncidentCount uint64 `json:"incident_count"`
		IncidentFirst string `json:"incident_first"`
		IncidentLast  string `json:"incident_last"`
	} `json:"wirescan"`
}

type eveAlert struct {
	GID         int    `json:"gid"`
	SignatureID int    `json:"signature_id"`
	Rev         int    `json:"rev"`
	Signature   string `json:"signature"`
}

type eveFile struct {
	Filename string  `json:"filename"`
	SID      []int   `json:"sid"`
	SHA256   string  `json:"sha256"`
	Size     int64   `json:"size"`
	TxID     *uint64 `json:"tx_id"`
}

// hit is one alert (or the hits an incident summary stands for) reduced to
// what grouping needs.
type hit struct {
	gid, sid, rev    int
	signature        string
	sha256, filename string
	size             int64
	client, server   string
	sensor, proto    string
	evidence, rule   string
	time             time.Time
	// flowID and txID locate the file for a later fileinfo (pending hash).
	flowID uint64
	txID   uint64
	hasTx  bool
}

// decodeLine decodes a full line; problem is "" when it decoded.
func decodeLine(line []byte, ev *eveLine) (problem string) {
	*ev = eveLine{}
	if err := json.Unmarshal(line, ev); err != nil {
		if te, ok := err.(*json.UnmarshalTypeError); ok {
			return fmt.Sprintf("field %q has the wrong type (%s, want %s)", te.Field, te.Value, te.Type)
		}
		return "invalid JSON: " + err.Error()
	}
	return ""
}

// parseTime parses an EVE timestamp (Suricata's layout, or RFC 3339). A
// year outside 1–9998 is refused like any bad timestamp: no capture carries
// one, and times near the ends of the range cannot be bucketed or written
// as RFC 3339 once moved to UTC.
func parseTime(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02T15:04:05-0700", s)
	if err != nil {
		t, err = time.Parse(time.RFC3339Nano, s)
	}
	if err != nil || t.Year() < 1 || t.Year() > 9998 {
		return time.Time{}, false
	}
	return t, true
}

// orient returns the client and server of an event. Suricata 7's flow
// object names them (src_ip is the client); otherwise direction says which
// way the bytes that fired went: to_client means the source is the server.
// Without either (older Suricata), the source is taken as the client.
func (ev *eveLine) orient() (client, server string) {
	if ev.Flow != nil && ev.Flow.SrcIP != "" && ev.Flow.DestIP != "" {
		return ev.Flow.SrcIP, ev.Flow.DestIP
	}
	if ev.Direction == "to_client" {
		return ev.DestIP, ev.SrcIP
	}
	return ev.SrcIP, ev.DestIP
}

// alertHit turns an alert event into a hit. The file is the alert's first
// file that lists the alert's sid (Suricata and wirescan fill files[].sid),
// else its first file.
func (ev *eveLine) alertHit(t time.Time) hit {
	a := ev.Alert
	h := hit{gid: a.GID, sid: a.SignatureID, rev: a.Rev, signature: a.Signature,
		sensor: ev.Host, proto: ev.AppProto, time: t, flowID: ev.FlowID}
	if h.gid == 0 {
		h.gid = 1
	}
	h.client, h.server = ev.orient()
	if ev.TxID != nil {
		h.txID, h.hasTx = *ev.TxID, true
	}
	if f := ev.alertFile(); f != nil {
		h.filename, h.sha256, h.size = f.Filename, f.SHA256, f.Size
		if f.TxID != nil {
			h.txID, h.hasTx = *f.TxID, true
		}
	}
	if w := ev.Wirescan; w != nil {
		h.evidence = w.EvidencePcap
		switch {
		case w.RuleFile != "" && w.RuleLine > 0:
			h.rule = w.RuleFile + ":" + strconv.Itoa(w.RuleLine)
		case w.RuleFile != "":
			h.rule = w.RuleFile
		}
	}
	return h
}

func (ev *eveLine) alertFile() *eveFile {
	for i := range ev.Files {
		for _, sid := range ev.Files[i].SID {
			if sid == ev.Alert.SignatureID {
				return &ev.Files[i]
			}
		}
	}
	if len(ev.Files) > 0 {
		return &ev.Files[0]
	}
	return nil
}

// summaryTimes returns an incident summary's first and last hit, falling
// back to the event's timestamp.
func (ev *eveLine) summaryTimes(ts time.Time) (first, last time.Time) {
	first, last = ts, ts
	if t, ok := parseTime(ev.Wirescan.IncidentFirst); ok {
		first = t
	}
	if t, ok := parseTime(ev.Wirescan.IncidentLast); ok {
		last = t
	}
	if last.Before(first) {
		first, last = last, first
	}
	return first, last
}

// timeLayout renders times in reports: RFC 3339 in UTC with microseconds,
// the precision of EVE timestamps.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeLayout)
}
