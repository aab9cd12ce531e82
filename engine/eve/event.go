package eve

import "time"

// Event is one EVE line. The json tags are Suricata's key names; empty
// optional fields are left out so that each event type carries only the keys
// Suricata would log for it.
//
// Event is a plain value: the engine fills it and the Writer encodes it
// without keeping a reference after Write returns.
type Event struct {
	// Timestamp is the packet time of the event, written in UTC as
	// 2006-01-02T15:04:05.000000+0000.
	Timestamp time.Time `json:"timestamp"`
	// FlowID correlates all events of one flow; omitted when 0.
	FlowID uint64 `json:"flow_id,omitempty"`
	// PcapCnt is the 1-based number of the packet in the capture that caused
	// the event; omitted when 0 (live capture or pseudo packets).
	PcapCnt uint64 `json:"pcap_cnt,omitempty"`
	// EventType selects the payload object: "alert", "fileinfo", "http",
	// "smb", "anomaly", "flow", "frame", "stats".
	EventType string `json:"event_type"`
	// Host is the sensor name (Suricata's "host", from sensor-name), so
	// that events collected from many sensors say where they were seen.
	Host string `json:"host,omitempty"`
	// VLAN lists the VLAN ids of the packet, outermost first.
	VLAN []uint16 `json:"vlan,omitempty"`
	// SrcIP is the source address (for flow-level events, the client).
	SrcIP string `json:"src_ip,omitempty"`
	// SrcPort is the source TCP port.
	SrcPort uint16 `json:"src_port,omitempty"`
	// DestIP is the destination address (for flow-level events, the server).
	DestIP string `json:"dest_ip,omitempty"`
	// DestPort is the destination TCP port.
	DestPort uint16 `json:"dest_port,omitempty"`
	// Proto is the transport protocol name as Suricata spells it ("TCP").
	Proto string `json:"proto,omitempty"`
	// Direction is "to_server" or "to_client": which way the bytes that
	// caused the event travelled (alerts, fileinfo).
	Direction string `json:"direction,omitempty"`
	// TxID is the protocol transaction id; a pointer because 0 is a valid id
	// that must still be written.
	TxID *uint64 `json:"tx_id,omitempty"`
	// Alert is the signature that fired (event_type "alert").
	Alert *Alert `json:"alert,omitempty"`
	// AppProto is the application protocol of the flow ("http", "smb").
	AppProto string `json:"app_proto,omitempty"`
	// HTTP is the HTTP transaction object (app.Metadata.EVE()) for "http",
	// "fileinfo" and "alert" events.
	HTTP any `json:"http,omitempty"`
	// SMB is the SMB transaction object (app.Metadata.EVE()).
	SMB any `json:"smb,omitempty"`
	// DCERPC is the DCERPC call object of a "dcerpc" event (DCERPC over
	// TCP; over SMB named pipes it is smb.dcerpc).
	DCERPC any `json:"dcerpc,omitempty"`
	// FileInfo is the file record of a "fileinfo" event.
	FileInfo *FileInfo `json:"fileinfo,omitempty"`
	// Files lists the files an alert fired on ("files" in alert events).
	Files []FileInfo `json:"files,omitempty"`
	// Anomaly describes a protocol or stream anomaly (event_type "anomaly").
	Anomaly *Anomaly `json:"anomaly,omitempty"`
	// Flow is the flow record of a "flow" event (or the flow summary of an
	// alert).
	Flow *Flow `json:"flow,omitempty"`
	// TCP is the TCP summary of a flow event (flags seen, state).
	TCP *TCP `json:"tcp,omitempty"`
	// Frame is the application frame of a "frame" event, or the frame a
	// frame rule alerted on.
	Frame *Frame `json:"frame,omitempty"`
	// Stats is the statistics object of a "stats" event. Only keys that
	// Suricata's schema knows may appear in it; wirescan-only counters go to
	// Prometheus metrics or to Wirescan.
	Stats any `json:"stats,omitempty"`
	// Wirescan holds wirescan's own additions; the only key Suricata's
	// schema does not know.
	Wirescan *Extra `json:"wirescan,omitempty"`
}

