package http

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// fuzzOps splits fuzz input into operations: 0xFF switches direction and
// 0xFE followed by a byte is a gap of that many bytes.
func fuzzOps(data []byte) []feedOp {
	var ops []feedOp
	dir := app.ToServer
	for len(data) > 0 {
		i := bytes.IndexAny(data, "\xff\xfe")
		if i < 0 {
			i = len(data)
		}
		if i > 0 {
			ops = append(ops, feedOp{dir: dir, data: data[:i]})
		}
		data = data[i:]
		if len(data) == 0 {
			break
		}
		if data[0] == 0xff {
			dir = dir.Opposite()
			data = data[1:]
			continue
		}
		n := int64(1)
		if len(data) > 1 {
			n = int64(data[1]) + 1
			data = data[1:]
		}
		ops = append(ops, feedOp{dir: dir, gap: n})
		data = data[1:]
	}
	return ops
}

// FuzzParser checks that no input panics and that feeding whole or in
// pieces gives the same events.
func FuzzParser(f *testing.F) {
	for _, tc := range parserCases {
		var b []byte
		dir := app.ToServer
		for _, op := range tc.ops {
			if op.dir != dir {
				b = append(b, 0xff)
				dir = op.dir
			}
			if op.gap > 0 {
				b = append(b, 0xfe, byte(min(op.gap-1, 250)))
				continue
			}
			b = append(b, op.data...)
		}
		f.Add(b)
	}
	cfg := DefaultConfig()
	cfg.MaxHeaderBytes, cfg.MaxChunkLine, cfg.MaxPipelined, cfg.MaxMultipartParts = 256, 32, 4, 2
	f.Fuzz(func(t *testing.T, data []byte) {
		ops := fuzzOps(data)
		whole, _ := replay(ops, &cfg)
		rng := rand.New(rand.NewSource(int64(len(data))))
		for mode := 1; mode <= 2; mode++ {
			split, _ := replay(splitOps(ops, mode, rng), &cfg)
			if split.events() != whole.events() {
				t.Fatalf("mode %d differs\nwhole:\n%s\nsplit:\n%s", mode, whole.events(), split.events())
			}
		}
	})
}
