package smb

import (
	"fmt"

	"github.com/wirescan/wirescan/engine/app"
	"github.com/wirescan/wirescan/engine/dcerpc"
)

// txKind says which command-specific fields a Tx carries.
type txKind uint8

const (
	txGeneric txKind = iota
	txNegotiate
	txSession
	txTree
	txCreate
	txFile
	txRename
	txSetFileInfo
	txDCERPC
	txQueryInfo // SMB1 TRANS2 QUERY_PATH_INFO / QUERY_FILE_INFO
)

// hostInfo is the native OS and LAN manager strings of an SMB1 session setup.
type hostInfo struct{ os, lm string }

// ntlmInfo is what an NTLMSSP AUTHENTICATE message reveals.
type ntlmInfo struct {
	domain, user, host, version string
	hasVersion                  bool
}

// Tx is one SMB transaction: a request and its response (or, for file
// transfers, every READ or WRITE of one file in one direction). It implements
// app.Metadata. A Tx is owned by the Parser; the engine may read it inside
// Sink callbacks and, when it is a file's FileMeta.Tx, until the file closes.
// It is not safe for concurrent use.
type Tx struct {
	id        uint64
	version   uint8 // 1 or 2
	command   uint16
	dialect   string
	statusSet bool
	ntStatus  bool // status is an NTSTATUS; else a DOS class/code
	status    uint32
	dosClass  uint8
	dosCode   uint16
	sessionID uint64
	treeID    uint32

	kind            txKind
	filename        string
	directory       bool
	share           string
	pipe            bool
	shareType       uint8
	fuid            string
	disposition     uint32
	deleteOnClose   bool
	created         int64
	accessed        int64
	modified        int64
	changed         int64
	size            uint64
	timesSet        bool
	ntlm            *ntlmInfo
	request         *hostInfo
	response        *hostInfo
	clientDialects  []string
	serverGUID      string
	renameFrom      string
	renameTo        string
	setInfoClass    uint8
	subcmd          uint16 // SMB1 TRANS2 subcommand of txSetFileInfo and txQueryInfo
	infoLevel       uint16 // SMB1 TRANS2 information level
	sizeSet         bool   // txQueryInfo: size is the file's end of file
	reported        bool
	treeServiceReq  string
	treeServiceResp string
	dce             *dcerpc.Call
}

// ID is the transaction number within its connection (EVE smb.id), from 1.
func (t *Tx) ID() uint64 { return t.id }

// Command is the EVE command name, e.g. "SMB2_COMMAND_READ".
func (t *Tx) Command() string {
	if t.version == 1 {
		return smb1CommandName(uint8(t.command))
	}
	return smb2CommandName(t.command)
}

// Filename is the file name the transaction refers to, "" when unknown.
func (t *Tx) Filename() string { return t.filename }

// Share is the share (or named pipe) path of a tree connect or file transfer.
func (t *Tx) Share() string { return t.share }

// AppProto returns "smb", the EVE app_proto and object key.
func (t *Tx) AppProto() string { return "smb" }

// setNTStatus records an NTSTATUS result.
func (t *Tx) setNTStatus(s uint32) {
	t.statusSet, t.ntStatus, t.status = true, true, s
}

// setDOSError records an SMB1 DOS-style error.
func (t *Tx) setDOSError(class uint8, code uint16) {
	t.statusSet, t.ntStatus, t.dosClass, t.dosCode = true, false, class, code
}

