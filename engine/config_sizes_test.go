package engine

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/internal/bytesize"
)

// byteKeys are the keys that take sizes with units; README's Configuration
// section names them by these patterns.
var byteKeys = []string{
	"app-layer-memcap",
	"capture.max-record-bytes",
	"decode.max-fragment-bytes",
	"evidence.max-bytes-per-flow",
	"evidence.memcap",
	"files.history-bytes",
	"files.in-order-history-bytes",
	"files.max-buffered-bytes",
	"files.max-file-offset",
	"files.max-join-waiting-bytes",
	"files.max-window-bytes",
	"filestore.max-file-bytes",
	"flow.embryonic-memcap",
	"flow.memcap",
	"http.max-chunk-line",
	"http.max-decompress-window",
	"http.max-decompressed-bytes",
	"http.max-header-bytes",
	"probe-bytes",
	"smb.max-dcerpc-stub-bytes",
	"smb.max-header-buffer",
	"smb.max-read-write-bytes",
	"smb.max-record-bytes",
	"stream-memcap",
	"stream.history-bytes",
	"stream.max-buffered-bytes",
}

// configLeaves returns every leaf key of t with its field, walking nested
// structs as the YAML decoder does.
func configLeaves(t reflect.Type, prefix string) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for _, f := range yamlFields(derefType(t)) {
		key := f.name
		if prefix != "" {
			key = prefix + "." + f.name
		}
		ft := derefType(f.f.Type)
		if ft.Kind() == reflect.Struct && ft.PkgPath() != "time" {
			for k, v := range configLeaves(ft, key) {
				out[k] = v
			}
			continue
		}
		out[key] = f.f
	}
	return out
}

// configField returns the field of c that a dotted key names.
func configField(t *testing.T, c *Config, key string) reflect.Value {
	t.Helper()
	v := reflect.ValueOf(c).Elem()
next:
	for _, part := range strings.Split(key, ".") {
		for _, f := range yamlFields(v.Type()) {
			if f.name == part {
				v = v.FieldByIndex(f.f.Index)
				continue next
			}
		}
		t.Fatalf("no key %s", key)
	}
	return v
}

// TestByteValuedKeys: exactly the byte-valued fields are tagged, each an
// integer; a new *-bytes or *memcap key without the tag fails here.
func TestByteValuedKeys(t *testing.T) {
	var tagged, looksBytes []string
	for key, f := range configLeaves(reflect.TypeFor[Config](), "") {
		isTagged := f.Tag.Get(sizeTag) == sizeTagBytes
		if isTagged {
			tagged = append(tagged, key)
			if k := f.Type.Kind(); k != reflect.Int && k != reflect.Int64 {
				t.Errorf("%s is tagged as bytes but is a %s", key, f.Type)
			}
		}
		if strings.HasSuffix(key, "bytes") || strings.HasSuffix(key, "memcap") || isTagged {
			looksBytes = append(looksBytes, key)
		}
	}
	slices.Sort(tagged)
	slices.Sort(looksBytes)
	if !slices.Equal(tagged, byteKeys) {
		t.Errorf("byte-valued keys\n got %v\nwant %v", tagged, byteKeys)
	}
	if !slices.Equal(looksBytes, tagged) {
		t.Errorf("keys named like sizes %v, tagged %v", looksBytes, tagged)
	}
}

// TestConfigSetSizes sets every byte-valued key with a unit, and one key
// in every accepted spelling.
func TestConfigSetSizes(t *testing.T) {
	c := DefaultConfig()
	for _, key := range byteKeys {
		if err := c.Set(key + "=3KiB"); err != nil {
			t.Fatalf("Set(%s=3KiB): %v", key, err)
		}
		if got := configField(t, &c, key).Int(); got != 3<<10 {
			t.Errorf("%s=3KiB gave %d", key, got)
		}
	}
	for _, tc := range []struct {
		val  string
		want int64
	}{
		{"67108864", 64 << 20},
		{"64MiB", 64 << 20},
		{"64mb", 64 << 20},
		{"64M", 64 << 20},
		{"64 MiB", 64 << 20},
		{"' 64MiB '", 64 << 20},
		{`"64MiB"`, 64 << 20},
		{"1.5GiB", 3 << 29},
		{"1T", 1 << 40},
		{"0", 0},
		// YAML's other integer notations, accepted before units were.
		{"0x100", 256},
		{"0o17", 15},
		{"1_000", 1000},
		{"1e6", 1000000},
	} {
		c := DefaultConfig()
		if err := c.Set("flow.memcap=" + tc.val); err != nil {
			t.Errorf("Set(flow.memcap=%s): %v", tc.val, err)
			continue
		}
		if c.Flow.Memcap != tc.want {
			t.Errorf("flow.memcap=%s gave %d, want %d", tc.val, c.Flow.Memcap, tc.want)
		}
		if c.Flow.EmbryonicMemcap != DefaultConfig().Flow.EmbryonicMemcap {
			t.Errorf("flow.memcap=%s changed a sibling", tc.val)
		}
	}
	// A nested mapping given whole.
	if err := c.Set("flow={memcap: 64MiB, embryonic-memcap: 8MiB}"); err != nil {
		t.Fatal(err)
	}
	if c.Flow.Memcap != 64<<20 || c.Flow.EmbryonicMemcap != 8<<20 {
		t.Fatalf("flow={...} gave %d, %d", c.Flow.Memcap, c.Flow.EmbryonicMemcap)
	}
	// Other keys are not sizes.
	for _, kv := range []string{"workers=2k", "flow.max-flows=1KiB", "sensor-name=64MiB"} {
		c := DefaultConfig()
		err := c.Set(kv)
		if kv == "sensor-name=64MiB" {
			if err != nil || c.SensorName != "64MiB" {
				t.Errorf("Set(%s): %v, %q", kv, err, c.SensorName)
			}
			continue
		}
		if err == nil {
			t.Errorf("Set(%s) accepted a unit on a count", kv)
		}
	}
}

