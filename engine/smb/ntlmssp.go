package smb

import (
	"bytes"
	"fmt"
)

// ntlmsspSignature starts every NTLMSSP message (MS-NLMP 2.2).
var ntlmsspSignature = []byte("NTLMSSP\x00")

// NTLMSSP negotiate flags used when decoding AUTHENTICATE.
const (
	ntlmFlagUnicode = 0x00000001
	ntlmFlagVersion = 0x02000000
	ntlmAuthFixed   = 64 // signature .. negotiate flags
)

// parseNTLMSSPAuth finds an NTLMSSP AUTHENTICATE message in a security blob
// (SPNEGO-wrapped or raw; the blob is searched for the signature rather than
// walking DER) and returns the domain, user, host and OS version it carries.
func parseNTLMSSPAuth(blob []byte) (ntlmInfo, bool) {
	var n ntlmInfo
	i := bytes.Index(blob, ntlmsspSignature)
	if i < 0 {
		return n, false
	}
	m := blob[i:]
	c := newCursor(m)
	c.skip(8)
	if c.u32() != ntlmsspAuthenticate {
		return n, false
	}
	c.skip(16) // LM and NT challenge responses
	domain := ntlmField(&c, m)
	user := ntlmField(&c, m)
	host := ntlmField(&c, m)
	c.skip(8) // session key
	flags := c.u32()
	if c.err() != nil {
		return n, false
	}
	unicode := flags&ntlmFlagUnicode != 0
	n.domain = decodeName(domain, unicode)
	n.user = decodeName(user, unicode)
	n.host = decodeName(host, unicode)
	if flags&ntlmFlagVersion != 0 {
		if v := c.bytes(8); v != nil {
			build := uint16(v[2]) | uint16(v[3])<<8
			n.version = fmt.Sprintf("%d.%d build %d rev %d", v[0], v[1], build, v[7])
			n.hasVersion = true
		}
	}
	return n, true
}

// ntlmField reads an NTLMSSP (length, max length, offset) field descriptor
// and returns the bytes it points at inside m, or nil when out of range.
func ntlmField(c *cursor, m []byte) []byte {
	l := int(c.u16())
	c.skip(2)
	off := int(c.u32())
	if c.err() != nil {
		return nil
	}
	b, ok := window(m, off, l)
	if !ok {
		return nil
	}
	return b
}
