package pcapgen

import (
	"bytes"
	"encoding/binary"
)

// PESection is one section of a generated PE file.
type PESection struct {
	// Name is the section name (at most 8 bytes are written).
	Name string
	// Data is the section's raw data; it is padded to the file alignment.
	Data []byte
}

// PEFile describes a minimal PE32 executable for tests of PE-relative
// signatures (ClamAV EP+n, Sx+n, SL+n offsets).
type PEFile struct {
	// Sections are laid out in order at 0x200-byte file alignment, at
	// virtual addresses 0x1000, 0x2000, ...
	Sections []PESection
	// EntrySection and EntryOffset place the entry point: EntryOffset
	// bytes into section EntrySection.
	EntrySection int
	EntryOffset  uint32
	// EntryRVA, when not 0, is the entry point's address instead (one
	// below SizeOfHeaders points into the headers themselves).
	EntryRVA uint32
	// Lfanew is the offset of the PE header; 0 means 0x80.
	Lfanew uint32
}

// PELayout tells where a built PE file's parts are.
type PELayout struct {
	// Raw is the file offset of each section's data.
	Raw []int64
	// Entry is the file offset of the entry point.
	Entry int64
	// HeaderEnd is the end of the section table.
	HeaderEnd int64
}

// PE file constants.
const (
	peFileAlign    = 0x200
	peSectionAlign = 0x1000
	peOptSize      = 224 // PE32 optional header with 16 data directories
)

// Build returns the file bytes and where its parts are: a DOS header and
// stub, "PE\0\0", a COFF header (i386), a PE32 optional header, the
// section table and the sections' data.
func (f PEFile) Build() ([]byte, PELayout) {
	lfanew := f.Lfanew
	if lfanew == 0 {
		lfanew = 0x80
	}
	tab := int64(lfanew) + 24 + peOptSize
	hdrEnd := tab + 40*int64(len(f.Sections))
	align := func(n int64) int64 { return (n + peFileAlign - 1) / peFileAlign * peFileAlign }
	lay := PELayout{HeaderEnd: hdrEnd}
	off := align(hdrEnd)
	for _, s := range f.Sections {
		lay.Raw = append(lay.Raw, off)
		off += align(int64(len(s.Data)))
	}
	out := make([]byte, off)
	copy(out, "MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00")
	binary.LittleEndian.PutUint32(out[0x3c:], lfanew)
	if lfanew >= 0x40+40 {
		copy(out[0x40:], "This program cannot be run in DOS mode.\r\r\n$")
	}
	le := binary.LittleEndian
	h := out[lfanew:]
	copy(h, "PE\x00\x00")
	le.PutUint16(h[4:], 0x14c) // i386
	le.PutUint16(h[6:], uint16(len(f.Sections)))
	le.PutUint16(h[20:], peOptSize)
	le.PutUint16(h[22:], 0x0102) // executable, 32-bit
	opt := h[24:]
	le.PutUint16(opt, 0x10b)
	var entry uint32
	if f.EntrySection < len(f.Sections) {
		entry = uint32(peSectionAlign*(f.EntrySection+1)) + f.EntryOffset
		lay.Entry = lay.Raw[f.EntrySection] + int64(f.EntryOffset)
	}
	if f.EntryRVA != 0 {
		entry = f.EntryRVA
		lay.Entry = int64(entry) // within the headers, file offset = address
	}
	le.PutUint32(opt[16:], entry)
	le.PutUint32(opt[28:], 0x400000) // ImageBase
	le.PutUint32(opt[32:], peSectionAlign)
	le.PutUint32(opt[36:], peFileAlign)
	le.PutUint32(opt[56:], uint32(peSectionAlign*(len(f.Sections)+1))) // SizeOfImage
	le.PutUint32(opt[60:], uint32(align(hdrEnd)))                      // SizeOfHeaders
	le.PutUint16(opt[68:], 2)                                          // GUI subsystem
	le.PutUint32(opt[92:], 16)                                         // NumberOfRvaAndSizes
	for i, s := range f.Sections {
		e := out[tab+40*int64(i):]
		name := []byte(s.Name)
		copy(e[:8], name[:min(8, len(name))])
		le.PutUint32(e[8:], uint32(len(s.Data)))
		le.PutUint32(e[12:], uint32(peSectionAlign*(i+1)))
		le.PutUint32(e[16:], uint32(align(int64(len(s.Data)))))
		le.PutUint32(e[20:], uint32(lay.Raw[i]))
		le.PutUint32(e[36:], 0x60000020) // code, execute, read
		copy(out[lay.Raw[i]:], s.Data)
	}
	return out, lay
}

// PEWithCode returns a PE file with a .text section whose entry point
// holds code, then .data holding data: the shape of a small program.
func PEWithCode(code, data []byte) []byte {
	b, _ := PEFile{Sections: []PESection{{Name: ".text", Data: code}, {Name: ".data", Data: data}}}.Build()
	return bytes.Clone(b)
}