// Alert is the "alert" object: which signature fired and what it says about
// the traffic. Field names and types follow Suricata's alert logger.
type Alert struct {
	// Action is "allowed" (wirescan is passive) or "blocked".
	Action string `json:"action"`
	// GID is the generator id (1 for rule-file signatures).
	GID int `json:"gid"`
	// SignatureID is the rule's sid.
	SignatureID int `json:"signature_id"`
	// Rev is the rule's revision.
	Rev int `json:"rev"`
	// Signature is the rule's msg.
	Signature string `json:"signature"`
	// Category is the classtype description; omitted when the rule has none.
	Category string `json:"category,omitempty"`
	// Severity is the priority, 1 (highest) to 255.
	Severity int `json:"severity"`
	// Metadata is the rule's metadata keyword, each key with its values.
	Metadata map[string][]string `json:"metadata,omitempty"`
	// Rule is the rule text, when logging of rules is enabled.
	Rule string `json:"rule,omitempty"`
}

// FileInfo is a file record: the "fileinfo" object of fileinfo events and an
// element of an alert's "files" array. Key names are Suricata's.
type FileInfo struct {
	// Filename is the name the protocol carried (URI path, multipart filename
	// or SMB path), never sanitised: it is attacker-controlled text.
	Filename string `json:"filename"`
	// SID lists the signature ids that matched the file.
	SID []int `json:"sid,omitempty"`
	// Magic is the detected file type.
	Magic string `json:"magic,omitempty"`
	// Gaps is true when bytes of the file were never seen.
	Gaps bool `json:"gaps"`
	// State is "CLOSED", "TRUNCATED", "ERROR" or "OPEN" (see the State
	// constants).
	State string `json:"state"`
	// MD5 is the lowercase hex MD5 of the file when it was computed.
	MD5 string `json:"md5,omitempty"`
	// SHA1 is the lowercase hex SHA-1 of the file when it was computed.
	SHA1 string `json:"sha1,omitempty"`
	// SHA256 is the lowercase hex SHA-256 of the file when it was computed.
	SHA256 string `json:"sha256,omitempty"`
	// Stored is true when the file was written to the file store.
	Stored bool `json:"stored"`
	// Storing is set while a file store write is in progress (Suricata logs
	// it in alert files[] for files still open when the alert fires).
	Storing *bool `json:"storing,omitempty"`
	// FileID is the file store id; omitted when the file was not stored.
	FileID uint64 `json:"file_id,omitempty"`
	// Size is the number of file bytes seen (holes excluded).
	Size int64 `json:"size"`
	// TxID is the protocol transaction the file belongs to.
	TxID uint64 `json:"tx_id"`
	// Start is the first byte offset of an HTTP range response.
	Start *int64 `json:"start,omitempty"`
	// End is the last byte offset of an HTTP range response.
	End *int64 `json:"end,omitempty"`
}

// File states, as Suricata writes them in fileinfo "state".
const (
	// StateClosed is a file that ended normally.
	StateClosed = "CLOSED"
	// StateTruncated is a file that ended before all its bytes arrived.
	StateTruncated = "TRUNCATED"
	// StateError is a file whose processing failed.
	StateError = "ERROR"
	// StateOpen is a file still in progress (alerts fired mid-file).
	StateOpen = "OPEN"
)

// Anomaly is the "anomaly" object: something odd in the traffic that is not
// a signature match.
type Anomaly struct {
	// Type is "applayer", "stream" or "decode".
	Type string `json:"type"`
	// Event is the stable snake_case anomaly name ("http.multiple_content_length").
	Event string `json:"event"`
	// Layer is where an applayer anomaly was found ("proto_parser",
	// "proto_detect"); omitted for other types.
	Layer string `json:"layer,omitempty"`
	// AppProto is the application protocol of an applayer anomaly.
	AppProto string `json:"app_proto,omitempty"`
}

