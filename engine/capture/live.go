package capture

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/net/bpf"
)

// Defaults of LiveOptions, as DefaultLiveOptions returns them.
const (
	// DefaultLiveSnaplen keeps whole frames, GRO/TSO super-frames included.
	DefaultLiveSnaplen = 65535
	// DefaultLiveBlockSize is the ring block size: 1 MiB.
	DefaultLiveBlockSize = 1 << 20
	// DefaultLiveNumBlocks gives a 64 MiB ring per socket with the default
	// block size.
	DefaultLiveNumBlocks = 64
	// DefaultLivePollTimeout bounds how long Next blocks without a packet.
	DefaultLivePollTimeout = 200 * time.Millisecond
)

// Limits on LiveOptions, checked by Validate.
const (
	// MaxLiveSnaplen is the largest accepted LiveOptions.Snaplen (libpcap's
	// MAXIMUM_SNAPLEN).
	MaxLiveSnaplen = 262144
	// MaxLiveRingBytes caps BlockSize*NumBlocks for one socket: the ring is
	// locked kernel memory, and a typo should not ask for all of it.
	MaxLiveRingBytes = 2 << 30
	// MaxBPFInstructions is the kernel's limit on a classic BPF program
	// (BPF_MAXINSNS).
	MaxBPFInstructions = 4096
)

// ErrTimeout is returned by LiveSource.Next when LiveOptions.PollTimeout
// passed without a packet. It is not a failure: the caller checks for
// shutdown and calls Next again.
var ErrTimeout = errors.New("capture: no packet before the poll timeout")

// ErrNoInterface is wrapped by the error OpenLive returns when the named
// network interface does not exist (in the caller's network namespace).
var ErrNoInterface = errors.New("capture: no such network interface")

// ErrBadBPF is wrapped by the errors of ParseBPF and LiveOptions.Validate
// when a filter program is malformed.
var ErrBadBPF = errors.New("capture: bad bpf program")

// LiveOptions configure one AF_PACKET socket opened by OpenLive. Start from
// DefaultLiveOptions: zero numeric fields are replaced by their defaults, but
// the zero Promiscuous (false) is taken as given.
type LiveOptions struct {
	// Snaplen caps the bytes kept per frame (default DefaultLiveSnaplen, at
	// most MaxLiveSnaplen). Packet.Length still reports the wire length.
	Snaplen int
	// Promiscuous puts the interface in promiscuous mode while the socket is
	// open, as a SPAN port needs (DefaultLiveOptions: true). The kernel
	// counts the request per socket and drops it on Close.
	Promiscuous bool
	// BlockSize is the TPACKET_V3 ring block size in bytes: a multiple of
	// the page size (default DefaultLiveBlockSize). A frame longer than a
	// block minus its headers is cut to fit.
	BlockSize int
	// NumBlocks is the number of ring blocks (default DefaultLiveNumBlocks).
	// BlockSize*NumBlocks is the kernel memory of one socket, at most
	// MaxLiveRingBytes; when it is full the kernel drops (see KernelStats).
	NumBlocks int
	// PollTimeout is how long Next blocks before returning ErrTimeout, so a
	// worker can check for shutdown (default DefaultLivePollTimeout, at
	// least 1ms).
	PollTimeout time.Duration
	// FanoutGroup, when not 0, joins the socket to this PACKET_FANOUT_HASH
	// group (with the defrag flag). The kernel gives each flow to one member
	// socket by a symmetric hash of its addresses and ports, so both
	// directions of a TCP connection reach the same socket. Group ids are
	// per network namespace and shared with other programs (Suricata's
	// default is 99): pick one no other capture on the host uses.
	FanoutGroup uint16
	// BPF is an optional classic BPF filter, applied in the kernel before
	// the ring: see ParseBPF. Nil captures everything.
	BPF []bpf.RawInstruction
}

// DefaultLiveOptions returns the defaults: 65535-byte snaplen, promiscuous,
// a 64 MiB ring of 1 MiB blocks, a 200ms poll timeout, no fanout, no filter.
func DefaultLiveOptions() LiveOptions {
	return LiveOptions{
		Snaplen:     DefaultLiveSnaplen,
		Promiscuous: true,
		BlockSize:   DefaultLiveBlockSize,
		NumBlocks:   DefaultLiveNumBlocks,
		PollTimeout: DefaultLivePollTimeout,
	}
}

// withDefaults returns o with zero or negative numeric fields set to their
// defaults.
func (o LiveOptions) withDefaults() LiveOptions {
	d := DefaultLiveOptions()
	if o.Snaplen <= 0 {
		o.Snaplen = d.Snaplen
	}
	if o.BlockSize <= 0 {
		o.BlockSize = d.BlockSize
	}
	if o.NumBlocks <= 0 {
		o.NumBlocks = d.NumBlocks
	}
	if o.PollTimeout <= 0 {
		o.PollTimeout = d.PollTimeout
	}
	return o
}

