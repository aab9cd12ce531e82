package signatures

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Xbits (Suricata "xbits"): named booleans shared by every connection of a
// host (track ip_src, track ip_dst) or of an address pair (track ip_pair),
// that expire in packet time. This package parses them and evaluates them
// exactly where flowbits are evaluated (flowbits.go): tests (isset,
// isnotset) when a rule would otherwise match, actions (set, unset, toggle)
// when it matches, noalert included. The bits themselves live outside the
// Set, in the engine's table (Context.XBits), so they outlast the
// connection that set them and a rule reload: they are keyed by name, not
// by an index of one Set.
//
// ip_src and ip_dst name the source and destination of the bytes the rule
// matched (Context.SrcIP, Context.DstIP): a bit set with "track ip_dst" on
// a request is tested with "track ip_src" on the response. Both are host
// bits: one bit per (name, address), whichever keyword reached it. An
// ip_pair bit belongs to the unordered pair of addresses, so either
// direction of any connection between the two hosts sees it.

// Limits on xbits.
const (
	maxXbitOps = 32 // xbits keywords per rule
	// defaultXbitExpire is the lifetime of a set bit when the rule gives
	// no "expire": Suricata's DETECT_XBITS_EXPIRE_DEFAULT.
	defaultXbitExpire = 30
)

// XBitTrack says whose bit an xbits keyword reads or writes.
type XBitTrack uint8

// Tracks.
const (
	// XBitIPSrc is the host bit of the source of the matched bytes.
	XBitIPSrc XBitTrack = iota + 1
	// XBitIPDst is the host bit of their destination.
	XBitIPDst
	// XBitIPPair is the bit of the unordered pair of addresses.
	XBitIPPair
)

// String names the track as rules spell it.
func (t XBitTrack) String() string {
	switch t {
	case XBitIPSrc:
		return "ip_src"
	case XBitIPDst:
		return "ip_dst"
	case XBitIPPair:
		return "ip_pair"
	}
	return "unknown"
}

// XBitKey identifies one xbit: a name and a host (Pair false, address A) or
// an address pair (Pair true, A before B in netip.Addr order, so both
// directions give the same key). Addresses are unmapped (an IPv4-mapped
// IPv6 address is its IPv4 address). It is comparable, for use as a map
// key.
type XBitKey struct {
	Name string
	Pair bool
	A, B netip.Addr
}

// XBits is the store of xbits the rules of a Context test and change. The
// engine supplies one table for all connections and workers
// (engine/xbits); implementations are safe for concurrent use. Times are
// packet times; an expiry is counted in whole seconds, as Suricata counts
// it: a bit set at time t with lifetime E is set until the second
// t.Unix()+E has passed.
type XBits interface {
	// IsSet reports whether k's bit is set and not expired at now.
	IsSet(k XBitKey, now time.Time) bool
	// Set sets k's bit with lifetime expire from now; setting a set bit
	// renews its lifetime.
	Set(k XBitKey, now time.Time, expire time.Duration)
	// Unset clears k's bit.
	Unset(k XBitKey)
	// Toggle clears k's bit when it is set at now, else sets it as Set.
	Toggle(k XBitKey, now time.Time, expire time.Duration)
}

// xbitOp is one xbits keyword as parsed.
type xbitOp struct {
	op     byte // fbSet ... fbIsnotset
	name   string
	track  XBitTrack
	expire uint32 // seconds; set and toggle only
}

// key returns the bit op addresses for bytes from src to dst; ok is false
// when a needed address is unknown (the bit is then unset and actions have
// no effect).
func (o *xbitOp) key(src, dst netip.Addr) (k XBitKey, ok bool) {
	k.Name = o.name
	switch o.track {
	case XBitIPSrc:
		k.A = src.Unmap()
		return k, k.A.IsValid()
	case XBitIPDst:
		k.A = dst.Unmap()
		return k, k.A.IsValid()
	}
	a, b := src.Unmap(), dst.Unmap()
	if b.Less(a) {
		a, b = b, a
	}
	k.Pair, k.A, k.B = true, a, b
	return k, a.IsValid() && b.IsValid()
}

