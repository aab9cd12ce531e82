package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/wirescan/wirescan/engine"
)

// startProgress prints a progress line every second while a long replay runs,
// only when w is a terminal. It returns a function that stops it and clears
// the line.
func startProgress(eng *engine.Engine, w io.Writer) (stop func()) {
	f, ok := w.(*os.File)
	if !ok {
		return func() {}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		start := time.Now()
		for {
			select {
			case <-done:
				fmt.Fprint(f, "\r\033[K")
				return
			case <-t.C:
				pk, by := eng.Progress()
				secs := time.Since(start).Seconds()
				fmt.Fprintf(f, "\r\033[Kwirescan: %d packets, %.1f MB read, %.1f MB/s", pk, float64(by)/1e6, float64(by)/1e6/secs)
			}
		}
	}()
	return func() { close(done); <-finished }
}
