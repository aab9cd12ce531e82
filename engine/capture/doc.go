// Package capture reads packet captures and writes evidence captures.
//
// It is the first stage of the pipeline: it turns a pcap or pcapng file (or
// stdin, or several files in a row) into a stream of Packets for
// engine/decode. It replaces gopacket's pcapgo reader because that reader
// trusts the snap length a file declares and can be made to allocate up to
// 4 GiB for one record.
//
// # Inputs and outputs
//
// Open, NewReader and Concat return a Source. Source.Next yields one Packet at
// a time; Packet.Data is owned by the reader and valid until the next Next
// call. Packet numbers are 1-based and continue across the files of a Concat
// source, so they are the EVE pcap_cnt. Writer writes a classic pcap file.
//
// # Formats
//
// pcap: both byte orders, microsecond and nanosecond magic, and the
// "modified" (Kuznetzov) variant. pcapng: Section Header, Interface
// Description, Enhanced Packet, Simple Packet and the obsolete Packet block;
// several sections (each with its own byte order) and several interfaces with
// different link types and if_tsresol/if_tsoffset. Other block types are
// skipped.
//
// # Limits and damage
//
// Options.MaxRecordBytes (default 256 KiB) caps one packet record; a larger
// record is treated as damage, never allocated. pcapng blocks other than
// packet blocks are skipped without being buffered (Discard), and a section
// may describe at most maxInterfaces interfaces. When a file is truncated or
// corrupt after some good packets, Next returns a *DamageError naming the
// file, the packet number and the byte offset of the bad record. Everything
// before it was delivered. A single-file Source then returns io.EOF; a Concat
// Source moves on to the next file. A file that is not a capture at all fails
// with an error wrapping ErrNotCapture.
//
// # Metrics
//
// Every Source returned by this package also implements StatsReporter, whose
// Stats snapshot (packets, bytes, damaged files, files opened) is safe to
// call from another goroutine; engine/metrics mirrors it into Prometheus.
//
// # Not handled yet
//
// Compressed captures, pcapng Name Resolution / Interface Statistics block
// contents (skipped), live capture (AF_PACKET lives in a separate file set).
//
// # Example
//
//	src, err := capture.Open("in.pcap", capture.Options{})
//	if err != nil { return err }
//	defer src.Close()
//	for {
//		pkt, err := src.Next()
//		var dmg *capture.DamageError
//		switch {
//		case err == io.EOF:
//			return nil
//		case errors.As(err, &dmg):
//			log.Warn(dmg.Error())
//			continue
//		case err != nil:
//			return err
//		}
//		handle(pkt)
//	}
package capture
