package thresholdspec

import (
	"strings"
	"testing"
)

// Examples from Suricata's "Thresholding Keywords" page and the rules it
// cites (ET 2002087, 2010706, 2003194, 2011807, 2210045).
func TestParseKeywordDocumentedExamples(t *testing.T) {
	for _, tc := range []struct {
		kw, val string
		want    Spec
	}{
		{"threshold", "type threshold, track by_src, count 10, seconds 60", Spec{Type: Threshold, Track: BySrc, Count: 10, Seconds: 60}},
		{"threshold", "type limit, track by_src, seconds 180, count 1", Spec{Type: Limit, Track: BySrc, Count: 1, Seconds: 180}},
		{"threshold", "type both, track by_src, count 5, seconds 360", Spec{Type: Both, Track: BySrc, Count: 5, Seconds: 360}},
		{"threshold", "type backoff, track by_flow, count 1, multiplier 10", Spec{Type: Backoff, Track: ByFlow, Count: 1, Multiplier: 10}},
		{"threshold", "type limit, track by_rule, count 1, seconds 60", Spec{Type: Limit, Track: ByRule, Count: 1, Seconds: 60}},
		{"threshold", "type threshold,track by_both,count 3,seconds 5", Spec{Type: Threshold, Track: ByBoth, Count: 3, Seconds: 5}},
		{"threshold", " type\tlimit ,  track by_dst , count 2 , seconds 1 ", Spec{Type: Limit, Track: ByDst, Count: 2, Seconds: 1}},
		{"detection_filter", "track by_src,count 15,seconds 2", Spec{Type: DetectionFilter, Track: BySrc, Count: 15, Seconds: 2}},
		{"detection_filter", "track by_dst, count 5, seconds 300", Spec{Type: DetectionFilter, Track: ByDst, Count: 5, Seconds: 300}},
	} {
		t.Run(tc.kw+"/"+tc.val, func(t *testing.T) {
			got, err := ParseKeyword(tc.kw, tc.val)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			// String writes what parses back to the same spec.
			again, err := ParseKeyword(got.Keyword(), got.String())
			if err != nil || again != got {
				t.Fatalf("round trip of %q: %+v, %v", got.String(), again, err)
			}
		})
	}
}

func TestParseKeywordErrors(t *testing.T) {
	for _, tc := range []struct {
		kw, val, want string
	}{
		{"threshold", "type limit, track by_host, count 1, seconds 60", `unknown track "by_host" (want by_src, by_dst, by_rule, by_both, by_flow)`},
		{"threshold", "type often, track by_src, count 1, seconds 60", `unknown type "often" (want limit, threshold, both, backoff)`},
		{"threshold", "track by_src, count 1, seconds 60", `missing field "type"`},
		{"threshold", "type limit, count 1, seconds 60", `missing field "track"`},
		{"threshold", "type limit, track by_src, seconds 60", `missing field "count"`},
		{"threshold", "type limit, track by_src, count 1", `missing field "seconds"`},
		{"threshold", "type limit, track by_src, count 1, seconds 60, count 2", `field "count" given twice`},
		{"threshold", "type limit, track by_src, count x, seconds 60", `bad count "x": want a whole number from 1 to 4294967295`},
		{"threshold", "type limit, track by_src, count 0, seconds 60", `bad count "0"`},
		{"threshold", "type limit, track by_src, count 1, seconds -1", `bad seconds "-1"`},
		{"threshold", "type limit, track by_src, count 1, seconds 4294967296", `bad seconds "4294967296"`},
		{"threshold", "type limit, track by_src, count 1, seconds 60, flavour sweet", `unknown field "flavour"`},
		{"threshold", "type limit, track by_src, count 1, seconds 60,", `empty field`},
		{"threshold", "type limit, track, count 1, seconds 60", `field "track" has no value`},
		{"threshold", "type limit, track by_src, count 1, multiplier 2", `multiplier applies only to type backoff`},
		{"threshold", "type backoff, track by_src, count 1, multiplier 2", `type backoff needs track by_flow`},
		{"threshold", "type backoff, track by_flow, count 1, seconds 2", `type backoff takes a multiplier, not seconds`},
		{"threshold", "type backoff, track by_flow, count 1, multiplier 1", `bad multiplier "1"`},
		{"detection_filter", "type limit, track by_src, count 1, seconds 60", `unknown field "type"`},
		{"detection_filter", "track by_src, count 1, seconds 60, unique_on dst_port", `detection_filter option "unique_on" not supported`},
		{"threshold", "type limit, track [by_src, count 1", `unbalanced '['`},
	} {
		_, err := ParseKeyword(tc.kw, tc.val)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %q: got %v, want %q", tc.kw, tc.val, err, tc.want)
		}
	}
}

func TestFieldsKeepsBracketedLists(t *testing.T) {
	fs, err := Fields("track by_src, ip [192.168.0.0/16, 10.0.0.0/8,!10.1.0.0/16]")
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[1] != (Field{"ip", "[192.168.0.0/16, 10.0.0.0/8,!10.1.0.0/16]"}) {
		t.Fatalf("got %q", fs)
	}
}

func FuzzParseKeyword(f *testing.F) {
	for _, s := range []string{
		"type threshold, track by_src, count 10, seconds 60",
		"type backoff, track by_flow, count 1, multiplier 10",
		"track by_src,count 15,seconds 2",
		"type limit, track [a,[b]], count 1",
		",,", "type", "count 99999999999999999999",
	} {
		f.Add("threshold", s)
		f.Add("detection_filter", s)
	}
	f.Fuzz(func(t *testing.T, kw, val string) {
		s, err := ParseKeyword(kw, val)
		if err != nil {
			return
		}
		if s.Count == 0 || (s.Type == Backoff) != (s.Multiplier > 0) || (s.Type == Backoff) == (s.Seconds > 0) {
			t.Fatalf("%q accepted with an invalid spec %+v", val, s)
		}
		again, err := ParseKeyword(s.Keyword(), s.String())
		if err != nil || again != s {
			t.Fatalf("round trip of %q (%q): %+v, %v", val, s.String(), again, err)
		}
	})
}