func TestConfigSetSizeErrors(t *testing.T) {
	for _, tc := range []struct{ kv, want string }{
		{"flow.memcap=64XB", `config: --set flow.memcap: bad size "64XB": unknown unit "XB"`},
		{"flow.memcap=-5", `config: --set flow.memcap: bad size "-5": must not be negative`},
		{"http.max-header-bytes=-64KiB", `config: --set http.max-header-bytes: bad size "-64KiB": must not be negative`},
		{"stream-memcap=9223372036854775808", `config: --set stream-memcap: bad size "9223372036854775808": more than 9223372036854775807 bytes`},
		{"stream-memcap=8388608TiB", "more than 9223372036854775807 bytes"},
		{"probe-bytes=1.5B", `config: --set probe-bytes: bad size "1.5B": not a whole number of bytes`},
		{"probe-bytes=1.2.3K", `bad size "1.2.3K"`},
		{"flow.memcap=0x100K", `bad size "0x100K"`},
		{"flow.memcap=1e6K", `bad size "1e6K"`},
		{"flow.memcap=-0x100", `bad size "-0x100": must not be negative`},
		{"flow.memcap=1,000", `bad size "1,000"`},
		{"flow.memcap=''", `bad size "": empty`},
		{"flow.memcap=true", `bad size "true"`},
	} {
		c := DefaultConfig()
		err := c.Set(tc.kv)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, bytesize.ErrSyntax) {
			t.Errorf("Set(%s) = %v, want an error with %q", tc.kv, err, tc.want)
		}
		if c.Flow.Memcap != DefaultConfig().Flow.Memcap {
			t.Errorf("Set(%s) changed flow.memcap", tc.kv)
		}
	}
}

func TestConfigFileSizes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.yaml")
	os.WriteFile(path, []byte(`# sizes
flow:
  memcap: 64MiB        # a comment after the value
  embryonic-memcap: "8 mb"
stream: {max-buffered-bytes: 1MiB, history-bytes: '4K'}
stream-memcap: 536870912
http:
  max-header-bytes: 32KiB
files:
  max-file-offset: 2TiB
evidence: {memcap: 0.5GiB}
`), 0o644)
	c := DefaultConfig()
	if err := c.LoadConfigFile(path); err != nil {
		t.Fatal(err)
	}
	got := []int64{c.Flow.Memcap, c.Flow.EmbryonicMemcap, c.Stream.MaxBufferedBytes, int64(c.Stream.HistoryBytes),
		c.StreamMemcap, int64(c.HTTP.MaxHeaderBytes), c.Files.MaxFileOffset, c.Evidence.Memcap}
	want := []int64{64 << 20, 8 << 20, 1 << 20, 4 << 10, 512 << 20, 32 << 10, 2 << 40, 512 << 20}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}

	// CRLF line breaks and a byte order mark.
	os.WriteFile(path, []byte("\xef\xbb\xbfflow:\r\n  memcap: 64MiB\r\n  embryonic-memcap: '8MiB'\r\nstream-memcap: 1GiB\r\n"), 0o644)
	c = DefaultConfig()
	if err := c.LoadConfigFile(path); err != nil {
		t.Fatal(err)
	}
	if c.Flow.Memcap != 64<<20 || c.Flow.EmbryonicMemcap != 8<<20 || c.StreamMemcap != 1<<30 {
		t.Fatalf("CRLF file gave %d %d %d", c.Flow.Memcap, c.Flow.EmbryonicMemcap, c.StreamMemcap)
	}

	// A file of comments only changes nothing.
	os.WriteFile(path, []byte("# flow:\n#   memcap: 64MiB\n"), 0o644)
	c = DefaultConfig()
	if err := c.LoadConfigFile(path); err != nil || c.Flow.Memcap != DefaultConfig().Flow.Memcap {
		t.Fatalf("comments-only file: %v", err)
	}
}