// EVE returns a new map laid out like Suricata's EVE "smb" object. The map
// and its contents do not alias the Tx.
func (t *Tx) EVE() any {
	m := map[string]any{
		"id":         t.id,
		"dialect":    t.dialect,
		"command":    t.Command(),
		"session_id": t.sessionID,
		"tree_id":    t.treeID,
	}
	if t.statusSet {
		if t.ntStatus {
			m["status"] = ntStatusName(t.status)
			m["status_code"] = ntStatusCode(t.status)
		} else {
			m["status"] = dosErrorName(t.dosClass, t.dosCode)
			m["status_code"] = dosErrorCode(t.dosCode)
		}
	}
	switch t.kind {
	case txSession:
		t.eveSession(m)
	case txCreate:
		name := t.filename
		if name == "" {
			name = "<share_root>"
		}
		if t.directory {
			m["directory"] = name
		} else {
			m["filename"] = name
		}
		m["disposition"] = dispositionName(t.disposition)
		m["access"] = accessName(t.deleteOnClose)
		m["created"] = t.created
		m["accessed"] = t.accessed
		m["modified"] = t.modified
		m["changed"] = t.changed
		m["size"] = t.size
		m["fuid"] = t.fuid
	case txNegotiate:
		d := make([]string, len(t.clientDialects))
		copy(d, t.clientDialects)
		m["client_dialects"] = d
		if t.serverGUID != "" {
			m["server_guid"] = t.serverGUID
		}
	case txTree:
		if t.pipe {
			m["named_pipe"] = t.share
		} else {
			m["share"] = t.share
		}
		if t.version == 1 {
			svc := map[string]any{}
			if t.treeServiceReq != "" {
				svc["request"] = t.treeServiceReq
			}
			if t.treeServiceResp != "" {
				svc["response"] = t.treeServiceResp
			}
			m["service"] = svc
		} else {
			m["share_type"] = shareTypeName(t.shareType)
		}
	case txFile:
		m["filename"] = t.filename
		m["share"] = t.share
		m["fuid"] = t.fuid
	case txRename:
		if t.version == 2 {
			m["set_info"] = map[string]any{"class": "FILE_INFO", "info_level": "SMB2_FILE_RENAME_INFO"}
		}
		m["rename"] = map[string]any{"from": t.renameFrom, "to": t.renameTo}
		m["fuid"] = t.fuid
	case txDCERPC:
		m["dcerpc"] = t.dce.EVE()
	case txSetFileInfo:
		name := t.filename
		if name == "" {
			name = "<share_root>"
		}
		m["filename"] = name
		m["access"] = accessName(t.deleteOnClose)
		if sub := trans2SubcmdName(t.subcmd); t.version == 1 && sub != "" {
			m["subcmd"] = sub
			if t.infoLevel == passthroughLevel+fileDispositionInformation {
				m["level_of_interest"] = "Set Disposition Information"
			}
		}
		m["fuid"] = t.fuid
	case txQueryInfo:
		if t.filename != "" {
			m["filename"] = t.filename
		}
		m["subcmd"] = trans2SubcmdName(t.subcmd)
		if t.sizeSet {
			m["size"] = t.size
		}
		if t.fuid != "" {
			m["fuid"] = t.fuid
		}
	}
	return m
}

func (t *Tx) eveSession(m map[string]any) {
	if n := t.ntlm; n != nil {
		o := map[string]any{"domain": n.domain, "user": n.user, "host": n.host}
		if n.hasVersion {
			o["version"] = n.version
		}
		m["ntlmssp"] = o
	}
	if r := t.request; r != nil {
		m["request"] = map[string]any{"native_os": r.os, "native_lm": r.lm}
	}
	if r := t.response; r != nil {
		m["response"] = map[string]any{"native_os": r.os, "native_lm": r.lm}
	}
}

// accessName is Suricata's "access" spelling.
func accessName(deleteOnClose bool) string {
	if deleteOnClose {
		return "delete on close"
	}
	return "normal"
}

// Buffer returns a rule buffer: "smb.share" and "smb.named_pipe" on tree
// connects, "smb.version" ("1" or "2") on every transaction,
// "smb.ntlmssp_user" and "smb.ntlmssp_domain" on session setups that carried
// an NTLMSSP AUTHENTICATE. The returned bytes are a fresh copy.
func (t *Tx) Buffer(name string) ([]byte, bool) {
	switch name {
	case "smb.share":
		if t.kind == txTree && !t.pipe {
			return []byte(t.share), true
		}
	case "smb.named_pipe":
		if t.kind == txTree && t.pipe {
			return []byte(t.share), true
		}
	case "smb.version":
		return []byte{'0' + t.version}, true
	case "smb.ntlmssp_user":
		if t.ntlm != nil {
			return []byte(t.ntlm.user), true
		}
	case "smb.ntlmssp_domain":
		if t.ntlm != nil {
			return []byte(t.ntlm.domain), true
		}
	default:
		if t.dce != nil {
			return t.dce.Buffer(name)
		}
	}
	return nil, false
}

var _ app.Metadata = (*Tx)(nil)

// fuidString formats a 16-byte SMB2 file id the way Suricata logs it (as a
// little-endian GUID).
func fuidString(f fileID) string {
	const hexDigits = "0123456789abcdef"
	// The byte of f each pair of hex digits shows, and -1 for a dash.
	order := [...]int8{3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 9, 8, -1, 11, 10, 15, 14, 13, 12}
	var b [36]byte
	n := 0
	for _, i := range order {
		if i < 0 {
			b[n] = '-'
			n++
			continue
		}
		b[n], b[n+1] = hexDigits[f[i]>>4], hexDigits[f[i]&15]
		n += 2
	}
	return string(b[:n])
}

// fid1String formats an SMB1 FID as Suricata does ("4001").
func fid1String(fid uint16) string { return fmt.Sprintf("%04x", fid) }

// windowsTime converts a FILETIME (100 ns ticks since 1601) to unix seconds.
func windowsTime(ft uint64) int64 {
	if ft == 0 {
		return 0
	}
	s := int64(ft / windowsTickPerSecond)
	return s - windowsToUnixSeconds
}
