package signatures

import (
	"os"
	"path/filepath"
	"testing"
)

// TestMixedStreamAndFileData: a rule with raw stream content and file_data
// matches a file when its stream part was seen in the file's direction of
// the connection, before the file's content or by the file's end.
func TestMixedStreamAndFileData(t *testing.T) {
	rules := []string{
		`alert http any any -> any any (msg:"mixed"; content:"STREAMPART"; file_data; content:"FILEPART"; sid:1;)`,
		`alert http any any -> any any (msg:"file only"; file_data; content:"FILEPART"; sid:2;)`,
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "mixed.rules")
	if err := os.WriteFile(path, []byte(rules[0]+"\n"+rules[1]+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	plain := mustSet(t, Options{}, rules...)
	c := NewCache(t.TempDir(), 0)
	if _, _, err := Load([]string{path}, Options{Cache: c}); err != nil {
		t.Fatal(err)
	}
	cached, _, err := Load([]string{path}, Options{Cache: c})
	if err != nil || !cached.Stats().Cached {
		t.Fatalf("cached load: %v", err)
	}
	cases := []struct {
		name   string
		stream string // raw stream bytes of the file's direction
		other  string // raw stream bytes of the other direction
		late   bool   // the stream bytes arrive after the file's bytes (before its end)
		want   string
	}{
		{"stream part before the file", "HTTP/1.1 200 OK\r\n\r\n..STREAMPART..FILEPART", "", false, "[1 2]"},
		{"stream part before the file's end", "..STREAMPART..", "", true, "[2 1]"}, // 1 at End
		{"stream part in the other direction", "", "GET /STREAMPART HTTP/1.1\r\n", false, "[2]"},
		{"no stream part", "HTTP/1.1 200 OK\r\n\r\nFILEPART", "", false, "[2]"},
	}
	for _, set := range []*Set{plain, cached} {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				flow := NewFlowState()
				toClient := &Context{Proto: "http", Established: true, Flow: flow}
				toServer := &Context{Proto: "http", ToServer: true, Established: true, Flow: flow}
				stream := set.NewScanner(Stream, toClient)
				set.NewScanner(Stream, toServer).Write([]byte(tc.other))
				if !tc.late {
					if ms := stream.Write([]byte(tc.stream)); len(ms) != 0 {
						t.Fatalf("the stream part alerted: %v", sids(ms))
					}
				}
				file := set.NewScanner(FileData, toClient)
				got := append([]Match(nil), file.Write([]byte("<html>FILEPART</html>"))...)
				if tc.late {
					stream.Write([]byte(tc.stream))
				}
				got = append(got, file.End(FileFacts{Size: 21})...)
				if g := sids(got); g != tc.want {
					t.Fatalf("matched %s, want %s", g, tc.want)
				}
				if ms := stream.End(FileFacts{}); len(ms) != 0 {
					t.Fatalf("the stream part alerted at End: %v", sids(ms))
				}
			})
		}
	}
	for _, bad := range []string{
		`alert http any any -> any any (content:"GET"; depth:3; file_data; content:"x"; sid:9;)`,
		`alert tcp any any -> any any (content:"a"; isdataat:5; file_data; content:"x"; sid:9;)`,
	} {
		if _, err := ParseRule(bad); err == nil {
			t.Errorf("%s: loaded", bad)
		}
	}
	if len(plain.Rules()) != 2 {
		t.Errorf("Rules() lists %d rules: the stream part must stay hidden", len(plain.Rules()))
	}
}
