package redis

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
		{url: "redis://h/eve", want: Target{Addr: "h:6379", Key: "eve", Mode: ModeList, MaxLen: DefaultMaxLen}},
		{url: "redis://u:p@h:7000/a:b?mode=stream&maxlen=10&db=2", want: Target{Addr: "h:7000", Username: "u", Password: "p", Key: "a:b", Mode: ModeStream, MaxLen: 10, DB: 2}},
		{url: "redis://:p@h:7000/k?mode=channel", want: Target{Addr: "h:7000", Password: "p", Key: "k", Mode: ModeChannel, MaxLen: DefaultMaxLen}},
		{url: "redis://p@[::1]:7000/k", want: Target{Addr: "[::1]:7000", Password: "p", Key: "k", Mode: ModeList, MaxLen: DefaultMaxLen}},
		{url: "redis://h:6379/", err: "no key"},
		{url: "redis:///k", err: "no host"},
		{url: "redis://h/k?mode=lpush", err: `mode="lpush"`},
	} {
		t.Run(tc.url, func(t *testing.T) {
			spec, err := output.ReaderSpec(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			got, err := parseTarget(spec)
			if err == nil {
				err = spec.CheckParams()
			}
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
}
