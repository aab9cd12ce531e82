// Package pcapgen writes deterministic, realistic packet captures for
// wirescan's tests, `make run` and benchmarks, so that every capture the
// project uses is made by the project itself.
//
// # Place in the project
//
// pcapgen is a test and tooling package outside the packet pipeline: it
// produces the input the pipeline reads. cmd/gen writes testdata/ (three
// captures, expected.json with the files each must yield, README.md);
// SyntheticMix writes large benign captures for benchmarks.
//
// # What it writes
//
//   - Capture: a classic pcap (Ethernet link type) with a clock that
//     advances DefaultStep per packet and on Sleep.
//   - Conversation: one TCP connection over Ethernet/IPv4 or IPv6,
//     optionally 802.1Q-tagged: three-way handshake with an MSS option,
//     writes cut into MSS-sized segments with correct sequence and
//     acknowledgement numbers, an ACK every two segments and at the end of
//     each write, FIN close or RST. Impair adds seeded reordering,
//     duplication, loss and tiny segments to data segments only.
//   - HTTP/1.1: keep-alive exchanges with Content-Length or chunked bodies,
//     gzip content encoding, multipart/form-data uploads.
//   - SMB 2.1 over NBSS (port 445): NEGOTIATE, SESSION_SETUP with NTLMSSP
//     in SPNEGO (two rounds), TREE_CONNECT, CREATE, READ/WRITE in 64 KiB
//     chunks, CLOSE, TREE_DISCONNECT, LOGOFF, laid out per [MS-SMB2] so
//     that Wireshark decodes every message (a test checks with tshark when
//     it is installed).
//   - Attacks on the sensor (Hostiles, WriteHostile; bench/cmd/hostile
//     writes them full size): SYN floods and half-open connections
//     (synflood.go); compression bombs under every coding, stacked or not
//     (bomb.go builds a 10 GiB DEFLATE bomb in 10 MB by repeating one
//     block); chunk sizes and Content-Lengths meant to overflow; 100k
//     multipart parts (hostile_http.go); SMB2 offsets near 2^64, a 1 TB
//     hole, unclosed file ids, 0xFFFFFF NBSS lengths, looping compound
//     chains, header-only DCERPC PDUs (hostile_smb.go); incomplete
//     overlapping IPv4 fragments (hostile_ip.go). Each hostile capture ends
//     with ordinary EICAR downloads over HTTP and SMB2, so a replay shows
//     whether detection survived.
//
// # Determinism
//
// Every random choice comes from a seeded PCG source and every timestamp
// from the capture clock, so the same inputs give byte-identical output.
// Only gzip bodies depend on the Go release (compress/flate output).
//
// # Limits
//
// A Conversation holds at most one delayed segment; memory is bounded by the
// largest single write the caller passes. SyntheticMix keeps one connection's
// files in memory at a time (files are at most 2 MiB).
//
// # Not handled
//
// IP fragmentation of conversations (only the fragment flood writes
// fragments), TCP options beyond MSS (no window scaling, SACK or
// timestamps), SMB signing or encryption, SMB 3.x dialects, SMB1.
//
// # Example
//
//	c, _ := pcapgen.NewCapture(f, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
//	cv, _ := c.Open(pcapgen.EP("10.0.0.1", 40000), pcapgen.EP("10.0.0.2", 80), pcapgen.ConnOptions{})
//	_ = pcapgen.WriteHTTP(cv, []pcapgen.HTTPExchange{{URI: "/a.txt", Host: "x", RespBody: []byte("hi")}})
//	_ = cv.Close()
package pcapgen
