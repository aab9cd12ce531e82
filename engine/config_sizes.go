package engine

import (
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/wirescan/wirescan/internal/bytesize"
)

// Byte-valued keys. A configuration field tagged `unit:"bytes"` (memcaps,
// *-bytes limits, in any stage's Config) takes a plain number of bytes or a
// size with a unit ("64MiB", "64mb", "1.5GiB"; see internal/bytesize).
// The fields keep their plain int/int64 types, so the stages and the
// reassembly package's API are untouched: before the YAML decoder runs,
// resolveSizes rewrites each such value in the document text to its number
// of bytes, in place on its own line. Every other error the decoder reports
// (unknown keys, type errors) keeps its line number.

// sizeTag is the struct tag, and its value, that marks a byte-valued field.
const (
	sizeTag      = "unit"
	sizeTagBytes = "bytes"
)

// SizeError is a byte-valued key whose value is not a size.
type SizeError struct {
	// Key is the dotted key ("flow.memcap").
	Key string
	// Line is the value's line in the YAML document (1-based).
	Line int
	// Err says what is wrong with the value; it wraps bytesize.ErrSyntax.
	Err error
}

// Error names the key and the value.
func (e *SizeError) Error() string { return e.Key + ": " + e.Err.Error() }

// Unwrap returns the parse error.
func (e *SizeError) Unwrap() error { return e.Err }

// yamlField is a struct field as the YAML decoder sees it.
type yamlField struct {
	name string
	f    reflect.StructField
}

// yamlFields lists t's fields under their YAML keys, the fields of inline
// structs included, as the decoder maps them.
func yamlFields(t reflect.Type) []yamlField {
	var out []yamlField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if slices.Contains(strings.Split(opts, ","), "inline") {
			if ft := derefType(f.Type); ft.Kind() == reflect.Struct {
				out = append(out, yamlFields(ft)...)
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out = append(out, yamlField{name, f})
	}
	return out
}

// derefType strips pointers.
func derefType(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// walkSizes calls visit with the dotted key and the value node of every
// byte-valued field present in n, a YAML document or mapping for type t.
// Keys that name no field are left to the decoder, which reports them.
func walkSizes(n *yaml.Node, t reflect.Type, prefix string, visit func(key string, v *yaml.Node)) {
	if n.Kind == yaml.DocumentNode {
		for _, c := range n.Content {
			walkSizes(c, t, prefix, visit)
		}
		return
	}
	t = derefType(t)
	if n.Kind != yaml.MappingNode || t.Kind() != reflect.Struct {
		return
	}
	fields := yamlFields(t)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		j := slices.IndexFunc(fields, func(f yamlField) bool { return f.name == k.Value })
		if j < 0 {
			continue
		}
		key := k.Value
		if prefix != "" {
			key = prefix + "." + k.Value
		}
		if fields[j].f.Tag.Get(sizeTag) == sizeTagBytes {
			visit(key, v)
		} else {
			walkSizes(v, fields[j].f.Type, key, visit)
		}
	}
}

// resolveSizes returns data with the value of every byte-valued key of t
// written as its number of bytes ("64MiB" becomes 67108864), and the keys
// whose value is not a size. Data that is not YAML comes back unchanged for
// the decoder to report. Values that are not scalars (aliases, mappings),
// null and numbers in YAML's other notations (yamlNumber) are left to the
// decoder too.
func resolveSizes(data []byte, t reflect.Type) ([]byte, []*SizeError) {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil {
		return data, nil
	}
	type edit struct {
		off, end int
		bytes    int64
	}
	var edits []edit
	var errs []*SizeError
	lines := lineStarts(data)
	walkSizes(&doc, t, "", func(key string, v *yaml.Node) {
		if v.Kind != yaml.ScalarNode || v.ShortTag() == "!!null" {
			return
		}
		n, err := bytesize.Parse(v.Value)
		if err != nil {
			if yamlNumber(v) {
				return // 0x100, 1_000, 1e6: decoded by YAML, as before sizes
			}
			errs = append(errs, &SizeError{Key: key, Line: v.Line, Err: err})
			return
		}
		token := v.Value
		switch v.Style {
		case 0:
		case yaml.SingleQuotedStyle:
			token = "'" + strings.ReplaceAll(v.Value, "'", "''") + "'"
		case yaml.DoubleQuotedStyle:
			token = `"` + v.Value + `"`
		default: // a tag ("!!str 64MiB"), a literal or folded block
			token = ""
		}
		off := -1
		if token != "" {
			off = scalarOffset(data, lines, v.Line, v.Column, token)
		}
		if off < 0 {
			errs = append(errs, &SizeError{Key: key, Line: v.Line,
				Err: fmt.Errorf("%w %q: write it on one line without a tag, as 64MiB or \"64MiB\"", bytesize.ErrSyntax, v.Value)})
			return
		}
		if digits := strconv.FormatInt(n, 10); token != digits {
			edits = append(edits, edit{off, off + len(token), n})
		}
	})
	if len(errs) > 0 || len(edits) == 0 {
		return data, errs
	}
	// Rewrite from the end so that earlier offsets stay valid.
	slices.SortFunc(edits, func(a, b edit) int { return b.off - a.off })
	out := slices.Clone(data)
	for _, e := range edits {
		out = slices.Concat(out[:e.off], []byte(strconv.FormatInt(e.bytes, 10)), out[e.end:])
	}
	return out, nil
}

// yamlNumber reports whether v is a number in one of YAML's other
// notations (hex, octal, digit separators, exponents), which byte-valued
// keys accepted before they took units and still do. Negative numbers and
// plain decimals are not: bytesize.Parse's error names what is wrong
// (negative, beyond int64) better than the decoder's.
func yamlNumber(v *yaml.Node) bool {
	if t := v.ShortTag(); t != "!!int" && t != "!!float" {
		return false
	}
	s := strings.TrimSpace(v.Value)
	return !strings.HasPrefix(s, "-") && strings.Trim(s, "0123456789.") != ""
}

// lineStarts returns the byte offset of each line of data (YAML line
// breaks: \n, \r\n, or a lone \r).
func lineStarts(data []byte) []int {
	starts := []int{0}
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			starts = append(starts, i+1)
		case '\n':
			starts = append(starts, i+1)
		}
	}
	return starts
}

// scalarOffset returns the byte offset of token, the source text of a
// scalar the parser placed at line and column (1-based, columns in
// characters), or -1 when it is not there (a plain scalar folded over
// lines, an escape in a quoted one). The token is searched for from that
// position to the end of the line, so that a byte order mark does not throw
// it off.
func scalarOffset(data []byte, lines []int, line, column int, token string) int {
	if line < 1 || line > len(lines) {
		return -1
	}
	start := lines[line-1]
	end := len(data)
	if line < len(lines) {
		end = lines[line]
	}
	off := start
	for c := 1; c < column && off < end; c++ {
		_, size := utf8.DecodeRune(data[off:end])
		off += size
	}
	i := strings.Index(string(data[off:end]), token)
	if i < 0 {
		return -1
	}
	return off + i
}

// annotateSizes adds the readable form ("# 256 MiB") as a line comment to
// every byte-valued value of n, a configuration encoded as a YAML node,
// that is at least 1 KiB and a whole number of KiB.
func annotateSizes(n *yaml.Node, t reflect.Type) {
	walkSizes(n, t, "", func(_ string, v *yaml.Node) {
		b, err := strconv.ParseInt(v.Value, 10, 64)
		if err != nil || b < 1024 {
			return
		}
		if s := bytesize.Format(b); !strings.HasSuffix(s, " B") {
			v.LineComment = s
		}
	})
}
