package socket

import (
	"context"

	"github.com/wirescan/wirescan/engine/output"
)

// UnixFactory opens unix:PATH?type=dgram|stream (default dgram). A stream
// socket gets newline-terminated lines; a datagram socket one line per
// datagram, without the newline (as Suricata's unix_dgram).
func UnixFactory(ctx context.Context, spec *output.Spec) (output.Sink, error) {
	path := spec.Path()
	if path == "" {
		return nil, spec.Errorf("no path: want unix:PATH")
	}
	typ := spec.Params.String("type", "dgram")
	qc, err := spec.QueueConfig()
	if err != nil {
		return nil, err
	}
	if err := spec.CheckParams(); err != nil {
		return nil, err
	}
	switch typ {
	case "stream":
		return output.Start(ctx, spec, qc, dialer("unix", path, true, func(dst, line []byte) []byte { return append(dst, line...) }))
	case "dgram":
		qc.MaxLineBytes = maxUnixgram + 1 // the newline is not sent
		return output.Start(ctx, spec, qc, dialer("unixgram", path, false, func(dst, line []byte) []byte { return append(dst, trimNL(line)...) }))
	default:
		return nil, spec.Errorf("type=%q: want dgram or stream", typ)
	}
}
