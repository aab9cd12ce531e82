// Package smb parses SMB1, SMB2 and SMB3 over TCP (NetBIOS session service
// framing, ports 445/139 or any port where Probe says yes) and reports the
// files read and written, SMB transactions and anomalies.
//
// # Pipeline
//
// reassembly → smb.Parser (app.Parser) → app.Sink (engine/files, EVE). The
// parser is push-based: Feed(dir, bytes) in slices of any size, Gap(dir, n)
// for lost bytes, End, Close. One-byte feeding yields exactly the events of
// whole feeding.
//
// # Outputs
//
//   - Files: READ responses (ToClient, downloads) and WRITE requests
//     (ToServer, uploads), keyed by session, tree, file id and direction.
//     FileOpen at the first data of a file id (never at CREATE), FileData at
//     the SMB file offset, FileGap for bytes lost inside READ/WRITE data,
//     FileClose(false) on CLOSE and on Close. Named pipes (IPC$, or DCERPC
//     payload on an unknown tree) are not files. Names are the CREATE names
//     decoded from UTF-16 ("" when the CREATE was not seen).
//   - Transactions (*Tx, app.Metadata): one per command request/response as
//     Suricata logs them (not READ/WRITE/GET_INFO; file transfers are one
//     transaction per file and direction, reported when the file closes).
//     EVE() mirrors Suricata's "smb" object.
//   - DCERPC over named pipes (dcerpc.go, parsed by package dcerpc): the
//     payload of SMB2 WRITE/READ/IOCTL(FSCTL_PIPE_TRANSCEIVE) and SMB1
//     WRITE_ANDX/READ_ANDX/TRANS(TransactNmPipe) on a pipe is reassembled
//     into PDUs per pipe and direction (one fragment, at most 65535 bytes,
//     buffered). A transceive on a pipe that does not carry DCERPC
//     (PSEXESVC) is a plain IOCTL transaction. Each call is
//     one transaction (command = the request's carrier, EVE "dcerpc" object as
//     Suricata logs it), completed by its last response fragment or at Close
//     ("UNREPLIED"). BIND/ALTER_CONTEXT set the connection's interface list,
//     BIND_ACK their results. Rule buffers: dcerpc.opnum, dcerpc.iface,
//     dcerpc.stub_data.to_server/.to_client (encodings: dcerpc.Call.Buffer).
//   - Anomalies: see events.go.
//   - The identity of each SMB 2/3 file's open (app.FileMeta.SMB), so that
//     the file tracker can join the pieces of one open carried by several
//     connections: the ServerGuid of the connection's NEGOTIATE, the
//     session id and the persistent FileId; whether the connection
//     negotiated SMB 3 multichannel (SMB2_GLOBAL_CAP_MULTI_CHANNEL) or was
//     bound to an existing session (SESSION_SETUP with
//     SMB2_SESSION_FLAG_BINDING, answered with success); whether the open
//     is durable (DHnQ/DH2Q granted in the CREATE response, or
//     FSCTL_LMR_REQUEST_RESILIENCY granted) or reconnects a durable handle
//     (DHnC/DH2C), with the CreateGuid of v2 handles (smb2_contexts.go).
//     Counted in Stats.SessionBinds, DurableOpens, DurableReconnects.
//
// # Limits (Config)
//
// A record is buffered up to MaxHeaderBuffer bytes; the data of a larger
// READ/WRITE is streamed, so a 16 MiB WRITE never becomes a 16 MiB buffer.
// Records above MaxRecordBytes lose framing (anomaly, resync). READ/WRITE
// above MaxReadWriteBytes and offsets above 2^40 are skipped with an
// anomaly. Outstanding requests, trees, file ids and open files are bounded
// by MaxOutstanding and MaxOpenFiles (the oldest is evicted; an evicted open
// file ends TRUNCATED).
// Compound chains and AndX chains are bounded by MaxCompound. A DCERPC call
// keeps at most MaxDCERPCStubBytes of stub per direction (sizes count all);
// pending calls share MaxOutstanding and pipe reassemblers MaxOpenFiles. After lost
// framing (gap in a header, bad protocol id, bad NBSS type) the parser
// resynchronises on the next NBSS header followed by \xffSMB/\xfeSMB/\xfdSMB.
//
// # SMB1 legacy clients
//
// Printers, scanners, old NAS firmware and DOS-era clients move files with
// the core protocol: OPEN/CREATE/CREATE_NEW name the FID (smb1_core.go),
// READ and LOCK_AND_READ, WRITE, WRITE_AND_UNLOCK and WRITE_AND_CLOSE carry
// the data, READ_RAW/WRITE_RAW send it as a bare NBSS message (smb1_raw.go,
// expected only right after its request or interim response). TRANS2 OPEN2
// and NT_TRANSACT_CREATE open files; TRANS2 QUERY_PATH/FILE_INFORMATION log
// the name and size, SET_FILE/PATH_INFORMATION renames and deletes
// (smb1_trans2.go).
//
// # Not handled yet
//
// SMB1 TRANS2 parameters beyond MaxHeaderBuffer (a generic transaction),
// TRANS2/NT_TRANSACT secondaries, Kerberos, SMB3 decryption, DCERPC over TCP
// (port 135), non-DCERPC pipes as files (Suricata logs PSEXESVC-style pipe
// data as files; we drop it), a CLOSE chained after a WRITE_ANDX whose chain
// lies beyond MaxHeaderBuffer (closed at Close), create contexts beyond
// MaxHeaderBuffer or past the 32nd (not seen: the open is not durable), a
// handle made resilient after its first data (its file was reported
// without it).
package smb
