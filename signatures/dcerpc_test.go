package signatures

import (
	"strings"
	"testing"
)

func TestParseDCERPCAndSMBKeywords(t *testing.T) {
	svcctl := "367abb81-9844-35f1-ad32-98f038001003"
	for _, tc := range []struct {
		name, line, err string
		check           func(*Rule) bool
	}{
		{name: "iface only", line: `alert smb any any -> any any (dcerpc.iface:` + svcctl + `; sid:1;)`,
			check: func(r *Rule) bool {
				return r.kind == kindTx && len(r.dce.ifaces) == 1 && r.dce.ifaces[0].op == 0 && r.PerDirection()
			}},
		{name: "iface version any_frag", line: `alert dcerpc any any -> any any (dcerpc.iface:` + svcctl + `,>1,any_frag; sid:1;)`,
			check: func(r *Rule) bool {
				c := r.dce.ifaces[0]
				return r.Proto == "dcerpc" && c.op == '>' && c.version == 1 && c.anyFrag
			}},
		{name: "opnum list and range", line: `alert tcp any any -> any any (dcerpc.opnum:12,26,6-19; sid:1;)`,
			check: func(r *Rule) bool {
				o := r.dce.opnums
				return len(o) == 3 && o[0] == opnumRange{12, 12} && o[2] == opnumRange{6, 19}
			}},
		{name: "stub data sticky", line: `alert smb any any -> any any (dcerpc.stub_data; content:"|15 00|"; sid:1;)`,
			check: func(r *Rule) bool { return r.kind == kindTx && r.bufs[0].name == stubDataBuf && r.PerDirection() }},
		{name: "smb.version", line: `alert smb any any -> any any (smb.version:2; sid:1;)`,
			check: func(r *Rule) bool {
				it := r.bufs[0].items[0]
				return r.bufs[0].name == "smb.version" && string(it.alts[0]) == "2" && it.startswith && it.endswith && r.PerDirection()
			}},
		{name: "ntlmssp sticky", line: `alert smb any any -> any any (smb.ntlmssp_user; content:"root"; smb.ntlmssp_domain; content:"X"; sid:1;)`,
			check: func(r *Rule) bool {
				return r.bufs[0].name == "smb.ntlmssp_user" && r.bufs[1].name == "smb.ntlmssp_domain" && !r.PerDirection()
			}},
		{name: "app-layer-event", line: `alert smb any any -> any any (app-layer-event:smb.file_overlap; sid:1;)`,
			check: func(r *Rule) bool { return r.event == "smb.file_overlap" && r.kind == kindTx && r.PerDirection() }},
		{name: "bad uuid", line: `alert smb any any -> any any (dcerpc.iface:367abb81-9844; sid:1;)`, err: "bad uuid"},
		{name: "bad iface option", line: `alert smb any any -> any any (dcerpc.iface:` + svcctl + `,~2; sid:1;)`, err: "bad option"},
		{name: "bad opnum range", line: `alert smb any any -> any any (dcerpc.opnum:9-3; sid:1;)`, err: "bad range"},
		{name: "opnum too big", line: `alert smb any any -> any any (dcerpc.opnum:70000; sid:1;)`, err: "bad value"},
		{name: "smb.version 3", line: `alert smb any any -> any any (smb.version:3; sid:1;)`, err: "want 1 or 2"},
		{name: "decoder event", line: `alert tcp any any -> any any (app-layer-event:overlap; sid:1;)`, err: "not supported"},
		{name: "event with file data", line: `alert smb any any -> any any (app-layer-event:smb.x; file_data; content:"a"; sid:1;)`,
			check: func(r *Rule) bool { return r.lateTest && r.event == "" && r.kind == kindFile && !r.PerDirection() }},
		{name: "stream-event suricata spelling", line: `alert tcp any any -> any any (stream-event:reassembly_overlap_different_data; sid:1;)`,
			check: func(r *Rule) bool { return r.event == "stream.overlap_different_data" && r.kind == kindTx }},
		{name: "stream-event same spelling", line: `alert tcp any any -> any any (stream-event:pkt_invalid_timestamp; sid:1;)`,
			check: func(r *Rule) bool { return r.event == "stream.pkt_invalid_timestamp" }},
		{name: "stream-event out of window", line: `alert tcp any any -> any any (stream-event:est_packet_out_of_window; sid:1;)`,
			check: func(r *Rule) bool { return r.event == "stream.seq_out_of_window" }},
		{name: "stream-event empty", line: `alert tcp any any -> any any (stream-event:; sid:1;)`, err: "bad value"},
		{name: "stream-event dotted", line: `alert tcp any any -> any any (stream-event:stream.x; sid:1;)`, err: "bad value"},
		{name: "two events", line: `alert tcp any any -> any any (stream-event:a; app-layer-event:http.b; sid:1;)`, err: "more than one"},
		{name: "stream-event with content", line: `alert tcp any any -> any any (stream-event:a; content:"x"; sid:1;)`,
			check: func(r *Rule) bool {
				return r.lateTest && r.kind == kindStream && r.flowbits[0].names[0] == " event:stream.a"
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRule(tc.line)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tc.check(r) {
				t.Fatalf("unexpected rule %+v", r)
			}
		})
	}
}

