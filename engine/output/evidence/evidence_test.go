package evidence

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wirescan/wirescan/engine/capture"
)

func frame(b ...byte) Frame {
	return Frame{Time: time.Unix(1, 0), Data: b, WireLen: len(b), Link: capture.LinkTypeRaw}
}

// TestNeverOverwrites: a second run into the same directory (flow ids
// repeat across runs) writes a new file next to the first; a frame of
// another link type than the file's is left out and counted.
func TestNeverOverwrites(t *testing.T) {
	ev := New(Config{Dir: t.TempDir(), MaxPacketsPerFlow: 4, MaxBytesPerFlow: 1 << 20, Memcap: 1 << 20})
	for _, want := range []string{"7.pcap", "7-1.pcap"} {
		r := &Ring{}
		ev.Record(r, frame(1, 2, 3))
		other := frame(4)
		other.Link = capture.LinkTypeNull
		ev.Record(r, other)
		if got := ev.Start(r, 7); got != want {
			t.Fatalf("file %q, want %q", got, want)
		}
		ev.Close(r)
	}
	if st := ev.Stats(); st.Skipped != 2 || st.Memory != 0 || ev.open.Load() != 0 || st.Files != 2 {
		t.Fatalf("stats %+v, open %d", st, ev.open.Load())
	}
}

// TestRingKeepsTheNewestFrames: a ring holds at most MaxPacketsPerFlow
// frames, and at the memcap it drops its oldest frames instead of growing;
// every byte goes back to the budget when the flow ends.
func TestRingKeepsTheNewestFrames(t *testing.T) {
	dir := t.TempDir()
	ev := New(Config{Dir: dir, MaxPacketsPerFlow: 3, MaxBytesPerFlow: 1 << 20, Memcap: 8})
	r := &Ring{}
	for i := range 5 {
		ev.Record(r, frame(byte(i), byte(i), byte(i)))
	}
	if r.n != 2 || ev.Stats().Memory > 8 {
		t.Fatalf("ring holds %d frames, %d bytes; want 2 frames within the 8-byte memcap", r.n, ev.Stats().Memory)
	}
	if ev.Stats().Denied == 0 {
		t.Fatal("the memcap refused nothing")
	}
	name := ev.Start(r, 1)
	ev.Close(r)
	info, err := os.Stat(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	// pcap header + two records of 16+3 bytes: the two newest frames.
	if info.Size() != 24+2*19 {
		t.Fatalf("file is %d bytes, want %d", info.Size(), 24+2*19)
	}
	if ev.Stats().Memory != 0 {
		t.Fatalf("%d bytes still reserved after Close", ev.Stats().Memory)
	}
}
