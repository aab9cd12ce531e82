package signatures

import (
	"testing"
)

func TestExplain(t *testing.T) {
	cases := []struct {
		name, rule, buf string
		data            string
		base, end       int64
		want            [][2]int64 // per part: start, end
		located         bool
	}{
		{"two contents in a chain", `alert http any any -> any any (file_data; content:"RemoteAdmin"; content:"ServiceInstall"; distance:0; within:20; sid:1;)`,
			FileDataBuffer, "xxRemoteAdmin::ServiceInstallyy", 0, 29, [][2]int64{{2, 13}, {15, 29}}, true},
		{"the occurrence that completes at the match", `alert http any any -> any any (file_data; content:"ab"; content:"cd"; distance:0; within:4; sid:1;)`,
			FileDataBuffer, "ab..cd....ab.cd", 0, 15, [][2]int64{{10, 12}, {13, 15}}, true},
		{"a window of a file", `alert http any any -> any any (file_data; content:"MZ"; depth:2; content:"evil"; sid:1;)`,
			FileDataBuffer, "MZ....evil", 1000, 1010, [][2]int64{{-1, -1}, {1006, 1010}}, false},
		{"offset counted in the file", `alert http any any -> any any (file_data; content:"evil"; offset:1004; sid:1;)`,
			FileDataBuffer, "....evil", 1000, 1008, [][2]int64{{1004, 1008}}, true},
		{"nocase and negation", `alert http any any -> any any (file_data; content:"POWERSHELL"; nocase; content:!"signed"; distance:0; sid:1;)`,
			FileDataBuffer, "run powershell -enc", 0, -1, [][2]int64{{4, 14}, {-1, -1}}, true},
		{"a protocol buffer", `alert http any any -> any any (http.uri; content:"/admin"; content:".php"; distance:0; sid:1;)`,
			"http.uri", "/x/admin/panel.php?id=1", 0, -1, [][2]int64{{2, 8}, {14, 18}}, true},
		{"pcre", `alert http any any -> any any (http.uri; content:"/dl/"; pcre:"/\/dl\/[0-9]+\.exe/"; sid:1;)`,
			"http.uri", "/dl/1234.exe", 0, -1, [][2]int64{{0, 4}, {0, 12}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseRule(tc.rule)
			if err != nil {
				t.Fatal(err)
			}
			parts, located := r.Explain(tc.buf, []byte(tc.data), tc.base, tc.end)
			if located != tc.located || len(parts) != len(tc.want) {
				t.Fatalf("located %v, parts %+v", located, parts)
			}
			for i, p := range parts {
				if p.Start != tc.want[i][0] || p.End != tc.want[i][1] {
					t.Errorf("part %d %s: [%d,%d), want %v", i, p.Pattern, p.Start, p.End, tc.want[i])
				}
			}
		})
	}
}

func TestContentNotation(t *testing.T) {
	for in, want := range map[string]string{"abc": "abc", "MZ\x90\x00": "MZ|90 00|", "a|b": "a|7c|b", "\x00x\x01": "|00|x|01|"} {
		if got := contentNotation([]byte(in)); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}