// TestConfigFileSizeErrors: every bad size is reported with the file, its
// line and its key; other errors keep their line numbers after sizes on
// earlier lines were rewritten.
func TestConfigFileSizeErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(path, []byte("workers: 2\nflow:\n  memcap: 64XB\n  max-flows: 10\nstream-memcap: -1GiB\nevidence: {memcap: 1.5B}\n"), 0o644)
	c := DefaultConfig()
	err := c.LoadConfigFile(path)
	if err == nil {
		t.Fatal("bad sizes accepted")
	}
	for _, want := range []string{
		"config: " + path + `:3: flow.memcap: bad size "64XB": unknown unit "XB"`,
		"config: " + path + `:5: stream-memcap: bad size "-1GiB": must not be negative`,
		"config: " + path + `:6: evidence.memcap: bad size "1.5B": not a whole number of bytes`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	var se *SizeError
	if !errors.As(err, &se) || se.Key != "flow.memcap" || se.Line != 3 {
		t.Errorf("want a *SizeError for flow.memcap at line 3, got %#v", se)
	}
	if c.Workers != 1 {
		t.Error("a file with bad sizes was partly applied")
	}

	// Sizes the rewrite can't place on their line: refused, not misread.
	for _, body := range []string{
		"flow:\n  memcap: !!str 64MiB\n",
		"flow:\n  memcap: >\n    64MiB\n",
		"flow:\n  memcap: 64\n    MiB\n",
		"flow:\n  memcap: \"\\x36\\x34MiB\"\n",
	} {
		os.WriteFile(path, []byte(body), 0o644)
		err := c.LoadConfigFile(path)
		if err == nil || !strings.Contains(err.Error(), path+":2: flow.memcap: bad size") {
			t.Errorf("%q: %v", body, err)
		}
	}

	os.WriteFile(path, []byte("flow:\n  memcap: 64MiB\n  embryonic-memcap: 1MiB\nstream-memcap: 1GiB\nwrokers: 2\n"), 0o644)
	err = c.LoadConfigFile(path)
	if err == nil || !strings.Contains(err.Error(), "line 5: field wrokers not found") {
		t.Fatalf("unknown key after sizes: %v", err)
	}
}

// TestConfigYAMLSizes: `wirescan config` writes bytes with the readable
// size as a comment, and its output loads back to the same configuration.
func TestConfigYAMLSizes(t *testing.T) {
	c := DefaultConfig()
	if err := c.Set("smb.max-record-bytes=1000"); err != nil {
		t.Fatal(err)
	}
	out, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"\n    memcap: 268435456 # 256 MiB\n",
		"\nstream-memcap: 536870912 # 512 MiB\n",
		"\n    max-file-offset: 1099511627776 # 1 TiB\n",
		"\n    max-record-bytes: 1000\n",      // not a whole KiB: no comment
		"\n    in-order-history-bytes: 256\n", // under 1 KiB
		"\n    max-flows: 262144\n",           // a count, not a size
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("config output lacks %q:\n%s", want, out)
		}
	}
	path := filepath.Join(t.TempDir(), "dump.yaml")
	os.WriteFile(path, out, 0o644)
	back := DefaultConfig()
	if err := back.LoadConfigFile(path); err != nil {
		t.Fatal(err)
	}
	again, err := back.YAML()
	if err != nil {
		t.Fatal(err)
	}
	if string(again) != string(out) {
		t.Errorf("config output does not load back:\n%s\n---\n%s", out, again)
	}
}

// TestSampleConfigSizes: the sample writes its sizes with units, and they
// are the defaults it documents.
func TestSampleConfigSizes(t *testing.T) {
	c := DefaultConfig()
	c.Flow.Memcap, c.StreamMemcap, c.Evidence.Memcap = 1, 1, 1
	if err := c.LoadConfigFile("../configs/wirescan.yaml"); err != nil {
		t.Fatal(err)
	}
	def := DefaultConfig()
	for _, key := range byteKeys {
		if got, want := configField(t, &c, key).Int(), configField(t, &def, key).Int(); got != want {
			t.Errorf("sample %s = %d, default %d", key, got, want)
		}
	}
	data, err := os.ReadFile("../configs/wirescan.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "memcap: 256MiB") {
		t.Error("the sample does not show a size with a unit")
	}
}