// Frame is the "frame" object: one application-layer PDU located in a
// direction's byte stream (Suricata frames: "smb2.hdr", "request", ...).
type Frame struct {
	// ID numbers the frames of a flow, from 1.
	ID uint64 `json:"id"`
	// Type is the frame type as Suricata logs it ("smb2.pdu", "request").
	Type string `json:"type"`
	// Direction is "toserver" or "toclient" (Suricata's frame spelling).
	Direction string `json:"direction"`
	// StreamOffset is the offset of the frame's first byte in its stream.
	StreamOffset int64 `json:"stream_offset"`
	// Length is the frame's length in bytes.
	Length int64 `json:"length"`
	// Complete is true when every byte of the frame was seen.
	Complete bool `json:"complete"`
	// Payload is the frame's first bytes (at most 4095), with each hole
	// written as "[N bytes missing]"; base64 in JSON.
	Payload []byte `json:"payload,omitempty"`
	// PayloadPrintable is Payload with unprintable bytes as '.'.
	PayloadPrintable string `json:"payload_printable,omitempty"`
	// TxID is the transaction the frame belongs to, when known.
	TxID *uint64 `json:"tx_id,omitempty"`
}

// TCP is the "tcp" object of a flow event: the TCP flags seen in each
// direction (hex, as Suricata logs them) and the connection's final state.
type TCP struct {
	TCPFlags   string `json:"tcp_flags,omitempty"`
	TCPFlagsTS string `json:"tcp_flags_ts,omitempty"`
	TCPFlagsTC string `json:"tcp_flags_tc,omitempty"`
	SYN        bool   `json:"syn,omitempty"`
	FIN        bool   `json:"fin,omitempty"`
	RST        bool   `json:"rst,omitempty"`
	PSH        bool   `json:"psh,omitempty"`
	ACK        bool   `json:"ack,omitempty"`
	State      string `json:"state,omitempty"`
	TSGap      bool   `json:"ts_gap,omitempty"`
	TCGap      bool   `json:"tc_gap,omitempty"`
}

// Flow is the "flow" object: per-direction counters and the flow's life span.
type Flow struct {
	// PktsToServer counts packets from client to server.
	PktsToServer uint64 `json:"pkts_toserver"`
	// PktsToClient counts packets from server to client.
	PktsToClient uint64 `json:"pkts_toclient"`
	// BytesToServer counts bytes (IP layer) from client to server.
	BytesToServer uint64 `json:"bytes_toserver"`
	// BytesToClient counts bytes (IP layer) from server to client.
	BytesToClient uint64 `json:"bytes_toclient"`
	// Start is the time of the flow's first packet.
	Start time.Time `json:"start"`
	// End is the time of the flow's last packet.
	End time.Time `json:"end"`
	// Age is the flow's duration in whole seconds.
	Age int64 `json:"age"`
	// State is the TCP state at the end ("new", "established", "closed").
	State string `json:"state,omitempty"`
	// Reason is why the flow was logged ("timeout", "forced", "shutdown").
	Reason string `json:"reason,omitempty"`
	// Alerted is true when any alert fired on the flow.
	Alerted bool `json:"alerted"`
}

