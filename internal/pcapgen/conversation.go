package pcapgen

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// DefaultMSS is the segment size for IPv4 conversations unless ConnOptions
// sets one (1500-byte MTU minus 40 bytes of headers). IPv6 uses 20 less.
const DefaultMSS = 1460

// ackEvery is how many data segments a receiver takes before it ACKs (the
// delayed-ACK rule of RFC 1122); the last segment of a write is always ACKed.
const ackEvery = 2

// ErrClosed is returned when data is sent on a conversation after Close or
// Reset.
var ErrClosed = errors.New("pcapgen: conversation closed")

// ConnOptions configure a Conversation.
type ConnOptions struct {
	// MSS is the largest TCP payload per segment; 0 means DefaultMSS (IPv4)
	// or DefaultMSS-20 (IPv6).
	MSS int
	// VLAN adds an 802.1Q tag with this id when non-zero.
	VLAN uint16
	// ClientISN and ServerISN are the initial sequence numbers; 0 picks
	// deterministic values from the impairment seed and the ports.
	ClientISN, ServerISN uint32
	// Impair degrades the data segments.
	Impair Impair
}

// segment is one TCP packet before it is framed.
type segment struct {
	fromClient bool
	flags      uint8
	seq, ack   uint32
	payload    []byte
}

// TCP flag bits of segment.flags.
const (
	flagFIN = 1 << iota
	flagSYN
	flagRST
	flagPSH
	flagACK
)

// Conversation is one TCP connection written into a Capture: a three-way
// handshake when opened, client and server writes split into segments with
// consistent sequence and acknowledgement numbers, delayed ACKs, and a FIN or
// RST close. Not safe for concurrent use.
type Conversation struct {
	c              *Capture
	client, server Endpoint
	opt            ConnOptions
	rng            *rand.Rand
	// next sequence number each side will send
	cliSeq, srvSeq uint32
	held           *segment
	closed         bool
	sent           [2]int64
}

// Open starts a conversation between client and server and writes its
// three-way handshake.
func (c *Capture) Open(client, server Endpoint, opt ConnOptions) (*Conversation, error) {
	if client.IP.Is4() != server.IP.Is4() {
		return nil, fmt.Errorf("pcapgen: open %v -> %v: mixed address families", client.IP, server.IP)
	}
	if opt.MSS <= 0 {
		opt.MSS = DefaultMSS
		if !client.IP.Is4() {
			opt.MSS -= 20
		}
	}
	cv := &Conversation{c: c, client: client, server: server, opt: opt, rng: opt.Impair.newRand()}
	cv.cliSeq, cv.srvSeq = opt.ClientISN, opt.ServerISN
	if cv.cliSeq == 0 {
		cv.cliSeq = cv.rng.Uint32() | 1
	}
	if cv.srvSeq == 0 {
		cv.srvSeq = cv.rng.Uint32() | 1
	}
	if err := cv.handshake(); err != nil {
		return nil, err
	}
	return cv, nil
}

func (cv *Conversation) handshake() error {
	if err := cv.emit(segment{fromClient: true, flags: flagSYN, seq: cv.cliSeq}); err != nil {
		return err
	}
	cv.cliSeq++
	if err := cv.emit(segment{flags: flagSYN | flagACK, seq: cv.srvSeq, ack: cv.cliSeq}); err != nil {
		return err
	}
	cv.srvSeq++
	return cv.emit(segment{fromClient: true, flags: flagACK, seq: cv.cliSeq, ack: cv.srvSeq})
}

// Capture returns the capture the conversation writes to (for its clock).
func (cv *Conversation) Capture() *Capture { return cv.c }

// Sent returns the payload bytes sent so far by the client and by the server.
func (cv *Conversation) Sent() (client, server int64) { return cv.sent[0], cv.sent[1] }

// FromClient sends p from client to server. p is not retained after the call.
func (cv *Conversation) FromClient(p []byte) error { return cv.send(true, p) }

// FromServer sends p from server to client. p is not retained after the call.
func (cv *Conversation) FromServer(p []byte) error { return cv.send(false, p) }

