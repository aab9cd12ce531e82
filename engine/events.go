package engine

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/wirescan/wirescan/engine/detect"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/eve"
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/signatures"
)

// base fills the fields every flow event shares, oriented by dir (the
// direction of the bytes the event is about).
func (w *worker) base(c *conn, dir app.Direction, eventType string) *eve.Event {
	src, dst := c.endpoints(dir)
	ev := &eve.Event{
		Timestamp: w.now,
		FlowID:    c.id,
		PcapCnt:   w.pktNum,
		EventType: eventType,
		VLAN:      c.vlan,
		SrcIP:     src.Addr().String(),
		SrcPort:   src.Port(),
		DestIP:    dst.Addr().String(),
		DestPort:  dst.Port(),
		Proto:     "TCP",
	}
	if c.proto.Detected() {
		ev.AppProto = c.proto.String()
	}
	return ev
}

func attachTx(ev *eve.Event, tx app.Metadata) {
	if tx == nil {
		return
	}
	switch tx.AppProto() {
	case "http":
		ev.HTTP = tx.EVE()
	case "smb":
		ev.SMB = tx.EVE()
	case "dcerpc":
		ev.DCERPC = tx.EVE()
	}
}

// Alert implements detect.Alerter: a stream, packet, event or transaction
// rule matched.
func (c *conn) Alert(a detect.Alert) {
	ev := c.w.alertEvent(c, a.Dir, a.Match)
	if ev == nil {
		return
	}
	attachTx(ev, a.Tx)
	if c.w.e.cfg.Explain {
		ev.Wirescan.Explain = c.w.explain(c, a.Match, a.Tx, nil)
	}
	c.w.writeAlert(c, a.Dir, ev, a.Match.Rule, fileDigest{})
}

// fileAlert logs a file rule's match: the alert shows the file as it is now
// and the bytes that matched. While a policy names file hashes, an alert on
// an open file waits for the file's end (releaseDeferred).
func (w *worker) fileAlert(f *trackedFile, m signatures.Match) {
	fs := f.Value
	al := fs.alertState()
	al.sids = append(al.sids, m.Rule.SID)
	if m.Rule.Filestore {
		fs.conn.keepFiles(f, m.Rule.Store)
	}
	dir := f.Meta.Direction
	ev := w.alertEvent(fs.conn, dir, m)
	if ev == nil {
		return
	}
	attachTx(ev, f.Meta.Tx)
	txID := f.Meta.TxID
	ev.TxID = &txID
	fi := fileInfo(f)
	if f.State == files.StateOpen {
		fi.State = eve.StateOpen
	}
	storing := fs.store != nil && fs.store.storing
	fi.Storing = &storing
	ev.Files = []eve.FileInfo{*fi}
	if m.Offset >= 0 {
		if b := f.BytesBefore(m.Offset, matchContextBytes); len(b) > 0 {
			ev.Wirescan.MatchHex = hex.EncodeToString(b)
			ev.Wirescan.MatchPrintable = printable(b)
		}
	}
	if w.e.cfg.Explain {
		ev.Wirescan.Explain = w.explain(fs.conn, m, f.Meta.Tx, f)
	}
	if f.State == files.StateOpen && len(al.deferred) < maxDeferredAlerts && w.e.holdsForHash() {
		// The allowlist or a policy entry may silence this alert by the
		// file's hash, which is only known at the end of the file: the
		// alert waits for it.
		al.deferred = append(al.deferred, deferredAlert{ev: ev, dir: dir, rule: m.Rule})
		return
	}
	w.writeAlert(fs.conn, dir, ev, m.Rule, digestOf(f))
}

// maxDeferredAlerts bounds the alerts one file may hold back until its hash
// is known; beyond it alerts are decided without the hash.
const maxDeferredAlerts = 64

// deferredAlert is an alert on an open file waiting for the file's hash.
type deferredAlert struct {
	ev   *eve.Event
	dir  app.Direction
	rule *signatures.Rule
}