// Extra is the top-level "wirescan" object: what wirescan adds to Suricata's
// layout so an analyst can see why a file matched and how complete it was.
// The key names are stable: dashboards may depend on them.
type Extra struct {
	// MatchOffsets are the file offsets (for file rules) or stream offsets at
	// which the patterns of the firing rule matched, in match order.
	MatchOffsets []int64 `json:"match_offsets,omitempty"`
	// RuleFile is the rule file that defined the signature.
	RuleFile string `json:"rule_file,omitempty"`
	// RuleLine is the 1-based line of the signature in RuleFile.
	RuleLine int `json:"rule_line,omitempty"`
	// RulesetVersion identifies the compiled signature set that matched, so
	// an alert can be traced to a reload.
	RulesetVersion string `json:"ruleset_version,omitempty"`
	// Engine names the signature family: "suricata", "clamav-ndb",
	// "clamav-hash".
	Engine string `json:"engine,omitempty"`
	// FileSeen counts file bytes delivered to the scanner.
	FileSeen int64 `json:"file_seen,omitempty"`
	// FileMissing counts file bytes never seen (holes).
	FileMissing int64 `json:"file_missing,omitempty"`
	// FileOverflow counts file bytes dropped by a reassembly or depth limit.
	FileOverflow int64 `json:"file_overflow,omitempty"`
	// EvidencePcap names the evidence pcap of the alert's flow (a file in
	// the evidence directory, named by flow id).
	EvidencePcap string `json:"evidence_pcap,omitempty"`
	// MatchHex and MatchPrintable show the file bytes that end at the match
	// offset (up to 64, as far as the engine still holds them): what the
	// signature saw, without opening the file.
	MatchHex       string `json:"match_hex,omitempty"`
	MatchPrintable string `json:"match_printable,omitempty"`
	// IncidentID groups repeated identical alerts into one incident.
	IncidentID uint64 `json:"incident_id,omitempty"`
	// IncidentCount is how many hits this event stands for when policy
	// aggregated a flood of identical alerts (omitted for a single hit).
	IncidentCount uint64 `json:"incident_count,omitempty"`
	// IncidentFirst and IncidentLast bound an incident's hits (packet time),
	// in "incident" summary events.
	IncidentFirst string `json:"incident_first,omitempty"`
	IncidentLast  string `json:"incident_last,omitempty"`
	// IncidentEvicted marks an incident closed early because the incident
	// table was full: later identical hits open a new incident.
	IncidentEvicted bool `json:"incident_evicted,omitempty"`
	// AnomalySuppressed is, in an anomaly summary event, how many events of
	// that anomaly name were held back by the anomaly-rate limit since
	// AnomalySince (packet time).
	AnomalySuppressed uint64 `json:"anomaly_suppressed,omitempty"`
	AnomalySince      string `json:"anomaly_since,omitempty"`
	// PolicyRule is the index of the policy entry that aggregated the alert.
	PolicyRule *int `json:"policy_rule,omitempty"`
	// RateFilterAction is the new_action of the threshold.config
	// rate_filter in effect for the alert ("drop", "reject", ...): wirescan
	// is passive and still logs the alert, with the action an inline
	// sensor would have taken.
	RateFilterAction string `json:"rate_filter_action,omitempty"`
	// Silenced is the stats event's account of alerts that matched but
	// were not logged, per mechanism and signature (never invisible).
	Silenced *Silenced `json:"silenced,omitempty"`
	// Explain says why an alert's rule matched (with --explain): each
	// content and pcre of the rule, where it matched and the bytes around.
	Explain *Explanation `json:"explain,omitempty"`
	// Outputs is the stats event's account of each output: what it was
	// given, delivered, spooled and lost.
	Outputs []OutputCounters `json:"outputs,omitempty"`
	// FilePart marks, in a fileinfo, a file whose bytes were also joined
	// into a file of their own (an HTTP range, or one connection's share of
	// an SMB file carried by several connections): the whole file is
	// logged, scanned and hashed as that joined file. An SMB part carries no
	// hashes (its bytes are not one contiguous file).
	FilePart bool `json:"file_part,omitempty"`
	// FileParts is, in the fileinfo of a joined file, how many part files
	// (connections' pieces) it was joined from.
	FileParts int `json:"file_parts,omitempty"`
	// FileJoin is the stats event's account of files joined across
	// connections and workers, and of what the joiner's limits cost;
	// omitted while nothing was joined or dropped.
	FileJoin *FileJoin `json:"file_join,omitempty"`
	// XBits is the stats event's account of the xbits table; omitted
	// while no bit was ever set.
	XBits *XBits `json:"xbits,omitempty"`
}

// XBits counts, in "stats" events, the engine's table of xbits (bits shared
// by the connections of a host or address pair).
type XBits struct {
	// Entries are the bits held now; Limit is detect.xbits-max.
	Entries int `json:"entries"`
	Limit   int `json:"limit"`
	// Evicted counts unexpired bits dropped at the limit to make room for
	// a new one; Expired bits removed once their lifetime had passed.
	Evicted uint64 `json:"evicted"`
	Expired uint64 `json:"expired"`
}

// FileJoin counts, in "stats" events, the work of the file joiner (see the
// files package): joined files, their parts, and every piece or file its
// limits dropped.
type FileJoin struct {
	// Joined counts joined files opened; Parts the part files joined.
	Joined uint64 `json:"joined"`
	Parts  uint64 `json:"parts"`
	// ForwardedBytes counts piece bytes handed to the worker that owns
	// the joined file; DroppedBytes those dropped at
	// files.max-join-waiting-bytes (the joined file has holes there).
	ForwardedBytes uint64 `json:"forwarded_bytes"`
	DroppedBytes   uint64 `json:"dropped_bytes"`
	// Refused counts files not joined because a limit was reached;
	// Evicted joined files closed early to make room; Expired joined files
	// (or files waiting for a durable-handle reconnect) closed by
	// files.join-timeout.
	Refused uint64 `json:"refused"`
	Evicted uint64 `json:"evicted"`
	Expired uint64 `json:"expired"`
	// CandidatesEvicted counts SMB opens forgotten at
	// files.max-join-candidates: another connection's pieces of them are
	// no longer joined.
	CandidatesEvicted uint64 `json:"candidates_evicted"`
}

