package signatures

import (
	"time"

	"github.com/wirescan/wirescan/signatures/mpm"
)

// Set is a compiled, immutable rule set: one automaton holding every literal of
// every rule, plus per-rule verification data. It is safe for concurrent use by
// any number of goroutines; swap Sets atomically to reload.
type Set struct {
	rules  []*Rule
	crules []crule
	mpm    *mpm.Matcher // every literal of every rule (pattern id = index)

	// Pattern tables: pattern id (folded literal) -> variants -> refs.
	pvStart  []int32
	variants []variant
	refs     []ref
	needTail bool // some variant needs case-sensitive verification

	groups   []group
	groupOf  []int32    // group id per rule (-1: in no group)
	heads    heads      // groups per Scanner context class (heads.go)
	byKind   [3][]int32 // group ids per ruleKind
	endOnly  [3][]int32 // rules with no positive content, decided at End (per kind)
	hashIdx  map[string][]int32
	txRules  []int32
	tx       litFilter    // which txRules a transaction needs to evaluate
	dyn      [2]dynGroups // dynamic groups per scanner kind (heads.go)
	pktRules []int32      // tcp-pkt rules (MatchPacket)
	// chunkRules are stream rules anchored at an absolute position, decided
	// on each reassembled chunk (MatchChunk), never by a Scanner.
	chunkRules []int32
	// absentRules are file rules with "file.data; absent: or_else": their
	// absent branch is a transaction rule (MatchTransaction).
	absentRules []int32
	fileAbsent  bool        // some rule has "file.data; absent"
	digests     FileDigests // the file digests some rule compares
	version     string
	stats       SetStats
	position    int   // remembered positions per rule stage
	pcreWin     int   // largest streamed pcre window (width+1), 0 if none
	pcreStarts  []ref // streamed pcre elements anchored at offset 0
	exeNeed     bool  // some rule needs the file's headers (Scanner parses them)
	// bitRules is set when some rule tests or changes flowbits or xbits
	// (its Scanners carry a bit environment). Such rules are compiled
	// eagerly (compileSet, compileEager), never lazily.
	bitRules bool

	subs        []subSet     // rules with transformed file data, per transform list
	mix         *Set         // the stream parts of rules mixing stream content and file_data (mixed.go)
	flowTable   flowbitTable // flowbit names, shared with transform sub-sets
	flowSetters []int32      // tx rules that set/unset flowbits (no toggle)

	// lazy, set on Sets read from the compiled-set cache, compiles rules
	// on first use (crule).
	lazy *lazyRules
}

// SetStats describes a compiled Set for logs and metrics.
type SetStats struct {
	// Rules is the number of rules and signatures.
	Rules int
	// Patterns is the number of distinct (case-folded) literals in the automaton.
	Patterns int
	// States is the number of automaton states.
	States int
	// MemoryBytes estimates the heap held by the matcher tables.
	MemoryBytes int64
	// CompileTime is how long Compile took (for a Set read from the
	// compiled-set cache: how long reading it took).
	CompileTime time.Duration
	// Cached is true when the Set was read from the compiled-set cache
	// instead of compiled.
	Cached bool
}

// variant is a pattern as one or more rules wrote it: nocase, or exact bytes that
// are verified against the input after the folded automaton fires.
type variant struct {
	exact    []byte // nil for nocase (or when folding cannot change it)
	refStart int32
	refEnd   int32
	length   int32
}

// ref points a variant occurrence at a rule element.
type ref struct {
	rule  int32
	chain uint16
	elem  uint16
}

// crule is a rule's compiled form.
type crule struct {
	r       *Rule
	chains  []chain
	simple  bool // one chain, one positive element, nothing needing End
	needEnd bool
	bufs    []cbuf
	magic   *cbuf
	fbits   []cflowbit // interned flowbits
	xbits   []xbitOp   // xbits keywords (names resolved by Context.XBits)
	pkt     *cbuf      // tcp-pkt and chunk rules: the whole-buffer condition
	ldb     *ldbInfo   // ClamAV logical signature (ldb_scan.go)
	waits   bool       // its candidates wait for the file's headers (ldb_scan.go)
}

// subSet holds the file and stream rules whose data goes through one list of
// transforms; a Scanner feeds it the transformed bytes.
type subSet struct {
	xs  []transform
	set *Set
}

// group is a set of rules sharing every condition decided at NewScanner time
// (kind, protocol, header, flow, protocol buffers, file name).
type group struct {
	kind ruleKind
	rep  int32 // representative rule
}

// Rules returns the rules of the set in load order. The slice and rules are shared
// and must not be modified. Rules of a Set read from the compiled-set cache carry
// their exported fields; Compile refuses those the Set has not parsed yet (parse
// Raw again to compile them elsewhere).
func (s *Set) Rules() []*Rule { return s.rules }

// Stats returns the set's size and compile statistics.
func (s *Set) Stats() SetStats { return s.stats }

// Version is a short hash of the rule texts, for EVE and metrics.
func (s *Set) Version() string { return s.version }
