package eve_test

import (
	"os"
	"time"

	"github.com/wirescan/wirescan/engine/eve"
)

// An alert is written as one EVE JSON line.
func ExampleWriter() {
	w := eve.NewWriter(os.Stdout)
	txID := uint64(0)
	_ = w.Write(&eve.Event{
		Timestamp: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		EventType: "alert",
		SrcIP:     "192.0.2.1", SrcPort: 80, DestIP: "192.0.2.2", DestPort: 40000, Proto: "TCP",
		TxID:  &txID,
		Alert: &eve.Alert{Action: "allowed", GID: 1, SignatureID: 1990001, Rev: 1, Signature: "EICAR test file", Severity: 3},
	})
	_ = w.Flush()
	// Output:
	// {"timestamp":"2026-01-01T00:00:00.000000+0000","event_type":"alert","src_ip":"192.0.2.1","src_port":80,"dest_ip":"192.0.2.2","dest_port":40000,"proto":"TCP","tx_id":0,"alert":{"action":"allowed","gid":1,"signature_id":1990001,"rev":1,"signature":"EICAR test file","severity":3}}
}
