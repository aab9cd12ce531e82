package eve_test

import (
	"time"

	"github.com/wirescan/wirescan/engine/eve"
)

// Sample events of every kind wirescan writes, shared by the schema and
// golden tests. The HTTP and SMB objects are maps shaped like the ones the
// protocol parsers return from app.Metadata.EVE().

func sampleTime() time.Time { return time.Date(2026, 1, 1, 0, 0, 1, 234567000, time.UTC) }

func u64(v uint64) *uint64 { return &v }
func i64(v int64) *int64   { return &v }
func boolp(v bool) *bool   { return &v }

func httpObject() map[string]any {
	return map[string]any{
		"hostname":          "files.example.test",
		"url":               "/downloads/eicar.com",
		"http_user_agent":   "curl/8.5.0",
		"http_content_type": "application/octet-stream",
		"http_method":       "GET",
		"protocol":          "HTTP/1.1",
		"status":            200,
		"length":            68,
	}
}

func smbObject() map[string]any {
	return map[string]any{
		"id":          3,
		"dialect":     "2.10",
		"command":     "SMB2_COMMAND_READ",
		"status":      "STATUS_SUCCESS",
		"status_code": "0x0",
		"session_id":  4398046511121,
		"tree_id":     1,
		"filename":    `docs\eicar.com`,
		"share":       `\\fileserver\public`,
		"fuid":        "00000001-0000-0000-0100-000000000000",
	}
}

func sampleFile(name string) eve.FileInfo {
	return eve.FileInfo{
		Filename: name,
		SID:      []int{1000001},
		Magic:    "EICAR virus test files",
		State:    eve.StateClosed,
		MD5:      "44d88612fea8a8f36de82e1278abb02f",
		SHA1:     "3395856ce81f2b7382dee72602f798b642f14140",
		SHA256:   "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
		Size:     68,
		TxID:     2,
	}
}

func tuple(ev *eve.Event) *eve.Event {
	ev.Timestamp = sampleTime()
	ev.FlowID = 1234567890123456
	ev.PcapCnt = 17
	ev.SrcIP, ev.SrcPort = "10.0.0.2", 80
	ev.DestIP, ev.DestPort = "10.0.0.1", 49152
	ev.Proto = "TCP"
	return ev
}

func sampleAlert() eve.Alert {
	return eve.Alert{
		Action:      "allowed",
		GID:         1,
		SignatureID: 1000001,
		Rev:         2,
		Signature:   "WIRESCAN EICAR test file",
		Category:    "Misc activity",
		Severity:    2,
		Metadata:    map[string][]string{"policy": {"test"}},
	}
}

func sampleExtra() *eve.Extra {
	return &eve.Extra{
		MatchOffsets:   []int64{0},
		RuleFile:       "rules/eicar.rules",
		RuleLine:       3,
		RulesetVersion: "2026-01-01.1",
		Engine:         "suricata",
		FileSeen:       68,
	}
}

// sampleEvents returns one event of each kind, keyed by a test name.
func sampleEvents() map[string]*eve.Event {
	httpAlert := sampleAlert()
	smbAlert := sampleAlert()
	httpFile := sampleFile("/downloads/eicar.com")
	httpFile.Start, httpFile.End = i64(0), i64(67)
	smbFile := sampleFile(`docs\eicar.com`)
	openFile := sampleFile("/big.bin")
	openFile.State, openFile.Storing = eve.StateOpen, boolp(true)
	return map[string]*eve.Event{
		"alert_http_files": tuple(&eve.Event{
			EventType: "alert", Direction: "to_client", TxID: u64(2), Alert: &httpAlert,
			AppProto: "http", HTTP: httpObject(), Files: []eve.FileInfo{httpFile, openFile},
			VLAN: []uint16{100}, Wirescan: sampleExtra(),
		}),
		"alert_smb": tuple(&eve.Event{
			EventType: "alert", Direction: "to_client", TxID: u64(3), Alert: &smbAlert,
			AppProto: "smb", SMB: smbObject(), Files: []eve.FileInfo{smbFile}, Wirescan: sampleExtra(),
		}),
		"fileinfo_http": tuple(&eve.Event{
			EventType: "fileinfo", TxID: u64(2), AppProto: "http", HTTP: httpObject(), FileInfo: &httpFile,
			Wirescan: &eve.Extra{FileSeen: 68},
		}),
		"fileinfo_smb": tuple(&eve.Event{
			EventType: "fileinfo", TxID: u64(3), AppProto: "smb", SMB: smbObject(), FileInfo: &smbFile,
		}),
		"anomaly": tuple(&eve.Event{
			EventType: "anomaly", TxID: u64(0), AppProto: "http",
			Anomaly: &eve.Anomaly{Type: "applayer", Event: "http.multiple_content_length", Layer: "proto_parser", AppProto: "http"},
		}),
		"flow": tuple(&eve.Event{
			EventType: "flow", AppProto: "http",
			Flow: &eve.Flow{
				PktsToServer: 6, PktsToClient: 5, BytesToServer: 480, BytesToClient: 1024,
				Start: sampleTime().Add(-time.Second), End: sampleTime(), Age: 1,
				State: "closed", Reason: "timeout", Alerted: true,
			},
		}),
		"stats": {
			Timestamp: sampleTime(), EventType: "stats",
			Stats: map[string]any{
				"uptime":  3,
				"decoder": map[string]any{"pkts": 11, "bytes": 1504},
				"tcp":     map[string]any{"sessions": 1, "reassembly_gap": 0},
			},
		},
	}
}
