package signatures

import "testing"

func TestProfile(t *testing.T) {
	s := mustSet(t, Options{},
		r(`file_data; content:"ab"; sid:1;`),
		r(`file_data; content:"ab"; content:"cd"; distance:0; sid:2;`),
		r(`http.uri; content:"/x"; sid:3;`))
	p := NewProfile()
	ctx := anyCtx()
	ctx.Profile = p
	sc := s.NewScanner(FileData, ctx)
	sc.Write([]byte("ab ab cd"))
	sc.End(FileFacts{Size: 8})
	ctx.Buffers = mapBuffers{"http.uri": "/x"}
	s.MatchTransaction(ctx)
	got := map[int]RuleCost{}
	for _, c := range p.Costs() {
		got[c.Rule.SID] = c
	}
	// sid 1 matches at its first candidate and is done: one candidate.
	if c := got[1]; c.Candidates != 1 || c.Matches != 1 || c.Verifications == 0 {
		t.Fatalf("sid 1: %+v", c)
	}
	if c := got[2]; c.Candidates != 3 || c.Matches != 1 {
		t.Fatalf("sid 2: %+v", c)
	}
	if c := got[3]; c.Candidates != 1 || c.Matches != 1 {
		t.Fatalf("sid 3: %+v", c)
	}
	costs := p.Costs()
	for i := 1; i < len(costs); i++ {
		if costs[i].Nanos > costs[i-1].Nanos {
			t.Fatal("not sorted by Nanos")
		}
	}
	q := NewProfile()
	q.Merge(p)
	q.Merge(p)
	q.Merge(nil)
	for _, c := range q.Costs() {
		if c.Candidates != 2*got[c.Rule.SID].Candidates || c.Nanos != 2*got[c.Rule.SID].Nanos {
			t.Fatalf("merge: %+v", c)
		}
	}
	var none *Profile
	if none.Costs() != nil {
		t.Fatal("nil profile has costs")
	}
}

func TestProfileOffAllocs(t *testing.T) {
	s := mustSet(t, Options{}, r(`file_data; content:"ab"; sid:1;`))
	sc := s.NewScanner(FileData, anyCtx())
	buf := []byte("xxxxxxxxxxxxxxxx")
	if n := testing.AllocsPerRun(100, func() { sc.Write(buf) }); n != 0 {
		t.Fatalf("%v allocs per Write without a profile", n)
	}
}
