package policy_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/wirescan/wirescan/engine/policy"
)

// An inventory scanner pulls the same executable a thousand times: one
// entry silences that file for one signature, another folds a flood into
// incidents. Every alert is counted either way.
func Example() {
	p, err := policy.Parse("policy.yaml", []byte(`
rules:
  - sids: [9000101]
    sha256: ["7f83b1657ff1fc53b92dc18148a1d65dfc2d4b1fa3d677284addd200126d9069"]
    action: suppress
    comment: inventory agent, reviewed
  - sids: [9000200]
    action: aggregate
    window: 1h
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	src, dst := netip.MustParseAddr("10.0.0.5"), netip.MustParseAddr("10.0.0.9")
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	d := p.Decide(policy.Alert{SID: 9000101, SHA256: "7f83b1657ff1fc53b92dc18148a1d65dfc2d4b1fa3d677284addd200126d9069", Src: src, Dst: dst, Time: t0})
	fmt.Println("known-good file logged:", d.Emit)
	for i := range 1000 {
		d = p.Decide(policy.Alert{SID: 9000200, Src: src, Dst: dst, Time: t0.Add(time.Duration(i) * time.Second)})
		if d.Emit {
			fmt.Println("flood logged once as incident", d.IncidentID)
		}
	}
	for _, in := range p.Flush(time.Time{}) {
		fmt.Printf("incident %d: %d hits\n", in.ID, in.Count)
	}
	fmt.Println("suppressed:", p.Stats().Suppressed)
	// Output:
	// known-good file logged: false
	// flood logged once as incident 1
	// incident 1: 1000 hits
	// suppressed: 1
}