// OutputCounters is one output's delivery account in "stats" events.
type OutputCounters struct {
	// Name is the output's label (file0, redis0, nats0, ...).
	Name string `json:"name"`
	// Events were handed to the output; Delivered were acknowledged by
	// its sink; Dropped were lost (spool full, line too large).
	Events    uint64 `json:"events"`
	Delivered uint64 `json:"delivered"`
	Dropped   uint64 `json:"dropped"`
	Errors    uint64 `json:"errors"`
	// Spooled lines wait on disk now; Queued in memory.
	Spooled int64 `json:"spooled"`
	Queued  int64 `json:"queued"`
}

// Silenced counts alerts that were not logged, in "stats" events.
type Silenced struct {
	// Policy counts alerts dropped by policy suppress entries; Aggregated
	// those folded into an incident.
	Policy     uint64 `json:"policy"`
	Aggregated uint64 `json:"aggregated"`
	// Suppressed, Thresholded and RatePassed count threshold.config
	// suppress entries, thresholds (entries and rule keywords) and
	// rate_filter "pass" actions.
	Suppressed  uint64 `json:"suppressed"`
	Thresholded uint64 `json:"thresholded"`
	RatePassed  uint64 `json:"rate_passed"`
	// Allowlisted counts alerts on files whose hash is on the allowlist.
	Allowlisted uint64 `json:"allowlisted"`
	// BySID splits every count by signature id.
	BySID map[string]SilencedSID `json:"by_sid,omitempty"`
}

// SilencedSID is one signature's part of Silenced.
type SilencedSID struct {
	Policy      uint64 `json:"policy,omitempty"`
	Suppressed  uint64 `json:"suppressed,omitempty"`
	Thresholded uint64 `json:"thresholded,omitempty"`
	Allowlisted uint64 `json:"allowlisted,omitempty"`
}

// Explanation is why an alert's rule matched: what the rule inspects, where
// each of its elements matched, the bytes around each match, and where the
// rule comes from. A partial explanation (Located false) still lists the
// elements: their occurrences lay before the bytes the engine still held.
type Explanation struct {
	// Rule is the rule's origin ("rules/local.rules:12", "builtin"), Rev its
	// revision and Ruleset the version (hash) of the set it came from.
	Rule    string `json:"rule"`
	Rev     int    `json:"rev"`
	Ruleset string `json:"ruleset"`
	// Located is true when every element was placed.
	Located bool `json:"located"`
	// Parts are the rule's contents and pcres, in rule order.
	Parts []ExplainPart `json:"parts,omitempty"`
	// Facts are conditions decided on end-of-file facts (hashes, size).
	Facts []string `json:"facts,omitempty"`
	// Note says what could not be explained, and why.
	Note string `json:"note,omitempty"`
}

// ExplainPart is one element of the rule and its occurrence.
type ExplainPart struct {
	// Buffer is what the element inspects ("file_data", "http.uri", ...).
	Buffer string `json:"buffer"`
	// Kind is "content" or "pcre"; Pattern the element as written;
	// Options its modifiers.
	Kind    string `json:"kind"`
	Pattern string `json:"pattern"`
	Options string `json:"options,omitempty"`
	Negated bool   `json:"negated,omitempty"`
	// Start and End locate the occurrence [Start, End) in the buffer (file
	// offsets for file data); absent when not located or negated.
	Start *int64 `json:"start,omitempty"`
	End   *int64 `json:"end,omitempty"`
	// Context are the bytes around the occurrence, from ContextStart, in
	// hex: what an analyst would see in a hex editor.
	ContextStart *int64 `json:"context_start,omitempty"`
	Context      string `json:"context_hex,omitempty"`
}
