package threshold

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzParse: any input parses without panic; read a byte at a time it gives
// the same result as whole; every error names the file and a line; every
// entry written back with String parses to the same entry.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"suppress gen_id 1, sig_id 2002087, track by_src, ip 209.132.180.67\n",
		"suppress gen_id 1, sig_id 2003614, track by_src, ip [192.168.0.0/16,10.0.0.0/8,!10.1.0.0/16]\n",
		"suppress gen_id 1, sig_id 2003614, track by_either, ip $HOME_NET\n",
		"threshold gen_id 1, sig_id 2002087, type both, track by_src, count 3, seconds 5\n",
		"event_filter gen_id 0, sig_id 0, type limit, track by_rule, count 1, seconds 60\n",
		"rate_filter gen_id 1, sig_id 1000, track by_rule, count 100, seconds 60, \\\n    new_action alert, timeout 30\n",
		"# comment\n\n  \\\n\\\n",
		"suppress gen_id 1, sig_id 1 # c\r\nbogus\n",
		"threshold gen_id 1, sig_id 1, type limit, track by_host, count 1, seconds 1",
		"suppress gen_id 1, sig_id 1, track by_src, ip [[[[1.2.3.4]]]]",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		whole, err1 := Parse(strings.NewReader(src), "f", testVars)
		bytewise, err2 := Parse(iotest.OneByteReader(strings.NewReader(src)), "f", testVars)
		if (err1 == nil) != (err2 == nil) || err1 != nil && err1.Error() != err2.Error() {
			t.Fatalf("errors differ: %v / %v", err1, err2)
		}
		if !reflect.DeepEqual(entryStrings(whole), entryStrings(bytewise)) {
			t.Fatalf("entries differ byte-at-a-time")
		}
		var errs Errors
		if err1 != nil {
			if !errors.As(err1, &errs) {
				t.Fatalf("not Errors: %v", err1)
			}
			for _, e := range errs {
				if e.File != "f" || e.Line < 1 || !strings.HasPrefix(e.Error(), "threshold: f:") {
					t.Fatalf("bad error %q", e.Error())
				}
			}
		}
		for _, e := range whole.Entries {
			if e.Line < 1 {
				t.Fatalf("entry without line: %+v", e)
			}
			again, err := Parse(strings.NewReader(e.String()), "g", testVars)
			if err != nil || len(again.Entries) != 1 || again.Entries[0].String() != e.String() || again.Entries[0].Spec != e.Spec {
				t.Fatalf("%q does not round-trip: %v", e.String(), err)
			}
		}
	})
}

func entryStrings(c *Config) []string {
	var out []string
	for _, e := range c.Entries {
		out = append(out, e.Where()+" "+e.String())
	}
	return out
}
