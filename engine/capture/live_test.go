package capture

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/bpf"
)

// tcpPort80BPF is `tcpdump -ddd -y EN10MB 'tcp port 80'` (tcpdump 4.99.3,
// libpcap 1.10.3): IPv4 and IPv6, unfragmented or first fragments.
const tcpPort80BPF = `20
40 0 0 12
21 0 6 34525
48 0 0 20
21 0 15 6
40 0 0 54
21 12 0 80
40 0 0 56
21 10 11 80
21 0 10 2048
48 0 0 23
21 0 8 6
40 0 0 20
69 6 0 8191
177 0 0 14
72 0 0 14
21 2 0 80
72 0 0 16
21 0 1 80
6 0 0 262144
6 0 0 0
`

func TestParseBPF(t *testing.T) {
	valid := []struct {
		name, text string
		want       []bpf.RawInstruction
	}{
		{"tcpdump_ddd", tcpPort80BPF, nil},
		{"accept_all", "1\n6 0 0 65535\n", []bpf.RawInstruction{{Op: 6, K: 65535}}},
		{"commas", "2,40 0 0 12,6 0 0 0", []bpf.RawInstruction{{Op: 40, K: 12}, {Op: 6}}},
		{"blank_and_comments", "# tcp\n\n2\r\n  40 0 0 12  \n# end\n6 0 0 0\n\n", []bpf.RawInstruction{{Op: 40, K: 12}, {Op: 6}}},
		{"max_fields", "2\n21 0 0 4294967295\n65534 255 255 0\n", []bpf.RawInstruction{{Op: 21, K: 4294967295}, {Op: 65534, Jt: 255, Jf: 255}}},
	}
	for _, tc := range valid {
		t.Run("valid/"+tc.name, func(t *testing.T) {
			got, err := ParseBPF(tc.text)
			if err != nil {
				t.Fatalf("ParseBPF: %v", err)
			}
			if tc.want == nil {
				if len(got) != 20 || got[1] != (bpf.RawInstruction{Op: 21, Jt: 0, Jf: 6, K: 34525}) {
					t.Fatalf("got %d instructions, second %+v", len(got), got[1])
				}
				return
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("instruction %d: got %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}

	bad := []struct{ name, text, want string }{
		{"empty", "  \n", "capture: bad bpf program: empty"},
		{"count_not_number", "four\n6 0 0 0\n", `line 1: want an instruction count from 1 to 4096, got "four"`},
		{"count_zero", "0\n", "line 1: want an instruction count"},
		{"count_too_big", "4097\n", "line 1: want an instruction count"},
		{"count_too_high", "3\n40 0 0 12\n6 0 0 0\n", "line 1: count says 3 instructions, found 2"},
		{"count_too_low", "1\n40 0 0 12\n6 0 0 0\n", "line 1: count says 1 instructions, found 2"},
		{"three_fields", "1\n6 0 0\n", `line 2: want 4 numbers "code jt jf k", got "6 0 0"`},
		{"junk", "2\n40 0 0 12\nret #0 hello\n", `line 3: want 4 numbers`},
		{"junk_word", "1\n6 0 0 x\n", `line 2: field 4 "x" is not a 32-bit unsigned number`},
		{"negative", "1\n6 0 0 -1\n", `line 2: field 4 "-1" is not a 32-bit unsigned number`},
		{"code_overflow", "1\n65536 0 0 0\n", `line 2: field 1 "65536" is not a 16-bit unsigned number`},
		{"jt_overflow", "1\n6 256 0 0\n", `line 2: field 2 "256" is not a 8-bit unsigned number`},
		{"jump_out", "2\n21 1 0 2048\n6 0 0 0\n", "line 2: jump of 1/0 leaves the program"},
		{"ja_out", "2\n5 0 0 1\n6 0 0 0\n", "line 2: jump of 1 leaves the program"},
		{"no_return", "1\n40 0 0 12\n", "line 2: the last instruction (code 40) is not a return"},
		{"tcpdump_d_not_ddd", "(000) ldh      [12]\n(001) ret      #0\n", "line 1: want an instruction count"},
	}
	for _, tc := range bad {
		t.Run("bad/"+tc.name, func(t *testing.T) {
			got, err := ParseBPF(tc.text)
			if err == nil {
				t.Fatalf("ParseBPF accepted it: %+v", got)
			}
			if !errors.Is(err, ErrBadBPF) {
				t.Errorf("error %q does not wrap ErrBadBPF", err)
			}
			if !strings.HasPrefix(err.Error(), "capture: bad bpf program: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestParseBPFFilterSemantics runs the parsed tcpdump program in x/net/bpf's
// interpreter: only TCP with port 80 on either side passes.
func TestParseBPFFilterSemantics(t *testing.T) {
	prog, err := ParseBPF(tcpPort80BPF)
	if err != nil {
		t.Fatal(err)
	}
	insts, ok := bpf.Disassemble(prog)
	if !ok {
		t.Fatal("program has instructions x/net/bpf cannot decode")
	}
	vm, err := bpf.NewVM(insts)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		frame  []byte
		passes bool
	}{
		{"tcp_dport_80", ipv4Frame(6, 40000, 80), true},
		{"tcp_sport_80", ipv4Frame(6, 80, 40000), true},
		{"tcp_8080", ipv4Frame(6, 40000, 8080), false},
		{"udp_80", ipv4Frame(17, 40000, 80), false},
		{"arp", append(ipv4Frame(6, 80, 80)[:12], 0x08, 0x06), false},
	}
	for _, tc := range cases {
		n, err := vm.Run(tc.frame)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if (n > 0) != tc.passes {
			t.Errorf("%s: filter returned %d, want passes=%v", tc.name, n, tc.passes)
		}
	}
}

// ipv4Frame builds an Ethernet/IPv4 frame with a 20-byte transport header
// whose first four bytes are the ports (TCP or UDP alike).
func ipv4Frame(proto byte, sport, dport uint16) []byte {
	f := make([]byte, 14+20+20)
	binary.BigEndian.PutUint16(f[12:], 0x0800)
	ip := f[14:]
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], 40)
	ip[8] = 64
	ip[9] = proto
	copy(ip[12:], []byte{10, 198, 0, 1, 10, 198, 0, 2})
	binary.BigEndian.PutUint16(ip[20:], sport)
	binary.BigEndian.PutUint16(ip[22:], dport)
	return f
}

func TestLiveOptionsValidate(t *testing.T) {
	ok := []struct {
		name string
		o    LiveOptions
	}{
		{"defaults", DefaultLiveOptions()},
		{"zero_takes_defaults", LiveOptions{}},
		{"max_snaplen", LiveOptions{Snaplen: MaxLiveSnaplen}},
		{"ring_at_limit", LiveOptions{BlockSize: 1 << 20, NumBlocks: MaxLiveRingBytes >> 20}},
		{"poll_1ms", LiveOptions{PollTimeout: time.Millisecond}},
	}
	for _, tc := range ok {
		if err := tc.o.Validate(); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	bad := []struct {
		name string
		o    LiveOptions
		want string
	}{
		{"snaplen_over", LiveOptions{Snaplen: MaxLiveSnaplen + 1}, "snaplen 262145 is over the limit"},
		{"block_not_pages", LiveOptions{BlockSize: 1000}, "ring block size 1000 is not a multiple of the page size"},
		{"ring_over", LiveOptions{BlockSize: 1 << 20, NumBlocks: MaxLiveRingBytes>>20 + 1}, "is over the limit of"},
		{"poll_under_1ms", LiveOptions{PollTimeout: time.Microsecond}, "poll timeout 1µs is under 1ms"},
		{"bpf_empty", LiveOptions{BPF: []bpf.RawInstruction{}}, "bad bpf program: 0 instructions"},
		{"bpf_no_return", LiveOptions{BPF: []bpf.RawInstruction{{Op: 40, K: 12}}}, "not a return"},
	}
	for _, tc := range bad {
		err := tc.o.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	if d := DefaultLiveOptions(); d.Snaplen != 65535 || !d.Promiscuous || d.BlockSize != 1<<20 || d.NumBlocks != 64 || d.PollTimeout != 200*time.Millisecond || d.FanoutGroup != 0 || d.BPF != nil {
		t.Errorf("DefaultLiveOptions() = %+v", d)
	}
}
