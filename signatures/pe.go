package signatures

import "encoding/binary"

// The PE headers of a file, parsed from its bytes as they stream past, for
// ClamAV logical signatures: Target:1, EP+n, Sx+n, SEx, SL+n offsets and
// the EntryPoint and NumberOfSections conditions. The parser never trusts
// a length: it collects only the byte ranges it needs (the DOS header, the
// PE signature with the COFF header and the start of the optional header,
// then the section table), each bounded, refuses headers ending beyond
// peMaxHeaderEnd or more than peMaxSections sections, and holds at most
// 40*peMaxSections bytes. Byte-at-a-time and whole feeding give the same
// result.

// Limits of the PE header parser.
const (
	peMaxHeaderEnd = 1 << 20 // the section table must end within the first MiB
	peMaxSections  = 96      // sections read (Windows XP's limit; ClamAV's too)
	peOptMin       = 64      // optional header bytes read (through SizeOfHeaders)
	peHeadLen      = 16      // first bytes kept for file-type magic
)

// peSection is one section table entry.
type peSection struct {
	va, vsize, raw, rsize uint32
}

// exeInfo is what a Scanner learns from a file's first bytes: the magic
// bytes and, for a PE file, the entry point and the section table.
type exeInfo struct {
	head  [peHeadLen]byte
	headN int
	pe    bool        // the PE headers parsed
	ep    int64       // entry point as a file offset, -1 when it maps to no section
	sects []peSection // the section table (at most peMaxSections)
}

// peState is where the parser is.
type peState uint8

const (
	peDOS      peState = iota // collecting the 64-byte DOS header
	peNT                      // collecting "PE\0\0", the COFF header and 64 optional-header bytes
	peSections                // collecting the section table
	peDone                    // parsed, or not a PE file
)

// peParser parses PE headers incrementally.
type peParser struct {
	state peState
	pos   int64  // bytes seen
	at    int64  // file offset of the range being collected
	need  int    // its length
	buf   []byte // its bytes so far
	dos   [64]byte
	ended bool // end or a gap came: nothing more is parsed
	info  exeInfo
	// waiting holds the Scanner's candidates that wait for the headers
	// (ldb_scan.go).
	waiting []deferredCand
	// From the headers, for the next steps.
	nsect   int
	epRVA   uint32
	hdrSize uint32
}

// newPEParser starts parsing at offset 0.
func newPEParser() *peParser {
	p := &peParser{need: 64}
	p.info.ep = -1
	return p
}

// resolved reports whether the headers are parsed or known absent and the
// magic bytes are known (all peHeadLen of them, or the data ended first).
func (p *peParser) resolved() bool {
	return p.state == peDone && (p.info.headN == peHeadLen || p.ended)
}

// write feeds the next bytes of the file.
func (p *peParser) write(b []byte) {
	base := p.pos
	p.pos += int64(len(b))
	if base < peHeadLen {
		n := copy(p.info.head[base:], b)
		p.info.headN = int(base) + n
	}
	for p.state != peDone {
		next := p.at + int64(len(p.buf)) // next byte the range needs
		if next >= p.pos {
			return
		}
		if next < base {
			p.fail() // cannot happen: ranges never start before the bytes kept
			return
		}
		end := min(p.at+int64(p.need), p.pos)
		p.buf = append(p.buf, b[next-base:end-base]...)
		if len(p.buf) < p.need {
			return
		}
		p.step()
	}
}

// end marks the end of the data (or a gap): whatever is unparsed stays so.
func (p *peParser) end() {
	if p.state != peDone {
		p.fail()
	}
	p.ended = true
}

// fail ends parsing: not a PE file (or not one we can read).
func (p *peParser) fail() {
	p.state, p.buf = peDone, nil
	p.info.pe = false
	p.info.sects = nil
	p.info.ep = -1
}

// collect starts collecting [at, at+n). A range is chosen while the Write
// holding the end of the previous one is processed, and starts at or after
// that end, except the PE header, which may overlap the DOS header: its
// bytes there come from the copy kept.
func (p *peParser) collect(at int64, n int) {
	p.at, p.need, p.buf = at, n, p.buf[:0]
	if at < 64 {
		p.buf = append(p.buf, p.dos[at:min(64, at+int64(n))]...)
	}
}

// step parses a complete range and chooses the next.
func (p *peParser) step() {
	b := p.buf
	switch p.state {
	case peDOS:
		copy(p.dos[:], b)
		if b[0] != 'M' || b[1] != 'Z' {
			p.fail()
			return
		}
		lfanew := int64(binary.LittleEndian.Uint32(b[0x3c:]))
		if lfanew == 0 || lfanew+24+peOptMin > peMaxHeaderEnd {
			p.fail()
			return
		}
		p.state = peNT
		p.collect(lfanew, 24+peOptMin)
	case peNT:
		if string(b[:4]) != "PE\x00\x00" {
			p.fail()
			return
		}
		p.nsect = int(binary.LittleEndian.Uint16(b[6:]))
		optSize := int64(binary.LittleEndian.Uint16(b[20:]))
		opt := b[24:]
		magic := binary.LittleEndian.Uint16(opt)
		if optSize < peOptMin || (magic != 0x10b && magic != 0x20b) || p.nsect > peMaxSections {
			p.fail()
			return
		}
		p.epRVA = binary.LittleEndian.Uint32(opt[16:])
		p.hdrSize = binary.LittleEndian.Uint32(opt[60:])
		tab := p.at + 24 + optSize
		if tab+40*int64(p.nsect) > peMaxHeaderEnd {
			p.fail()
			return
		}
		if p.nsect == 0 {
			p.finish()
			return
		}
		p.state = peSections
		p.collect(tab, 40*p.nsect)
	case peSections:
		p.info.sects = make([]peSection, p.nsect)
		for i := range p.info.sects {
			e := b[40*i:]
			p.info.sects[i] = peSection{
				vsize: binary.LittleEndian.Uint32(e[8:]),
				va:    binary.LittleEndian.Uint32(e[12:]),
				rsize: binary.LittleEndian.Uint32(e[16:]),
				raw:   binary.LittleEndian.Uint32(e[20:]),
			}
		}
		p.finish()
	}
}

// finish records a parsed PE and maps the entry point to a file offset.
func (p *peParser) finish() {
	p.state, p.buf = peDone, nil
	p.info.pe = true
	p.info.ep = rvaToRaw(p.epRVA, p.hdrSize, p.info.sects)
}

// rvaToRaw maps a relative virtual address to a file offset: within the
// headers it is the address itself, else it must fall in a section's raw
// data (the last section containing it, as libclamav searches); -1 when
// it falls in none. Alignment is not applied: offsets are as written.
func rvaToRaw(rva, hdrSize uint32, sects []peSection) int64 {
	if rva < hdrSize {
		return int64(rva)
	}
	for i := len(sects) - 1; i >= 0; i-- {
		s := sects[i]
		if s.rsize > 0 && rva >= s.va && rva-s.va < s.rsize {
			return int64(s.raw) + int64(rva-s.va)
		}
	}
	return -1
}
