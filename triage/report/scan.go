package report

import (
	"bytes"
	"strconv"
)

// maxNesting bounds the depth of objects and arrays the line scanner
// accepts; EVE lines nest a few levels, so deeper is damage.
const maxNesting = 512

// scanner checks the structure of one line quickly and picks out the
// top-level "event_type", "flow_id", "tx_id" and "host" without decoding
// the line: strings
// are skipped with bytes.IndexByte, so a line costs about one pass over its
// bytes and no allocation. It reuses its bracket stack between lines.
type scanner struct {
	stack []byte
}

// lineFacts is what the scanner found on a line. The slices point into
// the line.
type lineFacts struct {
	// blank is true for an empty or whitespace-only line (skipped, not
	// damage).
	blank bool
	// eventType is the raw contents of the top-level event_type string.
	eventType []byte
	// flowID is the top-level flow_id (0 when absent or not a number).
	flowID uint64
	// txID is the top-level tx_id; hasTx says whether there was one.
	txID  uint64
	hasTx bool
	// host is the raw contents of the top-level host string (the sensor);
	// hostOK is false when it is absent or holds escapes (decode it then).
	host   []byte
	hostOK bool
}

// scan checks that line holds exactly one JSON object whose strings are
// terminated and whose brackets balance, and returns its facts. The problem
// is "" for a sound line. Scalars outside strings are not validated here:
// lines that matter (alerts, incidents, fileinfo) are decoded in full later.
func (sc *scanner) scan(line []byte) (f lineFacts, problem string) {
	i := skipSpace(line, 0)
	if i == len(line) {
		f.blank = true
		return f, ""
	}
	if line[i] != '{' {
		return f, "not a JSON object"
	}
	sc.stack = sc.stack[:0]
	n := len(line)
	for i < n {
		switch c := line[i]; c {
		case '"':
			end := stringEnd(line, i+1)
			if end < 0 {
				return f, "truncated line: unterminated string"
			}
			if len(sc.stack) == 1 {
				j := skipSpace(line, end+1)
				if j < n && line[j] == ':' {
					sc.topLevelValue(line, line[i+1:end], j+1, &f)
				}
			}
			i = end + 1
		case '{', '[':
			if len(sc.stack) == maxNesting {
				return f, "nested deeper than " + strconv.Itoa(maxNesting) + " levels"
			}
			sc.stack = append(sc.stack, c)
			i++
		case '}', ']':
			top := len(sc.stack) - 1
			if top < 0 || sc.stack[top] != c-2 { // '{'+2 == '}', '['+2 == ']'
				return f, "unbalanced brackets"
			}
			sc.stack = sc.stack[:top]
			i++
			if top == 0 {
				if skipSpace(line, i) != n {
					return f, "text after the JSON object (two events on one line?)"
				}
				return f, ""
			}
		default:
			i++
		}
	}
	return f, "truncated line: JSON object not closed"
}

// topLevelValue records the value of a top-level key the report needs;
// v is the index just after the colon.
func (sc *scanner) topLevelValue(line, key []byte, v int, f *lineFacts) {
	switch string(key) { // no allocation: the compiler compares in place
	case "event_type":
		v = skipSpace(line, v)
		if v < len(line) && line[v] == '"' {
			if end := stringEnd(line, v+1); end >= 0 {
				f.eventType = line[v+1 : end]
			}
		}
	case "host":
		v = skipSpace(line, v)
		if v < len(line) && line[v] == '"' {
			if end := stringEnd(line, v+1); end >= 0 {
				f.host = line[v+1 : end]
				f.hostOK = bytes.IndexByte(f.host, '\\') < 0
			}
		}
	case "flow_id":
		f.flowID, _ = scanUint(line, v)
	case "tx_id":
		f.txID, f.hasTx = scanUint(line, v)
	}
}

// scanUint reads the unsigned integer at v (after spaces); ok is false
// when there is none.
func scanUint(line []byte, v int) (n uint64, ok bool) {
	v = skipSpace(line, v)
	j := v
	for ; j < len(line) && line[j] >= '0' && line[j] <= '9' && j-v < 20; j++ {
		n = n*10 + uint64(line[j]-'0')
	}
	return n, j > v
}

// stringEnd returns the index of the quote that closes the string whose
// contents start at i, or -1 when the line ends first.
func stringEnd(line []byte, i int) int {
	for {
		k := bytes.IndexByte(line[i:], '"')
		if k < 0 {
			return -1
		}
		q := i + k
		// The quote is escaped when an odd number of backslashes precede it.
		bs := 0
		for p := q - 1; p >= i && line[p] == '\\'; p-- {
			bs++
		}
		if bs%2 == 0 {
			return q
		}
		i = q + 1
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}
