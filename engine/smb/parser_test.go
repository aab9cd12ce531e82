package smb

import (
	"bytes"
	"math/rand"
	"strings"
	"testing"

	"github.com/wirescan/wirescan/engine/app"
)

// run feeds a conversation with the given splitter and returns the sink.
func run(cfg *Config, segs []seg, split func([]byte) [][]byte) *recSink {
	s := newRecSink()
	p := NewParser(cfg, &Stats{}, s)
	for _, sg := range segs {
		if sg.gap > 0 {
			p.Gap(sg.dir, sg.gap)
			continue
		}
		for _, c := range split(sg.data) {
			p.Feed(sg.dir, c)
		}
	}
	p.Close()
	return s
}

func whole(b []byte) [][]byte { return [][]byte{b} }

func oneByte(b []byte) [][]byte {
	out := make([][]byte, len(b))
	for i := range b {
		out[i] = b[i : i+1]
	}
	return out
}

func randomSplit(seed int64) func([]byte) [][]byte {
	rng := rand.New(rand.NewSource(seed))
	return func(b []byte) [][]byte {
		var out [][]byte
		for len(b) > 0 {
			n := 1 + rng.Intn(min(len(b), 300))
			out = append(out, b[:n])
			b = b[n:]
		}
		return out
	}
}

// splitAt returns a splitter that cuts every segment at position i.
func splitAt(i int) func([]byte) [][]byte {
	return func(b []byte) [][]byte {
		if i <= 0 || i >= len(b) {
			return [][]byte{b}
		}
		return [][]byte{b[:i], b[i:]}
	}
}

// checkChunking asserts that every feeder yields the same events as whole
// feeding, and returns the whole-feed sink. The seed is fixed and logged.
func checkChunking(t *testing.T, cfg *Config, segs []seg) *recSink {
	t.Helper()
	ref := run(cfg, segs, whole)
	want := ref.summary()
	feeders := map[string]func([]byte) [][]byte{"one-byte": oneByte}
	for seed := int64(1); seed <= 5; seed++ {
		feeders["random-"+string(rune('0'+seed))] = randomSplit(seed)
	}
	maxLen := 0
	for _, s := range segs {
		maxLen = max(maxLen, len(s.data))
	}
	if maxLen <= 600 {
		for i := 1; i < maxLen; i++ {
			if got := run(cfg, segs, splitAt(i)).summary(); got != want {
				t.Fatalf("split at %d differs:\n%s\nwant:\n%s", i, got, want)
			}
		}
	}
	for name, f := range feeders {
		if got := run(cfg, segs, f).summary(); got != want {
			t.Fatalf("feeder %s differs:\n%s\nwant:\n%s", name, got, want)
		}
	}
	return ref
}

var (
	sess  uint64 = 0x400000000011
	tree1 uint32 = 1
	fidA         = fidOf(0x55)
)

