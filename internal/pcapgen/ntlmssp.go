package pcapgen

import (
	"encoding/binary"
	"unicode/utf16"
)

// This file builds the security blobs of a minimal NTLMSSP authentication
// wrapped in SPNEGO, enough for analysers to follow SESSION_SETUP. The
// responses are random bytes: no real credential is derived.

// utf16le encodes s as UTF-16LE, the string encoding of SMB2 and NTLMSSP.
func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		b = binary.LittleEndian.AppendUint16(b, c)
	}
	return b
}

// der encodes one ASN.1 DER element with the given tag and contents.
func der(tag byte, parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	b := []byte{tag}
	switch {
	case n < 0x80:
		b = append(b, byte(n))
	case n < 0x100:
		b = append(b, 0x81, byte(n))
	default:
		b = append(b, 0x82, byte(n>>8), byte(n))
	}
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// spnegoInit wraps a mechanism token in a GSS-API SPNEGO NegTokenInit that
// offers NTLMSSP; mechToken may be nil (the server's NEGOTIATE hint).
func spnegoInit(mechToken []byte) []byte {
	fields := [][]byte{der(0xa0, der(0x30, der(0x06, []byte(oidNTLMSSP))))}
	if mechToken != nil {
		fields = append(fields, der(0xa2, der(0x04, mechToken)))
	}
	return der(0x60, der(0x06, []byte(oidSPNEGO)), der(0xa0, der(0x30, fields...)))
}

// spnegoResp builds a NegTokenResp; state is negState (0 accept-completed,
// 1 accept-incomplete) or -1 to omit it; token may be nil.
func spnegoResp(state int, withMech bool, token []byte) []byte {
	var fields [][]byte
	if state >= 0 {
		fields = append(fields, der(0xa0, der(0x0a, []byte{byte(state)})))
	}
	if withMech {
		fields = append(fields, der(0xa1, der(0x06, []byte(oidNTLMSSP))))
	}
	if token != nil {
		fields = append(fields, der(0xa2, der(0x04, token)))
	}
	return der(0xa1, der(0x30, fields...))
}

// ntlmHeader starts an NTLMSSP message of the given type.
func ntlmHeader(typ uint32) []byte {
	b := append([]byte("NTLMSSP"), 0)
	return binary.LittleEndian.AppendUint32(b, typ)
}

// ntlmFields appends a (Len, MaxLen, Offset) field descriptor.
func ntlmFields(b []byte, n, off int) []byte {
	b = binary.LittleEndian.AppendUint16(b, uint16(n))
	b = binary.LittleEndian.AppendUint16(b, uint16(n))
	return binary.LittleEndian.AppendUint32(b, uint32(off))
}

// ntlmNegotiateMsg is the client's first message (no domain or workstation).
func ntlmNegotiateMsg() []byte {
	const size = 32
	b := ntlmHeader(ntlmNegotiate)
	b = binary.LittleEndian.AppendUint32(b, ntlmFlagsNegotiate)
	b = ntlmFields(b, 0, size)
	return ntlmFields(b, 0, size)
}

// ntlmChallengeMsg is the server's challenge naming server in domain.
func ntlmChallengeMsg(server, domain string, challenge [8]byte) []byte {
	const size = 48
	target := utf16le(domain)
	var info []byte
	for _, av := range []struct {
		id  uint16
		val string
	}{{avNbDomainName, domain}, {avNbComputerName, server}} {
		v := utf16le(av.val)
		info = binary.LittleEndian.AppendUint16(info, av.id)
		info = binary.LittleEndian.AppendUint16(info, uint16(len(v)))
		info = append(info, v...)
	}
	info = binary.LittleEndian.AppendUint32(info, avEOL)
	b := ntlmHeader(ntlmChallenge)
	b = ntlmFields(b, len(target), size)
	b = binary.LittleEndian.AppendUint32(b, ntlmFlagsChallenge)
	b = append(b, challenge[:]...)
	b = append(b, make([]byte, 8)...)
	b = ntlmFields(b, len(info), size+len(target))
	b = append(b, target...)
	return append(b, info...)
}

// ntlmAuthenticateMsg is the client's answer: 24-byte LM and NT responses
// (NTLMv1 shape, random contents) and the identity strings.
func ntlmAuthenticateMsg(domain, user, workstation string, lm, nt [24]byte) []byte {
	const size = 64
	d, u, w := utf16le(domain), utf16le(user), utf16le(workstation)
	off := size
	b := ntlmHeader(ntlmAuthenticate)
	b = ntlmFields(b, len(lm), off)
	off += len(lm)
	b = ntlmFields(b, len(nt), off)
	off += len(nt)
	b = ntlmFields(b, len(d), off)
	off += len(d)
	b = ntlmFields(b, len(u), off)
	off += len(u)
	b = ntlmFields(b, len(w), off)
	off += len(w)
	b = ntlmFields(b, 0, off) // EncryptedRandomSessionKey
	b = binary.LittleEndian.AppendUint32(b, ntlmFlagsNegotiate)
	for _, p := range [][]byte{lm[:], nt[:], d, u, w} {
		b = append(b, p...)
	}
	return b
}
