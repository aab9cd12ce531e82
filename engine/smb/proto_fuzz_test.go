package smb

import (
	"bytes"
	"testing"
	"unicode/utf16"

	"github.com/wirescan/wirescan/engine/dcerpc"
)

// Fuzz targets for what SMB carries besides files: SMB3 framing (transform
// and compression headers, 3.1.1 negotiation), DCERPC over named pipes,
// and the NTLMSSP AUTHENTICATE message of SESSION_SETUP.

// FuzzSMB3 runs fuzzCheck (no panic, one-byte and random feeds equal the
// whole feed, gaps keep the contract) from SMB 3.x seeds: a 3.1.1
// negotiation, transform-header (encrypted) messages in both directions,
// a compression transform header and a transform header cut short.
func FuzzSMB3(f *testing.F) {
	enc := func(n int) []byte { return append([]byte{0xfd, 'S', 'M', 'B'}, make([]byte, n)...) }
	seeds := [][]byte{
		cat(nbss(negotiateReq(h2{}, 0x300, 0x302, 0x311)), []byte{0xF0}, nbss(negotiateResp(h2{}, 0x311))),
		cat(nbss(negotiateReq(h2{}, 0x311)), []byte{0xF0}, nbss(negotiateResp(h2{}, 0x311)), []byte{0xF0},
			nbss(enc(100)), []byte{0xF0}, nbss(enc(100)), []byte{0xF0}, nbss(enc(52))),
		nbss(append([]byte{0xfc, 'S', 'M', 'B'}, make([]byte, 60)...)),
		nbss(enc(10)),
		cat(nbss(enc(100)), nbss(createReq(h2{msgID: 2, session: sess, tree: 1}, "after.txt", 1, 0))),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(fuzzCheck)
}

// dceSegs wraps a DCERPC byte stream in SMB2 traffic on the svcctl pipe:
// the input is cut at each 0xF1 byte, and the pieces go alternately from
// the client (WRITE) and from the server (READ response).
func dceSegs(data []byte) []seg {
	segs := pipeSetup()
	id := uint64(3)
	for i, piece := range bytes.Split(data, []byte{0xF1}) {
		h := h2{msgID: id, session: sess, tree: treePipe}
		if i%2 == 0 {
			segs = append(segs, cli(nbss(writeReq(h, fidPipe, 0, piece, 0))), srv(nbss(writeResp(h, uint32(len(piece))))))
		} else {
			segs = append(segs, cli(nbss(readReq(h, fidPipe, 0, 4096))), srv(nbss(readResp(h, piece))))
		}
		id++
	}
	return segs
}

// FuzzDCERPC carries the input as a named-pipe conversation (see dceSegs)
// through the SMB parser: no panic, and the events do not depend on how the
// SMB stream is split. (engine/dcerpc's FuzzConn fuzzes the PDU layer on
// its own.)
func FuzzDCERPC(f *testing.F) {
	f.Add(dceBindPDU(1, 0, 1))
	f.Add(cat(dceBindPDU(1, 0), []byte{0xF1}, dceBindAckPDU(1, 0)))
	f.Add(cat(dceReqPDU(2, 3, 0, 15, []byte("stub")), []byte{0xF1}, dceRespPDU(2, 3, []byte("ok"))))
	f.Add(cat(dceReqPDU(3, 1, 0, 15, []byte("first-")), dceReqPDU(3, 2, 0, 15, []byte("second")), []byte{0xF1}, dceRespPDU(3, 3, nil)))
	f.Add(cat(dcePDU(dcerpc.PtypeRequest, 3, 9, nil), dcePDU(dcerpc.PtypeRequest, 3, 10, nil)))
	cfg := fuzzConfig()
	f.Fuzz(func(t *testing.T, data []byte) {
		segs := dceSegs(data)
		want := run(cfg, segs, whole).summary()
		if got := run(cfg, segs, oneByte).summary(); got != want {
			t.Fatalf("one-byte feeding differs:\n%s\nwant:\n%s", got, want)
		}
		if got := run(cfg, segs, randomSplit(int64(len(data)))).summary(); got != want {
			t.Fatalf("random split differs:\n%s\nwant:\n%s", got, want)
		}
	})
}

// ntlmAuth builds an NTLMSSP AUTHENTICATE message ([MS-NLMP] 2.2.1.3) with
// the given names, in UTF-16 or OEM, with a version field.
func ntlmAuth(domain, user, host string, unicode bool) []byte {
	enc := func(s string) []byte {
		if !unicode {
			return []byte(s)
		}
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = le16(b, u)
		}
		return b
	}
	fields := [][]byte{make([]byte, 24), make([]byte, 24), enc(domain), enc(user), enc(host), make([]byte, 16)}
	const fixed = 8 + 4 + 6*8 + 4 + 8
	b := append([]byte("NTLMSSP\x00"), 3, 0, 0, 0)
	off := fixed
	var payload []byte
	for _, fl := range fields {
		b = le16(b, uint16(len(fl)))
		b = le16(b, uint16(len(fl)))
		b = le32(b, uint32(off))
		off += len(fl)
		payload = append(payload, fl...)
	}
	flags := uint32(ntlmFlagVersion)
	if unicode {
		flags |= ntlmFlagUnicode
	}
	b = le32(b, flags)
	b = append(b, 10, 0, 0x61, 0x4a, 0, 0, 0, 15) // Windows 10.0 build 19041
	return append(b, payload...)
}

