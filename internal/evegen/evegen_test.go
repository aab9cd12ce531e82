package evegen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestWriteIsDeterministicAndCounted: the same seed gives the same bytes,
// and Stats counts exactly what is in them.
func TestWriteIsDeterministicAndCounted(t *testing.T) {
	var a, b bytes.Buffer
	cfg := Config{Bytes: 1 << 20, Seed: 7, Incidents: 50, FlowsPerAlert: 3}
	st, err := Write(&a, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Write(&b, cfg); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("two runs with one seed differ")
	}
	if st.Bytes != int64(a.Len()) || st.Bytes < cfg.Bytes {
		t.Fatalf("stats say %d bytes, wrote %d (asked %d)", st.Bytes, a.Len(), cfg.Bytes)
	}
	var lines, alerts, summaries int64
	keys := map[string]bool{}
	for _, l := range bytes.Split(bytes.TrimSuffix(a.Bytes(), []byte("\n")), []byte("\n")) {
		var ev struct {
			EventType string `json:"event_type"`
			SrcIP     string `json:"src_ip"`
			DestIP    string `json:"dest_ip"`
			Alert     struct {
				SignatureID int `json:"signature_id"`
			} `json:"alert"`
			Files []struct {
				Filename string `json:"filename"`
			} `json:"files"`
		}
		if err := json.Unmarshal(l, &ev); err != nil {
			t.Fatalf("line %d: %v", lines+1, err)
		}
		lines++
		switch ev.EventType {
		case "alert":
			alerts++
			name := ev.Files[0].Filename // the same file is /downloads/x over HTTP, deploy\x over SMB
			name = name[strings.LastIndexAny(name, `/\`)+1:]
			keys[fmt.Sprint(ev.Alert.SignatureID, ev.SrcIP, ev.DestIP, name)] = true
		case "incident":
			summaries++
		}
	}
	if lines != st.Lines || alerts != st.Alerts || summaries != st.Summaries || alerts == 0 || len(keys) != st.Keys {
		t.Fatalf("file: %d lines, %d alerts, %d summaries, %d keys; stats %+v", lines, alerts, summaries, len(keys), st)
	}
}
