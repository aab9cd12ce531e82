package pcapgen

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testdataDir is the repository's testdata directory, relative to this
// package.
const testdataDir = "../../testdata"

func render(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := Render()
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestRenderIsDeterministic(t *testing.T) {
	a, b := render(t), render(t)
	if len(a) != len(b) {
		t.Fatalf("runs produced %d and %d files", len(a), len(b))
	}
	for name, data := range a {
		if !bytes.Equal(data, b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

// TestTestdataIsFresh fails when the committed testdata no longer matches the
// generator.
func TestTestdataIsFresh(t *testing.T) {
	for name, want := range render(t) {
		got, err := os.ReadFile(filepath.Join(testdataDir, name))
		if err != nil {
			t.Errorf("%v (run make testdata)", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("testdata/%s is stale: run make testdata", name)
		}
	}
}

// TestScenarioStreams reassembles every connection of every capture and
// checks the streams are complete and carry the expected files: EICAR
// appears in a server-to-client stream exactly where expected, and every
// file that travels unencoded appears verbatim in some stream.
func TestScenarioStreams(t *testing.T) {
	files := render(t)
	var expected map[string][]ExpectedFile
	if err := json.Unmarshal(files[ExpectedName], &expected); err != nil {
		t.Fatal(err)
	}
	for _, s := range Testdata() {
		t.Run(s.Name, func(t *testing.T) {
			var buf bytes.Buffer
			if _, err := s.Write(&buf); err != nil {
				t.Fatal(err)
			}
			p := parseCapture(t, buf.Bytes())
			var all [][]byte
			for _, k := range p.order {
				st := p.streams[k]
				if st.conflict != nil {
					t.Fatal(st.conflict)
				}
				reset := st.rstSeen || p.streams[k.reverse()] != nil && p.streams[k.reverse()].rstSeen
				if !st.synSeen || !st.finSeen && !reset {
					t.Errorf("%v: syn=%v fin=%v rst=%v", k, st.synSeen, st.finSeen, reset)
				}
				data, missing := st.reassemble()
				if missing != 0 {
					t.Errorf("%v: %d bytes missing", k, missing)
				}
				all = append(all, data)
			}
			joined := bytes.Join(all, nil)
			exp := expected[s.Name]
			if len(exp) == 0 {
				t.Fatal("no expected files")
			}
			alerts := 0
			for _, f := range exp {
				if f.Alert {
					alerts++
				}
				if f.Encoding != "" || f.Joined {
					if f.Alert {
						alerts-- // EICAR is encoded, or split over connections, on the wire
					}
					continue
				}
				if !containsFileWithHash(joined, f) {
					t.Errorf("%s (%d bytes, sha256 %s) not found in any stream", f.Filename, f.Size, f.SHA256)
				}
			}
			if got := bytes.Count(joined, []byte(EICAR)); got != alerts {
				t.Errorf("EICAR appears %d times in the streams, %d expected files alert", got, alerts)
			}
		})
	}
}

// containsFileWithHash reports whether some window of data of f.Size bytes
// hashes to f.SHA256. SMB files larger than a READ are split by headers, so
// for them the tshark export test checks them instead.
func containsFileWithHash(data []byte, f ExpectedFile) bool {
	if f.AppProto == "smb" && f.Size > smb1Chunk {
		return true // split by SMB1/SMB2 headers: checked by the tshark export test
	}
	for i := 0; i+int(f.Size) <= len(data); i++ {
		sum := sha256.Sum256(data[i : i+int(f.Size)])
		if hex.EncodeToString(sum[:]) == f.SHA256 {
			return true
		}
	}
	return false
}

func TestReadmeListsEveryFile(t *testing.T) {
	files := render(t)
	readme := string(files["README.md"])
	var expected map[string][]ExpectedFile
	if err := json.Unmarshal(files[ExpectedName], &expected); err != nil {
		t.Fatal(err)
	}
	for capture, fs := range expected {
		if !strings.Contains(readme, "## "+capture) {
			t.Errorf("README lacks a section for %s", capture)
		}
		for _, f := range fs {
			if !strings.Contains(readme, f.SHA256) {
				t.Errorf("README lacks %s of %s", f.SHA256, f.Filename)
			}
		}
	}
}