// xbits parses xbits:<op>,<name>,track <track>[,expire <seconds>] and
// xbits:noalert. Track and expire may come in either order; expire applies
// to set and toggle (defaultXbitExpire without it) and is accepted and
// ignored on the other operations, as Suricata does.
func (p *ruleParser) xbits(v string) error {
	r := p.r
	if len(r.xbits) >= maxXbitOps {
		return fmt.Errorf("more than %d xbits keywords: %w", maxXbitOps, ErrLimit)
	}
	parts := strings.Split(v, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	if parts[0] == "noalert" {
		if len(parts) > 1 {
			return fmt.Errorf("keyword \"xbits\": noalert takes nothing else")
		}
		r.noAlert = true
		return nil
	}
	code, ok := bitOps[parts[0]]
	switch {
	case parts[0] == "":
		return fmt.Errorf("keyword \"xbits\": missing operation (set, unset, toggle, isset, isnotset)")
	case !ok:
		return fmt.Errorf("keyword \"xbits\": unknown operation %q (want set, unset, toggle, isset, isnotset or noalert)", truncate(parts[0]))
	}
	xo := xbitOp{op: code, expire: defaultXbitExpire}
	if len(parts) < 2 || parts[1] == "" {
		return fmt.Errorf("keyword \"xbits\": %s needs a name", parts[0])
	}
	name := parts[1]
	if len(name) > maxFlowbitName || strings.ContainsAny(name, " \t\"';|&") {
		return fmt.Errorf("keyword \"xbits\": bad name %q", truncate(name))
	}
	xo.name = name
	var hasTrack, hasExpire bool
	for _, opt := range parts[2:] {
		f := strings.Fields(opt)
		var key, val string
		if len(f) > 0 {
			key = f[0]
		}
		if len(f) > 1 {
			val = f[1]
		}
		if len(f) > 2 {
			return fmt.Errorf("keyword \"xbits\": bad option %q", truncate(opt))
		}
		switch key {
		case "track":
			if hasTrack {
				return fmt.Errorf("keyword \"xbits\": track given twice")
			}
			hasTrack = true
			switch val {
			case "ip_src":
				xo.track = XBitIPSrc
			case "ip_dst":
				xo.track = XBitIPDst
			case "ip_pair":
				xo.track = XBitIPPair
			case "tx":
				return unsupported("xbits \"track tx\"")
			case "":
				return fmt.Errorf("keyword \"xbits\": track needs ip_src, ip_dst or ip_pair")
			default:
				return fmt.Errorf("keyword \"xbits\": unknown track %q (want ip_src, ip_dst or ip_pair)", truncate(val))
			}
		case "expire":
			if hasExpire {
				return fmt.Errorf("keyword \"xbits\": expire given twice")
			}
			hasExpire = true
			n, err := strconv.ParseUint(val, 10, 32)
			if err != nil || n == 0 {
				return fmt.Errorf("keyword \"xbits\": bad expire %q (want seconds, 1 to %d)", truncate(val), uint32(1<<32-1))
			}
			xo.expire = uint32(n)
		case "":
			return fmt.Errorf("keyword \"xbits\": empty option")
		default:
			return fmt.Errorf("keyword \"xbits\": unknown option %q (want track or expire)", truncate(opt))
		}
	}
	if !hasTrack {
		return fmt.Errorf("keyword \"xbits\": %s %s needs \"track ip_src|ip_dst|ip_pair\"", parts[0], truncate(name))
	}
	r.xbits = append(r.xbits, xo)
	return nil
}

// bitEnv is what a rule's flowbits and xbits keywords read and change for
// bytes travelling in one direction: the connection's flowbits, the engine's
// xbits, the packet clock and the bytes' endpoints.
type bitEnv struct {
	flow     *FlowState
	toServer bool
	xbits    XBits
	now      func() time.Time
	src, dst netip.Addr
}

// envOf returns the bit environment of ctx.
func envOf(ctx *Context) bitEnv {
	return bitEnv{flow: ctx.Flow, toServer: ctx.ToServer, xbits: ctx.XBits, now: ctx.Now, src: ctx.SrcIP, dst: ctx.DstIP}
}

// time is the packet time xbits are read and written at; the zero time
// without a clock.
func (e *bitEnv) time() time.Time {
	if e.now == nil {
		return time.Time{}
	}
	return e.now()
}

// xbitsOK reports whether the rule's xbits tests hold. Without a store
// every bit is unset.
func (cr *crule) xbitsOK(e *bitEnv) bool {
	var now time.Time
	for i := range cr.xbits {
		o := &cr.xbits[i]
		if o.op < fbIsset {
			continue
		}
		set := false
		if k, ok := o.key(e.src, e.dst); ok && e.xbits != nil {
			if now.IsZero() {
				now = e.time()
			}
			set = e.xbits.IsSet(k, now)
		}
		if set != (o.op == fbIsset) {
			return false
		}
	}
	return true
}

// xbitsApply performs the rule's xbits actions.
func (cr *crule) xbitsApply(e *bitEnv) {
	if e.xbits == nil {
		return
	}
	for i := range cr.xbits {
		o := &cr.xbits[i]
		if o.op > fbToggle {
			continue
		}
		k, ok := o.key(e.src, e.dst)
		if !ok {
			continue
		}
		exp := time.Duration(o.expire) * time.Second
		switch o.op {
		case fbSet:
			e.xbits.Set(k, e.time(), exp)
		case fbUnset:
			e.xbits.Unset(k)
		case fbToggle:
			e.xbits.Toggle(k, e.time(), exp)
		}
	}
}

// bitsOK reports whether the rule's flowbits and xbits tests hold.
func (cr *crule) bitsOK(e *bitEnv) bool {
	return (len(cr.fbits) == 0 || cr.flowOK(e.flow, e.toServer)) && (len(cr.xbits) == 0 || cr.xbitsOK(e))
}

// bitsApply performs the rule's flowbits and xbits actions.
func (cr *crule) bitsApply(e *bitEnv) {
	if len(cr.fbits) > 0 {
		cr.flowApply(e.flow, e.toServer)
	}
	if len(cr.xbits) > 0 {
		cr.xbitsApply(e)
	}
}

// hasBits reports whether the rule has flowbits or xbits keywords.
func (cr *crule) hasBits() bool { return len(cr.fbits) > 0 || len(cr.xbits) > 0 }
