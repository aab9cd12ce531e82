package nats

import (
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/output"
)

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want Target
		err  string
	}{
		{url: "nats://h/wirescan.eve", want: Target{Server: "nats://h:4222", Addr: "h:4222", Subject: "wirescan.eve", Stream: DefaultStream}},
		{url: "nats://u:p@h:4000/a.b?stream=EVE", want: Target{Server: "nats://u:p@h:4000", Addr: "h:4000", Subject: "a.b", Stream: "EVE"}},
		{url: "nats://h/a.*", err: "one literal subject"},
		{url: "nats://h/", err: "one literal subject"},
		{url: "nats:///x", err: "no host"},
		{url: "nats://h/x?stream=a.b", err: "not a valid stream name"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			spec, err := output.ReaderSpec(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseTarget(spec)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
	if MsgID(0x1234) != "0000000000001234" {
		t.Fatal(MsgID(0x1234))
	}
}