func (cv *Conversation) send(fromClient bool, p []byte) error {
	if cv.closed {
		return ErrClosed
	}
	seq, peer := &cv.srvSeq, &cv.cliSeq
	if fromClient {
		seq, peer = &cv.cliSeq, &cv.srvSeq
		cv.sent[0] += int64(len(p))
	} else {
		cv.sent[1] += int64(len(p))
	}
	unacked := 0
	for len(p) > 0 {
		n := cv.opt.Impair.segmentSize(cv.rng, cv.opt.MSS, len(p))
		flags := uint8(flagACK)
		if n == len(p) {
			flags |= flagPSH
		}
		if err := cv.emitData(segment{fromClient: fromClient, flags: flags, seq: *seq, ack: *peer, payload: p[:n]}); err != nil {
			return err
		}
		*seq += uint32(n)
		p = p[n:]
		unacked++
		if unacked == ackEvery || len(p) == 0 {
			unacked = 0
			if err := cv.emit(segment{fromClient: !fromClient, flags: flagACK, seq: *peer, ack: *seq}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close ends the connection with FIN from the client, FIN-ACK from the
// server and a final ACK.
func (cv *Conversation) Close() error {
	if cv.closed {
		return ErrClosed
	}
	cv.closed = true
	if err := cv.emit(segment{fromClient: true, flags: flagFIN | flagACK, seq: cv.cliSeq, ack: cv.srvSeq}); err != nil {
		return err
	}
	cv.cliSeq++
	if err := cv.emit(segment{flags: flagFIN | flagACK, seq: cv.srvSeq, ack: cv.cliSeq}); err != nil {
		return err
	}
	cv.srvSeq++
	return cv.emit(segment{fromClient: true, flags: flagACK, seq: cv.cliSeq, ack: cv.srvSeq})
}

// Reset aborts the connection with an RST from the client.
func (cv *Conversation) Reset() error {
	if cv.closed {
		return ErrClosed
	}
	cv.closed = true
	return cv.emit(segment{fromClient: true, flags: flagRST | flagACK, seq: cv.cliSeq, ack: cv.srvSeq})
}

// emitData applies the impairments to one data segment.
func (cv *Conversation) emitData(s segment) error {
	im := cv.opt.Impair
	if !im.active() {
		return cv.write(s)
	}
	if im.Drop > 0 && cv.rng.Float64() < im.Drop {
		return nil
	}
	dup := im.Duplicate > 0 && cv.rng.Float64() < im.Duplicate
	if cv.held == nil && im.Reorder > 0 && cv.rng.Float64() < im.Reorder {
		s.payload = append([]byte(nil), s.payload...)
		cv.held = &s
		return nil
	}
	if cv.held != nil && cv.held.fromClient == s.fromClient {
		// s overtakes the held segment.
		if err := cv.write(s); err != nil {
			return err
		}
		if err := cv.releaseHeld(); err != nil {
			return err
		}
	} else if err := cv.emit(s); err != nil {
		return err
	}
	if dup {
		return cv.write(s)
	}
	return nil
}

// emit writes s after any held segment, so control packets and the other
// direction never overtake a held segment.
func (cv *Conversation) emit(s segment) error {
	if err := cv.releaseHeld(); err != nil {
		return err
	}
	return cv.write(s)
}

func (cv *Conversation) releaseHeld() error {
	if cv.held == nil {
		return nil
	}
	h := *cv.held
	cv.held = nil
	return cv.write(h)
}

// write frames s and hands it to the capture.
func (cv *Conversation) write(s segment) error {
	src, dst := cv.server, cv.client
	if s.fromClient {
		src, dst = cv.client, cv.server
	}
	tcp := &layers.TCP{
		SrcPort: layers.TCPPort(src.Port), DstPort: layers.TCPPort(dst.Port),
		Seq: s.seq, Ack: s.ack, Window: 65535,
		FIN: s.flags&flagFIN != 0, SYN: s.flags&flagSYN != 0, RST: s.flags&flagRST != 0,
		PSH: s.flags&flagPSH != 0, ACK: s.flags&flagACK != 0,
	}
	if tcp.SYN {
		mss := uint16(cv.opt.MSS)
		tcp.Options = []layers.TCPOption{{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{byte(mss >> 8), byte(mss)}}}
	}
	eth := &layers.Ethernet{SrcMAC: src.mac(), DstMAC: dst.mac()}
	ls := make([]gopacket.SerializableLayer, 0, 5)
	ls = append(ls, eth)
	etherType := layers.EthernetTypeIPv4
	if !src.IP.Is4() {
		etherType = layers.EthernetTypeIPv6
	}
	if cv.opt.VLAN != 0 {
		eth.EthernetType = layers.EthernetTypeDot1Q
		ls = append(ls, &layers.Dot1Q{VLANIdentifier: cv.opt.VLAN, Type: etherType})
	} else {
		eth.EthernetType = etherType
	}
	if src.IP.Is4() {
		ip := &layers.IPv4{Version: 4, TTL: 64, Flags: layers.IPv4DontFragment, Protocol: layers.IPProtocolTCP,
			Id: cv.c.nextIPID(), SrcIP: src.IP.AsSlice(), DstIP: dst.IP.AsSlice()}
		if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
			return fmt.Errorf("pcapgen: tcp checksum: %w", err)
		}
		ls = append(ls, ip)
	} else {
		ip := &layers.IPv6{Version: 6, HopLimit: 64, NextHeader: layers.IPProtocolTCP,
			SrcIP: src.IP.AsSlice(), DstIP: dst.IP.AsSlice()}
		if err := tcp.SetNetworkLayerForChecksum(ip); err != nil {
			return fmt.Errorf("pcapgen: tcp checksum: %w", err)
		}
		ls = append(ls, ip)
	}
	ls = append(ls, tcp, gopacket.Payload(s.payload))
	return cv.c.writeFrame(ls...)
}