// setup2 is a tree connect to \\srv\c$ and a CREATE of name returning fid.
func setup2(name string, fid fileID) []seg {
	return []seg{
		cli(nbss(negotiateReq(h2{msgID: 0}, 0x202, 0x210))),
		srv(nbss(negotiateResp(h2{msgID: 0}, 0x210))),
		cli(nbss(treeConnectReq(h2{msgID: 1, session: sess}, `\\srv\c$`))),
		srv(nbss(treeConnectResp(h2{msgID: 1, session: sess, tree: tree1}, smb2ShareDisk))),
		cli(nbss(createReq(h2{msgID: 2, session: sess, tree: tree1}, `temp\file.exe`, 1, 0))),
		srv(nbss(createResp(h2{msgID: 2, session: sess, tree: tree1}, fid, 100))),
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

type fileWant struct {
	name    string
	dir     app.Direction
	content []byte
	gaps    int64
	closed  bool
}

func checkFiles(t *testing.T, s *recSink, want []fileWant) {
	t.Helper()
	if len(s.order) != len(want) {
		t.Fatalf("got %d files, want %d\n%s", len(s.order), len(want), s.summary())
	}
	for i, w := range want {
		f := s.files[s.order[i]]
		if f.meta.Name != w.name || f.meta.Direction != w.dir {
			t.Errorf("file %d: name %q dir %v, want %q %v", i, f.meta.Name, f.meta.Direction, w.name, w.dir)
		}
		if !bytes.Equal(f.content(), w.content) {
			t.Errorf("file %d: content %d bytes differs from %d wanted", i, f.size(), len(w.content))
		}
		if f.gaps != w.gaps || f.closed != w.closed {
			t.Errorf("file %d: gaps %d closed %v, want %d %v", i, f.gaps, f.closed, w.gaps, w.closed)
		}
	}
}

func TestSMB2Table(t *testing.T) {
	data := pattern(3000)
	big := pattern(70000) // larger than the default header buffer
	cases := []struct {
		name      string
		segs      []seg
		files     []fileWant
		anomalies []string
	}{
		{
			name: "write-then-close",
			segs: append(setup2("f", fidA),
				cli(nbss(writeReq(h2{msgID: 3, session: sess, tree: tree1}, fidA, 0, data[:1000], 0))),
				srv(nbss(writeResp(h2{msgID: 3, session: sess, tree: tree1}, 1000))),
				cli(nbss(writeReq(h2{msgID: 4, session: sess, tree: tree1}, fidA, 1000, data[1000:], 16))),
				cli(nbss(closeReq(h2{msgID: 5, session: sess, tree: tree1}, fidA))),
				srv(nbss(closeResp(h2{msgID: 5, session: sess, tree: tree1})))),
			files: []fileWant{{name: `temp\file.exe`, dir: app.ToServer, content: data, closed: true}},
		},
		{
			name: "read-out-of-order-responses",
			segs: append(setup2("f", fidA),
				cli(nbss(readReq(h2{msgID: 3, session: sess, tree: tree1}, fidA, 0, 1500))),
				cli(nbss(readReq(h2{msgID: 4, session: sess, tree: tree1}, fidA, 1500, 1500))),
				srv(nbss(readResp(h2{msgID: 4, session: sess, tree: tree1}, data[1500:]))),
				srv(nbss(readResp(h2{msgID: 3, session: sess, tree: tree1}, data[:1500]))),
				cli(nbss(closeReq(h2{msgID: 5, session: sess, tree: tree1}, fidA)))),
			files: []fileWant{{name: `temp\file.exe`, dir: app.ToClient, content: data, closed: true}},
		},
		{
			name: "async-read",
			segs: append(setup2("f", fidA),
				cli(nbss(readReq(h2{msgID: 3, session: sess, tree: tree1}, fidA, 0, 3000))),
				srv(nbss(interim(h2{cmd: smb2Read, msgID: 3, session: sess, asyncID: 9}))),
				srv(nbss(readResp(h2{msgID: 3, session: sess, async: true, asyncID: 9}, data)))),
			files: []fileWant{{name: `temp\file.exe`, dir: app.ToClient, content: data, closed: true}},
		},
		{
			name: "big-read-streamed",
			segs: append(setup2("f", fidA),
				cli(nbss(readReq(h2{msgID: 3, session: sess, tree: tree1}, fidA, 0, uint32(len(big))))),
				srv(nbss(readResp(h2{msgID: 3, session: sess, tree: tree1}, big)))),
			files: []fileWant{{name: `temp\file.exe`, dir: app.ToClient, content: big, closed: true}},
		},
		{
			name: "compound-create-write-close",
			segs: []seg{
				cli(nbss(treeConnectReq(h2{msgID: 1, session: sess}, `\\srv\share`))),
				srv(nbss(treeConnectResp(h2{msgID: 1, session: sess, tree: tree1}, smb2ShareDisk))),
				cli(nbss(compound(
					createReq(h2{msgID: 2, session: sess, tree: tree1}, `new.txt`, 5, 0),
					writeReq(h2{msgID: 3, session: sess, tree: tree1, related: true}, allOnesFID, 0, data[:500], 0),
				))),
				srv(nbss(compound(
					createResp(h2{msgID: 2, session: sess, tree: tree1}, fidA, 0),
					writeResp(h2{msgID: 3, session: sess, tree: tree1}, 500),
				))),
				cli(nbss(writeReq(h2{msgID: 4, session: sess, tree: tree1}, fidA, 500, data[500:], 0))),
				cli(nbss(closeReq(h2{msgID: 5, session: sess, tree: tree1}, fidA))),
			},
			files: []fileWant{{name: "new.txt", dir: app.ToServer, content: data, closed: true}},
		},
		{
			name: "compound-create-read-close",
			segs: []seg{
				cli(nbss(compound(
					createReq(h2{msgID: 2, session: sess, tree: tree1}, `r.bin`, 1, 0),
					readReq(h2{msgID: 3, session: sess, tree: tree1, related: true}, allOnesFID, 0, 3000),
					closeReq(h2{msgID: 4, session: sess, tree: tree1, related: true}, allOnesFID),
				))),
				srv(nbss(compound(
					createResp(h2{msgID: 2, session: sess, tree: tree1}, fidA, 3000),
					readResp(h2{msgID: 3, session: sess, tree: tree1}, data),
					closeResp(h2{msgID: 4, session: sess, tree: tree1}),
				))),
			},
			files: []fileWant{{name: "r.bin", dir: app.ToClient, content: data, closed: true}},
		},
		{
			name: "midstream-write-without-create",
			segs: []seg{
				cli(data[:37]), // tail of a record we never saw the start of
				cli(nbss(writeReq(h2{msgID: 9, session: sess, tree: tree1}, fidA, 0, data[:200], 0))),
			},
			files: []fileWant{{name: "", dir: app.ToServer, content: data[:200], closed: true}},
		},
		{
			name: "named-pipe-is-not-a-file",
			segs: []seg{
				cli(nbss(treeConnectReq(h2{msgID: 1, session: sess}, `\\srv\IPC$`))),
				srv(nbss(treeConnectResp(h2{msgID: 1, session: sess, tree: 5}, smb2SharePipe))),
				cli(nbss(createReq(h2{msgID: 2, session: sess, tree: 5}, `lsarpc`, 1, 0))),
				srv(nbss(createResp(h2{msgID: 2, session: sess, tree: 5}, fidA, 0))),
				cli(nbss(writeReq(h2{msgID: 3, session: sess, tree: 5}, fidA, 0, data[:100], 0))),
			},
		},
		{
			name: "gap-inside-write-data",
			segs: append(setup2("f", fidA),
				cli(nbss(writeReq(h2{msgID: 3, session: sess, tree: tree1}, fidA, 0, big, 0))[:20000]),
				seg{dir: app.ToServer, gap: 10000},
				cli(nbss(writeReq(h2{msgID: 3, session: sess, tree: tree1}, fidA, 0, big, 0))[30000:]),
				cli(nbss(writeReq(h2{msgID: 4, session: sess, tree: tree1}, fidA, 70000, data, 0)))),
			files: []fileWant{{name: `temp\file.exe`, dir: app.ToServer, gaps: 10000, closed: true,
				content: append(append(append(append([]byte(nil), big[:20000-4-112]...), make([]byte, 10000)...), big[30000-4-112:]...), data...)}},
		},
		{
			name: "encrypted",
			segs: []seg{
				cli(nbss(append([]byte{0xfd, 'S', 'M', 'B'}, make([]byte, 100)...))),
				srv(nbss(append([]byte{0xfd, 'S', 'M', 'B'}, make([]byte, 100)...))),
			},
			anomalies: []string{AnomalyEncrypted},
		},
		{
			name: "keepalive-and-session-request",
			segs: []seg{
				cli([]byte{0x81, 0, 0, 4, 'a', 'b', 'c', 'd'}),
				cli([]byte{0x85, 0, 0, 0}),
				cli(nbss(writeReq(h2{msgID: 9, session: sess, tree: tree1}, fidA, 0, data[:10], 0))),
			},
			files: []fileWant{{name: "", dir: app.ToServer, content: data[:10], closed: true}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := checkChunking(t, nil, tc.segs)
			checkFiles(t, s, tc.files)
			if strings.Join(s.anomalies, ",") != strings.Join(tc.anomalies, ",") {
				t.Errorf("anomalies %v, want %v", s.anomalies, tc.anomalies)
			}
		})
	}
}

func TestSMB2Transactions(t *testing.T) {
	segs := append(setup2("f", fidA),
		cli(nbss(readReq(h2{msgID: 3, session: sess, tree: tree1}, fidA, 0, 10))),
		srv(nbss(readResp(h2{msgID: 3, session: sess, tree: tree1}, pattern(10)))),
		cli(nbss(closeReq(h2{msgID: 4, session: sess, tree: tree1}, fidA))),
		srv(nbss(closeResp(h2{msgID: 4, session: sess, tree: tree1}))))
	s := checkChunking(t, nil, segs)
	var cmds []string
	for _, m := range s.txs {
		cmds = append(cmds, m["command"].(string))
	}
	want := "SMB2_COMMAND_NEGOTIATE_PROTOCOL SMB2_COMMAND_TREE_CONNECT SMB2_COMMAND_CREATE SMB2_COMMAND_READ SMB2_COMMAND_CLOSE"
	if got := strings.Join(cmds, " "); got != want {
		t.Fatalf("commands %q, want %q", got, want)
	}
	tc, cr, rd := s.txs[1], s.txs[2], s.txs[3]
	if tc["share"] != `\\srv\c$` || tc["tree_id"] != uint32(1) || tc["share_type"] != "FILE" {
		t.Errorf("tree connect %v", tc)
	}
	if cr["filename"] != `temp\file.exe` || cr["disposition"] != "FILE_OPEN" || cr["access"] != "normal" ||
		cr["fuid"] != "00000055-0000-0000-0055-0000ffffffff" || cr["size"] != uint64(100) || cr["created"] != int64(1607126400) {
		t.Errorf("create %v", cr)
	}
	if rd["filename"] != `temp\file.exe` || rd["share"] != `\\srv\c$` || rd["dialect"] != "2.10" ||
		rd["status"] != "STATUS_SUCCESS" || rd["status_code"] != "0x0" || rd["session_id"] != sess {
		t.Errorf("read %v", rd)
	}
	f := s.files[s.order[0]]
	if f.evePeek["command"] != "SMB2_COMMAND_READ" || f.meta.TxID != rd["id"].(uint64)-1 {
		t.Errorf("file tx %v txid %d", f.evePeek, f.meta.TxID)
	}
}

func TestSMB1Table(t *testing.T) {
	data := pattern(5000)
	hc := h1{tid: 2048, pid: 1, uid: 100}
	cases := []struct {
		name  string
		segs  []seg
		files []fileWant
	}{
		{
			name: "write-andx-padding-high-offset",
			segs: []seg{
				cli(nbss(treeConnect1(withMID(hc, 1), `\\SRV\SHARE`, "?????"))),
				srv(nbss(treeConnectResp1(withMID(hc, 1), "A:"))),
				cli(nbss(ntCreateReq1(withMID(hc, 2), `\eicar`))),
				srv(nbss(ntCreateResp1(withMID(hc, 2), 0x4001))),
				cli(nbss(writeAndX1(withMID(hc, 3), 0x4001, 0, data[:68], 3))),
				cli(nbss(writeAndX1(withMID(hc, 4), 0x4001, 68, data[68:], 0))),
				cli(nbss(close1(withMID(hc, 5), 0x4001))),
				srv(nbss(closeResp1(withMID(hc, 5)))),
			},
			files: []fileWant{{name: `\eicar`, dir: app.ToServer, content: data, closed: true}},
		},
		{
			name: "read-andx",
			segs: []seg{
				cli(nbss(ntCreateReq1(withMID(hc, 2), `\doc.txt`))),
				srv(nbss(ntCreateResp1(withMID(hc, 2), 7))),
				cli(nbss(readAndX1(withMID(hc, 3), 7, 0, 4000))),
				srv(nbss(readAndXResp1(withMID(hc, 3), data[:4000]))),
				cli(nbss(readAndX1(withMID(hc, 4), 7, 4000, 1000))),
				srv(nbss(readAndXResp1(withMID(hc, 4), data[4000:]))),
			},
			files: []fileWant{{name: `\doc.txt`, dir: app.ToClient, content: data, closed: true}},
		},
		{
			name: "ipc-is-not-a-file",
			segs: []seg{
				cli(nbss(treeConnect1(withMID(hc, 1), `\\SRV\IPC$`, "?????"))),
				srv(nbss(treeConnectResp1(withMID(hc, 1), "IPC"))),
				cli(nbss(writeAndX1(withMID(hc, 3), 0x4001, 0, data[:68], 0))),
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := checkChunking(t, nil, tc.segs)
			checkFiles(t, s, tc.files)
			if len(s.anomalies) != 0 {
				t.Errorf("anomalies %v", s.anomalies)
			}
		})
	}
}

func withMID(h h1, mid uint16) h1 { h.mid = mid; return h }

func TestSMB1TreeConnectBuffers(t *testing.T) {
	hc := h1{tid: 0, pid: 1, uid: 100}
	s := run(nil, []seg{
		cli(nbss(treeConnect1(withMID(hc, 1), `\\SRV\IPC$`, "?????"))),
		srv(nbss(treeConnectResp1(h1{tid: 7, pid: 1, uid: 100, mid: 1}, "IPC"))),
	}, whole)
	if len(s.txs) != 1 || s.txs[0]["named_pipe"] != `\\SRV\IPC$` {
		t.Fatalf("txs %v", s.txs)
	}
}
