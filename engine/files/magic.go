package files

import (
	"bytes"
)

// sniffLen is how many leading bytes of a file the type sniffer looks at.
const sniffLen = 512

// Sniff names the type of a file from its first bytes, in the style of
// libmagic's descriptions (which Suricata logs as fileinfo.magic and which
// filemagic rules match), for the formats that matter on file shares and the
// web. It returns "data" when nothing matches.
func Sniff(head []byte) string {
	switch {
	case len(head) == 0:
		return "empty"
	case bytes.HasPrefix(head, []byte("MZ")):
		return sniffMZ(head)
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return "ELF executable"
	case bytes.HasPrefix(head, []byte("%PDF-")):
		if len(head) >= 8 && isDigit(head[5]) && head[6] == '.' && isDigit(head[7]) {
			// libmagic's wording, which filemagic rules are written against.
			return "PDF document, version " + string(head[5:8])
		}
		return "PDF document"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return "Zip archive data"
	case bytes.HasPrefix(head, []byte("\x1f\x8b")):
		return "gzip compressed data"
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return "PNG image data"
	case bytes.HasPrefix(head, []byte("\xff\xd8\xff")):
		return "JPEG image data"
	case bytes.HasPrefix(head, []byte("GIF87a")), bytes.HasPrefix(head, []byte("GIF89a")):
		return "GIF image data"
	case bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return "Composite Document File V2 Document"
	case bytes.HasPrefix(head, []byte("Rar!\x1a\x07")):
		return "RAR archive data"
	case bytes.HasPrefix(head, []byte("7z\xbc\xaf\x27\x1c")):
		return "7-zip archive data"
	case bytes.HasPrefix(head, []byte("\xca\xfe\xba\xbe")):
		return "compiled Java class data"
	case bytes.HasPrefix(head, []byte("#!")):
		return "script text executable"
	}
	lower := bytes.ToLower(head[:min(len(head), 256)])
	trimmed := bytes.TrimLeft(lower, " \t\r\n\ufeff")
	switch {
	case bytes.HasPrefix(trimmed, []byte("<!doctype html")), bytes.HasPrefix(trimmed, []byte("<html")):
		return "HTML document, ASCII text"
	case bytes.HasPrefix(trimmed, []byte("<?xml")):
		return "XML document text"
	}
	if isText(head) {
		return "ASCII text"
	}
	return "data"
}

func sniffMZ(head []byte) string {
	if len(head) >= 0x40 {
		off := int(head[0x3c]) | int(head[0x3d])<<8 | int(head[0x3e])<<16 | int(head[0x3f])<<24
		if off >= 0 && off+4 <= len(head) && bytes.Equal(head[off:off+4], []byte("PE\x00\x00")) {
			return "PE32 executable (MS Windows)"
		}
	}
	return "MS-DOS executable"
}

func isText(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' {
			return false
		}
		if c > 0x7e {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