// FuzzNTLMSSP: no panic; the names decoded are bounded by the blob (three
// bytes of UTF-8 at most per byte); and the result does not change when the
// message is preceded by bytes without the NTLMSSP signature, as SPNEGO's
// DER wrapping does.
func FuzzNTLMSSP(f *testing.F) {
	f.Add(ntlmAuth("CORP", "alice", "WS01", true), []byte("\x60\x48\x06\x06\x2b\x06\x01\x05\x05\x02\xa1\x3e"))
	f.Add(ntlmAuth("EVIL", "mallory", "X1", false), []byte{})
	f.Add(ntlmAuth("", "\u00e9l\u00e8ve\U0001F600", "h", true), []byte{0xa1})
	f.Add([]byte("NTLMSSP\x00\x03\x00\x00\x00"), []byte{})
	f.Fuzz(func(t *testing.T, blob, prefix []byte) {
		n, ok := parseNTLMSSPAuth(blob)
		for _, s := range []string{n.domain, n.user, n.host, n.version} {
			if len(s) > 3*len(blob)+64 {
				t.Fatalf("name of %d bytes from a %d-byte blob", len(s), len(blob))
			}
		}
		joined := append(append([]byte(nil), prefix...), blob...)
		i, j := bytes.Index(joined, ntlmsspSignature), bytes.Index(blob, ntlmsspSignature)
		if (j < 0) != (i < 0) || (j >= 0 && i != len(prefix)+j) {
			return // the prefix starts a message of its own
		}
		n2, ok2 := parseNTLMSSPAuth(joined)
		if ok2 != ok || n2 != n {
			t.Fatalf("behind %q: %+v %v, alone %+v %v", prefix, n2, ok2, n, ok)
		}
	})
}

// TestDCERPCHeaderOnlyPDUOverSMB: DCERPC PDUs whose frag_length is 16 (a
// header and nothing else), two in one SMB2 WRITE to a named pipe. FuzzDCERPC
// found that the SMB parser's pipe reassembly looped forever on them, hanging
// the worker; engine/dcerpc (which took that code over) fixed it the same
// day (its TestHeaderOnlyPDU). This is the regression test over SMB.
func TestDCERPCHeaderOnlyPDUOverSMB(t *testing.T) {
	pdu := dcePDU(dcerpc.PtypeRequest, 3, 1, nil) // frag_length 16: the header alone
	h := h2{msgID: 3, session: sess, tree: treePipe}
	segs := append(pipeSetup(), cli(nbss(writeReq(h, fidPipe, 0, cat(pdu, pdu), 0))))
	checkChunking(t, fuzzConfig(), segs)
}
