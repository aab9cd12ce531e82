package http

import "github.com/wirescan/wirescan/engine/app"

// fileOut is one file being reported to the sink: it hands out sequential
// offsets and remembers whether the file is open.
type fileOut struct {
	p      *Parser
	open   bool
	handle app.FileHandle
	offset int64
}

func (f *fileOut) start(meta app.FileMeta) {
	if f.open {
		return
	}
	f.p.nextHandle++
	f.handle = f.p.nextHandle
	f.open, f.offset = true, 0
	f.p.stats.Files++
	f.p.sink.FileOpen(f.handle, meta)
}

func (f *fileOut) data(b []byte) {
	if !f.open || len(b) == 0 {
		return
	}
	f.p.sink.FileData(f.handle, f.offset, b)
	f.offset += int64(len(b))
}

func (f *fileOut) gap(n int64) {
	if !f.open || n <= 0 {
		return
	}
	f.p.sink.FileGap(f.handle, f.offset, n)
	f.offset += n
}

func (f *fileOut) close(truncated bool) {
	if !f.open {
		return
	}
	f.open = false
	f.p.sink.FileClose(f.handle, truncated)
}
