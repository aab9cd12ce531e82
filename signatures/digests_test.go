package signatures

import (
	"os"
	"path/filepath"
	"testing"
)

// TestDigests: a set reports exactly the digests its hash rules compare, so
// the engine can turn the others off without blinding a rule.
func TestDigests(t *testing.T) {
	dir := t.TempDir()
	lists := map[string]string{
		"a.md5":    "44d88612fea8a8f36de82e1278abb02f\n",
		"a.sha1":   "3395856ce81f2b7382dee72602f798b642f14140\n",
		"a.sha256": eicarSHA256 + "\n",
	}
	for name, body := range lists {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name, file, text string
		want             FileDigests
	}{
		{"content only", "c.rules", `alert http any any -> any any (msg:"x"; file_data; content:"abcdef"; sid:1;)`, FileDigests{}},
		{"filemd5", "m.rules", `alert http any any -> any any (msg:"x"; filemd5:a.md5; sid:1;)`, FileDigests{MD5: true}},
		{"negated filesha1", "s.rules", `alert http any any -> any any (msg:"x"; filesha1:!a.sha1; sid:1;)`, FileDigests{SHA1: true}},
		{"filesha256 with a transform", "t.rules", `alert http any any -> any any (msg:"x"; file_data; to_lowercase; content:"abc"; filesha256:a.sha256; sid:1;)`, FileDigests{SHA256: true}},
		{".hdb", "e.hdb", "44d88612fea8a8f36de82e1278abb02f:68:Eicar-Test", FileDigests{MD5: true}},
		{".hsb", "e.hsb", eicarSHA256 + ":*:Eicar-256", FileDigests{SHA256: true}},
		{".ndb", "e.ndb", "Test.Ndb.1:0:*:4142434445", FileDigests{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			if err := os.WriteFile(path, []byte(tc.text+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			s, _, err := Load([]string{path}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Digests(); got != tc.want {
				t.Fatalf("Digests() = %+v, want %+v", got, tc.want)
			}
		})
	}
	var none *Set
	if none.Digests() != (FileDigests{}) {
		t.Fatal("a nil set needs no digest")
	}
}