// Validate reports the first option out of range, after zero fields have
// taken their defaults. OpenLive calls it.
func (o LiveOptions) Validate() error {
	o = o.withDefaults()
	page := os.Getpagesize()
	switch {
	case o.Snaplen > MaxLiveSnaplen:
		return fmt.Errorf("capture: snaplen %d is over the limit of %d", o.Snaplen, MaxLiveSnaplen)
	case o.BlockSize%page != 0:
		return fmt.Errorf("capture: ring block size %d is not a multiple of the page size %d", o.BlockSize, page)
	case int64(o.BlockSize)*int64(o.NumBlocks) > MaxLiveRingBytes:
		return fmt.Errorf("capture: ring of %d blocks of %d bytes is over the limit of %d bytes", o.NumBlocks, o.BlockSize, int64(MaxLiveRingBytes))
	case o.PollTimeout < time.Millisecond:
		return fmt.Errorf("capture: poll timeout %v is under 1ms", o.PollTimeout)
	}
	if o.BPF != nil {
		return checkBPF(o.BPF)
	}
	return nil
}

// ParseBPF parses a compiled classic BPF program in the decimal form of
// `tcpdump -ddd`: a first line with the instruction count, then one line
// "code jt jf k" per instruction, so a filter can be compiled once with
// tcpdump (`tcpdump -i eth0 -ddd 'tcp port 445 or tcp port 80' > f.bpf`)
// and used without libpcap (`wirescan live --bpf-file f.bpf`). The one-line
// form with commas between the lines ("4,40 0 0 12,...", as nfbpf_compile
// and iptables -m bpf use) is accepted too, and so are blank lines and lines
// starting with '#'. The program must match the interface's link type (for
// tcpdump, the -i or -y it was compiled for).
//
// ParseBPF checks the count, the ranges of the fields, that jumps stay inside
// the program and that it ends in a return; the kernel checks the rest when
// OpenLive attaches it. Errors wrap ErrBadBPF and name the line.
func ParseBPF(text string) ([]bpf.RawInstruction, error) {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(text, ",", "\n"), "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return nil, &liveError{"capture: bad bpf program: empty", ErrBadBPF}
	}
	n, err := strconv.Atoi(lines[0])
	if err != nil || n < 1 || n > MaxBPFInstructions {
		return nil, badBPF(1, "want an instruction count from 1 to %d, got %q", MaxBPFInstructions, lines[0])
	}
	if len(lines)-1 != n {
		return nil, badBPF(1, "count says %d instructions, found %d", n, len(lines)-1)
	}
	prog := make([]bpf.RawInstruction, n)
	for i, l := range lines[1:] {
		f := strings.Fields(l)
		if len(f) != 4 {
			return nil, badBPF(i+2, "want 4 numbers \"code jt jf k\", got %q", l)
		}
		var v [4]uint64
		for j, bits := range [4]int{16, 8, 8, 32} {
			if v[j], err = strconv.ParseUint(f[j], 10, bits); err != nil {
				return nil, badBPF(i+2, "field %d %q is not a %d-bit unsigned number", j+1, f[j], bits)
			}
		}
		prog[i] = bpf.RawInstruction{Op: uint16(v[0]), Jt: uint8(v[1]), Jf: uint8(v[2]), K: uint32(v[3])}
	}
	if err := checkBPF(prog); err != nil {
		return nil, err
	}
	return prog, nil
}

// Classic BPF opcode parts checkBPF needs (linux/filter.h).
const (
	bpfClassMask = 0x07
	bpfClassJmp  = 0x05
	bpfClassRet  = 0x06
	bpfOpMask    = 0xf0
	bpfOpJA      = 0x00
)

// checkBPF verifies what a typo or a cut file breaks: the size, jumps that
// leave the program, and a last instruction that is not a return. Line
// numbers in its errors count the count line as line 1.
func checkBPF(prog []bpf.RawInstruction) error {
	if len(prog) == 0 || len(prog) > MaxBPFInstructions {
		return &liveError{fmt.Sprintf("capture: bad bpf program: %d instructions, want 1 to %d", len(prog), MaxBPFInstructions), ErrBadBPF}
	}
	for i, ins := range prog {
		if ins.Op&bpfClassMask != bpfClassJmp {
			continue
		}
		left := uint64(len(prog) - i - 1)
		if ins.Op&bpfOpMask == bpfOpJA {
			if uint64(ins.K) >= left {
				return badBPF(i+2, "jump of %d leaves the program", ins.K)
			}
		} else if uint64(ins.Jt) >= left || uint64(ins.Jf) >= left {
			return badBPF(i+2, "jump of %d/%d leaves the program", ins.Jt, ins.Jf)
		}
	}
	if last := prog[len(prog)-1]; last.Op&bpfClassMask != bpfClassRet {
		return badBPF(len(prog)+1, "the last instruction (code %d) is not a return", last.Op)
	}
	return nil
}

// badBPF builds a ParseBPF error for a line of the program text.
func badBPF(line int, format string, args ...any) error {
	return &liveError{fmt.Sprintf("capture: bad bpf program: line %d: ", line) + fmt.Sprintf(format, args...), ErrBadBPF}
}

// liveError is an error with its own message that still matches a sentinel
// or a system error through errors.Is.
type liveError struct {
	msg string
	err error
}

// Error returns the message.
func (e *liveError) Error() string { return e.msg }

// Unwrap returns the sentinel or system error.
func (e *liveError) Unwrap() error { return e.err }
