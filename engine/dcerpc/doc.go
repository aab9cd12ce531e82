// Package dcerpc parses connection-oriented DCERPC (DCE 1.1 RPC chapter 12,
// MS-RPCE 2.2.2) into calls, as Suricata logs them: a request PDU (BIND,
// ALTER_CONTEXT, REQUEST, ...) starts a call that the matching response
// fragments complete, with the interfaces bound on the connection, the
// opnum, fragment counts, stub sizes and the first stub bytes for rules.
//
// # Pipeline
//
// A transport hands each direction's payload bytes to Conn.Feed through a
// Stream: the SMB parser does so for every named pipe (SMB2 WRITE, READ and
// FSCTL_PIPE_TRANSCEIVE, SMB1 WRITE_ANDX, READ_ANDX and TRANS), one Stream
// per pipe and direction, scoped by the pipe's file id. The Conn calls back
// through Hooks: NewCall (the transport creates its transaction), Response
// (it records what carried the response), Done (it reports the call) and
// Event (PDU counts, malformed bodies, the call limit). records.go is pure
// decoding; Call.EVE and Call.Buffer give the "dcerpc" EVE object and the
// dcerpc.* rule buffers.
//
// # Limits and what happens when hit
//
//   - A Stream holds at most one fragment (frag_length, at most 65535
//     bytes). Bytes that do not frame as DCERPC, or a gap, make it Lost until
//     Resume (the SMB parser resumes at its next message on the pipe).
//   - Limits.MaxCalls: the oldest outstanding call is finished as it is
//     (EventTooManyCalls).
//   - Limits.MaxStubBytes: a call keeps that much of each stub; sizes are
//     still counted whole.
//   - MaxContexts: context items parsed per BIND.
//
// Feeding bytes one at a time gives the same calls as feeding them whole
// (tested, and fuzzed by FuzzConn).
//
// # Not handled yet
//
// Connection-less DCERPC (UDP), authentication verifiers beyond skipping
// them, and DCERPC directly over TCP (port 135 and dynamic ports): the
// Stream/Conn pair is transport-neutral, but no TCP parser drives it yet.
package dcerpc
