package threshold

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	src := `suppress gen_id 1, sig_id 2002087
suppress gen_id 1, sig_id 2002087, track by_src, ip 10.0.0.1
suppress gen_id 1, sig_id 7, track by_either, ip any
suppress gen_id 3, sig_id 9, track by_src, ip 10.0.0.1
threshold gen_id 1, sig_id 5, type limit, track by_src, count 1, seconds 60
threshold gen_id 1, sig_id 5, type limit, track by_src, count 2, seconds 60
threshold gen_id 0, sig_id 0, type limit, track by_src, count 1, seconds 60
event_filter gen_id 1, sig_id 0, type limit, track by_src, count 1, seconds 60
rate_filter gen_id 1, sig_id 8, track by_src, count 1, seconds 1, new_action drop, timeout 5
suppress gen_id 1, sig_id 7, track by_either, ip any
suppress gen_id 0, sig_id 0
suppress gen_id 1, sig_id 11, track by_src, ip 10.1.1.1
`
	cfg, err := Parse(strings.NewReader(src), "t.config", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"t.config:1: silences signature 1:2002087 for every address",
		"t.config:2: never applies: t.config:1 already silences",
		"t.config:3: silences signature 1:7 for every address",
		"t.config:4: gen_id 3: wirescan rules have gen_id 1 unless they set gid:3",
		"t.config:5: never applies: t.config:6 sets the threshold of the same signature",
		"t.config:8: never applies: the wildcard at t.config:7 comes first",
		"t.config:9: new_action drop: wirescan is a passive sensor",
		"t.config:10: duplicates t.config:3",
		"t.config:11: silences every signature for every address",
		"t.config:12: never applies: t.config:11 already silences",
	}
	got := cfg.Check()
	if len(got) != len(want) {
		t.Fatalf("got %d warnings, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("warning %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
	clean, _ := Parse(strings.NewReader("suppress gen_id 1, sig_id 5, track by_src, ip 10.0.0.1\nthreshold gen_id 1, sig_id 6, type limit, track by_src, count 1, seconds 60\n"), "c", nil)
	if w := clean.Check(); len(w) != 0 {
		t.Fatalf("warnings on a clean file: %v", w)
	}
}