// writeAlert writes an alert unless a silencer holds it back (admit; each
// counts what it held back). d is the digest of the file the alert fired
// on, zero for other alerts.
func (w *worker) writeAlert(c *conn, dir app.Direction, ev *eve.Event, r *signatures.Rule, d fileDigest) {
	if !w.admit(c, dir, ev, r, d) {
		return
	}
	if c.evidence != nil {
		if name := w.e.evidence.Start(c.evidence, c.id); name != "" {
			ev.Wirescan.EvidencePcap = name
		}
	}
	c.alerted = true
	w.e.out.write(ev)
}

// releaseDeferred decides the alerts a file held back, now that its hash is
// known; their files[] entry shows the file as it ended.
func (w *worker) releaseDeferred(f *trackedFile) {
	fs := f.Value
	if fs.alerts == nil || len(fs.alerts.deferred) == 0 {
		return
	}
	fi := fileInfo(f)
	for _, d := range fs.alerts.deferred {
		if len(d.ev.Files) == 1 {
			storing := d.ev.Files[0].Storing
			d.ev.Files[0] = *fi
			d.ev.Files[0].Storing = storing
		}
		w.writeAlert(fs.conn, d.dir, d.ev, d.rule, digestOf(f))
	}
	fs.alerts.deferred = nil
}

// alertEvent counts an alert and builds its event: the flow, the signature,
// and where the rule came from and matched. It returns nil for noalert
// matches (their side effects, flowbits and filestore, are done).
func (w *worker) alertEvent(c *conn, dir app.Direction, m signatures.Match) *eve.Event {
	if m.NoAlert {
		return nil
	}
	w.stats.Alerts++
	w.e.countAlert(m.Rule.SID)
	r := m.Rule
	ev := w.base(c, dir, "alert")
	ev.Direction = dir.String()
	ev.Alert = &eve.Alert{
		Action:      "allowed",
		GID:         r.GID,
		SignatureID: r.SID,
		Rev:         r.Rev,
		Signature:   r.Msg,
		Category:    classtypeDescription(r.Classtype),
		Severity:    r.Priority,
		Metadata:    r.Metadata,
	}
	ev.Wirescan = &eve.Extra{
		RuleFile:       r.File,
		RuleLine:       r.Line,
		RulesetVersion: c.det.Set().Version(),
	}
	if m.Offset >= 0 {
		ev.Wirescan.MatchOffsets = []int64{m.Offset}
	}
	return ev
}

// matchContextBytes is how many file bytes up to a match's end an alert
// shows, so an analyst sees what matched without opening the file.
const matchContextBytes = 64

// printable renders b as Suricata's payload_printable does: printable ASCII
// as is, everything else as '.'.
func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 0x20 && c < 0x7f {
			out[i] = c
		} else {
			out[i] = '.'
		}
	}
	return string(out)
}

func fileInfo(f *trackedFile) *eve.FileInfo {
	fi := &eve.FileInfo{
		Filename: f.Meta.Name,
		Gaps:     f.Gaps,
		State:    string(f.State),
		Size:     f.Size,
		TxID:     f.Meta.TxID,
		Magic:    f.Magic,
	}
	if f.State != files.StateOpen {
		fi.MD5 = hex.EncodeToString(f.MD5)
		fi.SHA1 = hex.EncodeToString(f.SHA1)
		fi.SHA256 = hex.EncodeToString(f.SHA256)
	}
	if r := f.Meta.Range; r != nil {
		start, end := r.Start, r.End
		fi.Start, fi.End = &start, &end
	}
	return fi
}

