package signatures

import (
	"fmt"
	"strconv"
)

// Rules mixing raw stream content and file_data ("content:"x"; file_data;
// content:"y""; Suricata-verify bug-2576). Suricata inspects the payload
// part on the stream of the packet whose inspection runs the file_data
// part, so both parts see the same direction. Here the rule is split: its
// file_data part is the rule (a file rule), and its stream part becomes a
// hidden stream rule (Set.mix) whose match sets a per-flow, per-direction
// bit; the file rule tests that bit, like "flowbits:isset", in the
// direction of the file. The engine feeds reassembled bytes to the stream
// scanner before the protocol parser, so a stream part found in the bytes
// that also carry the file content is seen first; a file whose content
// completed before the stream part is decided again at End. The stream
// part may not be anchored (offset, depth, startswith, absolute isdataat or
// bsize: those are chunk rules) and carries no protocol-buffer conditions
// (they stay with the file part). Differences from Suricata: the stream
// part may have matched earlier on the connection, in the same direction,
// not only in the chunk being inspected.

// splitMixed makes the stream items of a mixed rule its hidden stream part.
// It runs at the end of finish, when the rule's header and identity are
// final.
func (p *ruleParser) splitMixed(stream []item) error {
	r := p.r
	if r.kind != kindFile {
		return unsupported("mixing stream content and file_data in a %s rule", r.Proto)
	}
	comp := &Rule{Action: r.Action, Proto: r.Proto, GID: r.GID, SID: r.SID, Rev: r.Rev, Msg: r.Msg,
		File: r.File, Line: r.Line, Raw: r.Raw, noAlert: true,
		ruleBody: &ruleBody{kind: kindStream, hdr: r.hdr, hdrKey: r.hdrKey, flow: r.flow, dirTo: r.dirTo}}
	for _, it := range stream {
		if it.typ == itBsize || it.typ == itIsdataat && !it.relative {
			return unsupported("absolute isdataat or bsize on the stream part of a rule with file_data")
		}
	}
	comp.data = stream
	if err := prepareStreamPcre(comp.data); err != nil {
		return err
	}
	if err := validateItems(comp.data, true); err != nil {
		return err
	}
	if chunkAnchored(comp) {
		return unsupported("anchored stream content (offset, depth, startswith) in a rule with file_data")
	}
	key := strconv.Itoa(r.GID) + ":" + strconv.Itoa(r.SID)
	names := []string{" stream-part:" + key + ":to_server", " stream-part:" + key + ":to_client"}
	comp.flowbits = []flowbitOp{{op: fbSet, names: names, dir: true}}
	r.flowbits = append(r.flowbits, flowbitOp{op: fbIsset, names: names, dir: true})
	r.lateTest = true
	r.mix = comp
	return nil
}

// compileMix compiles the stream parts of the mixed rules among rules into
// s.mix, sharing s's flowbit table.
func (s *Set) compileMix(rules []*Rule, opts Options) error {
	var parts []*Rule
	for _, r := range rules {
		if r.ruleBody != nil && r.mix != nil {
			parts = append(parts, r.mix)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	mix, err := compileSet(parts, opts, s.flowTable, false)
	if err != nil {
		return fmt.Errorf("signatures: stream parts of mixed rules: %w", err)
	}
	mix.version = ""
	s.mix = mix
	s.stats.Patterns += mix.stats.Patterns
	s.stats.States += mix.stats.States
	s.stats.MemoryBytes += mix.stats.MemoryBytes
	return nil
}