func TestMatchDCERPCTransaction(t *testing.T) {
	svcctl := "\x36\x7a\xbb\x81\x98\x44\x35\xf1\xad\x32\x98\xf0\x38\x00\x10\x03"
	s := mustSet(t, Options{},
		`alert smb any any -> any any (dcerpc.iface:367abb81-9844-35f1-ad32-98f038001003; dcerpc.opnum:15; sid:1;)`,
		`alert dcerpc any any -> any any (dcerpc.iface:367abb81-9844-35f1-ad32-98f038001003,=2; sid:2;)`,
		`alert smb any any -> any any (dcerpc.iface:367abb81-9844-35f1-ad32-98f038001003,<2; sid:3;)`,
		`alert tcp any any -> any any (dcerpc.opnum:10-20; sid:4;)`,
		`alert smb any any -> any any (dcerpc.opnum:16; sid:5;)`,
		`alert smb any any -> any any (dcerpc.stub_data; content:"abc"; sid:6;)`,
		`alert smb any any -> any any (smb.version:2; sid:7;)`,
		`alert smb any any -> any any (app-layer-event:smb.file_overlap; sid:8;)`,
		`alert http any any -> any any (dcerpc.opnum:15; sid:9;)`)
	for _, tc := range []struct {
		name     string
		toServer bool
		bufs     mapBuffers
		want     string
	}{
		{"request to server", true, mapBuffers{"dcerpc.opnum": "\x00\x0f", "dcerpc.iface": svcctl + "\x00\x02",
			"dcerpc.stub_data.to_server": "xabcx", "smb.version": "2"}, "[1 2 4 6 7]"},
		{"response direction reads the response stub", false, mapBuffers{"dcerpc.opnum": "\x00\x0f", "dcerpc.iface": svcctl + "\x00\x02",
			"dcerpc.stub_data.to_server": "abc", "dcerpc.stub_data.to_client": "zzz"}, "[1 2 4]"},
		{"interface not accepted", true, mapBuffers{"dcerpc.opnum": "\x00\x0f", "dcerpc.iface": ""}, "[4]"},
		{"not a dcerpc request", true, mapBuffers{"smb.version": "1"}, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := &Context{Proto: "smb", ToServer: tc.toServer, Buffers: tc.bufs}
			if got := sids(s.MatchTransaction(ctx)); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestMatchEvent(t *testing.T) {
	s := mustSet(t, Options{},
		`alert smb any any -> any any (app-layer-event:smb.file_overlap; sid:1;)`,
		`alert http any any -> any any (app-layer-event:http.multiple_content_length; sid:2;)`,
		`alert smb any any -> any any (flow:to_client; app-layer-event:smb.file_overlap; sid:3;)`,
		`alert smb any any -> any any (smb.version:2; sid:4;)`,
		`alert tcp any any -> any any (stream-event:reassembly_overlap_different_data; sid:5;)`,
		`alert tcp any any -> any any (stream-event:pkt_invalid_timestamp; sid:6;)`,
		`alert http any any -> any any (flow:to_server; stream-event:pkt_invalid_timestamp; sid:7;)`)
	for _, tc := range []struct {
		name, proto, event string
		toServer           bool
		want               string
	}{
		{"smb event", "smb", "smb.file_overlap", true, "[1]"},
		{"smb event to client", "smb", "smb.file_overlap", false, "[1 3]"},
		{"tracker alias", "smb", "file.overlap_different_data", true, "[1]"},
		{"alias needs the protocol", "http", "file.overlap_different_data", true, "[]"},
		{"http event", "http", "http.multiple_content_length", true, "[2]"},
		{"other protocol", "http", "smb.file_overlap", true, "[]"},
		{"empty name", "smb", "", true, "[]"},
		{"stream overlap", "http", "stream.overlap_different_data", true, "[5]"},
		{"stream event before detection", "", "stream.overlap_different_data", false, "[5]"},
		{"stream timestamp to server", "http", "stream.pkt_invalid_timestamp", true, "[6 7]"},
		{"stream timestamp to client", "http", "stream.pkt_invalid_timestamp", false, "[6]"},
		{"suricata spelling is not raised", "http", "stream.reassembly_overlap_different_data", true, "[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := &Context{Proto: tc.proto, ToServer: tc.toServer, Buffers: mapBuffers{"smb.version": "2"}}
			if got := sids(s.MatchEvent(ctx, tc.event)); got != tc.want {
				t.Fatalf("got %s, want %s", got, tc.want)
			}
		})
	}
	ctx := &Context{Proto: "smb", ToServer: true, Buffers: mapBuffers{"smb.version": "2"}}
	if got := sids(s.MatchTransaction(ctx)); got != "[4]" {
		t.Fatalf("MatchTransaction must skip event rules: got %s", got)
	}
}