func (w *worker) emitFileinfo(f *trackedFile) {
	fs := f.Value
	c := fs.conn
	ev := w.base(c, f.Meta.Direction, "fileinfo")
	txID := f.Meta.TxID
	ev.TxID = &txID
	attachTx(ev, f.Meta.Tx)
	ev.FileInfo = fileInfo(f)
	if fs.alerts != nil {
		ev.FileInfo.SID = fs.alerts.sids
	}
	if st := fs.store; st != nil && st.stored {
		ev.FileInfo.Stored = true
		ev.FileInfo.FileID = st.storeID
	}
	ev.Wirescan = &eve.Extra{FileSeen: f.Seen, FileMissing: f.Missing, FileOverflow: f.Overflow,
		FilePart: f.Part(), FileParts: f.Parts()}
	w.e.out.write(ev)
}

func (w *worker) emitAnomaly(c *conn, dir app.Direction, kind, name string) {
	if !w.e.out.wants("anomaly") || !w.admitAnomaly(kind, name) {
		return
	}
	ev := w.base(c, dir, "anomaly")
	ev.Anomaly = &eve.Anomaly{Type: kind, Event: name}
	if kind == "applayer" {
		ev.Anomaly.Layer = "proto_parser"
		ev.Anomaly.AppProto = ev.AppProto
	}
	w.e.out.write(ev)
}

func (w *worker) emitTransaction(c *conn, dir app.Direction, tx app.Metadata) {
	if !w.e.out.wants(tx.AppProto()) {
		return
	}
	ev := w.base(c, app.ToServer, tx.AppProto())
	attachTx(ev, tx)
	w.e.out.write(ev)
}

func (w *worker) emitFlow(c *conn, reason string) {
	if !w.e.out.wants("flow") || (!c.payload && !c.alerted && w.e.cfg.FlowLog != FlowLogAll) {
		return
	}
	ev := w.base(c, app.ToServer, "flow")
	ev.PcapCnt = 0
	state, tcpState := c.states()
	all := c.tcpFlags[0] | c.tcpFlags[1]
	ev.TCP = &eve.TCP{
		TCPFlags:   fmt.Sprintf("%02x", all),
		TCPFlagsTS: fmt.Sprintf("%02x", c.tcpFlags[app.ToServer]),
		TCPFlagsTC: fmt.Sprintf("%02x", c.tcpFlags[app.ToClient]),
		SYN:        all&flagSYN != 0,
		FIN:        all&flagFIN != 0,
		RST:        all&flagRST != 0,
		PSH:        all&flagPSH != 0,
		ACK:        all&flagACK != 0,
		State:      tcpState,
		TSGap:      c.gaps[app.ToServer] > 0,
		TCGap:      c.gaps[app.ToClient] > 0,
	}
	ev.Flow = &eve.Flow{
		PktsToServer:  c.pkts[app.ToServer],
		PktsToClient:  c.pkts[app.ToClient],
		BytesToServer: c.bytes[app.ToServer],
		BytesToClient: c.bytes[app.ToClient],
		Start:         c.start,
		End:           c.last,
		Age:           int64(c.last.Sub(c.start) / time.Second),
		State:         state,
		Reason:        reason,
		Alerted:       c.alerted,
	}
	if c.proto == app.Failed {
		ev.AppProto = "failed"
	}
	w.e.out.write(ev)
}

// states returns the flow state and the TCP state a flow event logs, from
// the flags each side sent: "closed" after FINs both ways or a RST,
// "established" once data or a handshake was seen, "new" before.
func (c *conn) states() (flowState, tcpState string) {
	ts, tc := c.tcpFlags[app.ToServer], c.tcpFlags[app.ToClient]
	switch {
	case (ts|tc)&flagRST != 0, ts&flagFIN != 0 && tc&flagFIN != 0:
		return "closed", "closed"
	case ts&flagFIN != 0:
		return "established", "fin_wait1"
	case tc&flagFIN != 0:
		return "established", "close_wait"
	case c.pkts[app.ToServer] > 0 && c.pkts[app.ToClient] > 0 && (ts|tc)&flagACK != 0:
		return "established", "established"
	case ts&flagSYN != 0 && tc&flagSYN != 0:
		return "new", "syn_recv"
	case ts&flagSYN != 0:
		return "new", "syn_sent"
	}
	return "new", "none"
}
