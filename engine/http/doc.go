// Package http is wirescan's HTTP/1.x parser: an incremental, push-based
// state machine (app.Parser) that turns the two byte streams of a TCP
// connection into transactions and files.
//
// # Pipeline
//
// Reassembly calls Feed/Gap/End/Close, and the engine calls Flush after each
// packet (app.Flusher); the parser reports to an app.Sink:
// FileOpen/FileData/FileGap/FileClose with decoded body bytes (de-chunked,
// decompressed, split out of multipart uploads), Transaction once per
// request/response pair, and Anomaly events named in events.go. Probe
// recognises HTTP on any port from the first bytes of a direction.
//
// # Leniency
//
// wirescan decodes what lenient clients and libhtp decode, because evasions
// live in the gap between strict and lenient parsers: bare LF and lone CR line
// ends, obs-fold, junk lines before a status line, responses without a status
// line (raw body until close), "chunked" anywhere in Transfer-Encoding, an
// invalid first chunk-size line (body read as is), Content-Length with junk
// (ignored: read until close), unknown Content-Encoding tokens (skipped),
// gzip/zlib/raw deflate auto-detected per layer, any layer passed through when
// its data does not decompress at all, lines after a complete response body
// that do not start like a status line, in the same packet or continuing a
// line begun there (appended to that body, as libhtp does; see trail.go), and bytes without a status line after an interim 1xx head (the
// body of that head, named by its Content-Disposition). After a gap the
// bytes right behind it are tried as a message start before skipping a line.
// Each oddity raises a named anomaly.
//
// # Limits (Config) and what happens when hit
//
//   - MaxHeaderBytes: "http.header_too_long", the block is parsed as far as kept.
//   - MaxHeaders: "http.too_many_headers", further headers are ignored.
//   - MaxChunkLine and the chunk overhead budget (Go's net/http rule):
//     "http.chunk_line_too_long"/"http.chunk_overhead", the file is truncated
//     and the direction resynchronises on the next request/status line.
//   - MaxPipelined: "http.too_many_pipelined", the oldest request is reported
//     without a response.
//   - DecompressLayers: "http.too_many_encoding_layers", only the outermost
//     layers are decoded.
//   - MaxDecompressRatio, MaxDecompressedBytes: "http.compression_bomb",
//     decoding stops and the file is truncated.
//   - MaxDecompressWindow: a brotli window beyond it passes the body
//     undecoded ("http.memcap"); an lzma match reaching past it is
//     "http.decompress_error".
//   - MaxMultipartParts: "http.too_many_multipart_parts", later parts are not
//     reported as files.
//
// Memory per connection is bounded by MaxHeaderBytes per direction, the
// content decoders of one body per direction (see package decompress: a
// 32 KiB inflate window per gzip/deflate layer, a brotli window as its header
// declares, an lzma dictionary growing with the output, both capped by
// MaxDecompressWindow and reserved from the shared budget), and a multipart
// hold-back of about 4 KiB. Nothing is sized by a length from the wire
// without passing those caps.
//
// # Decompression
//
// Content-Encoding tokens go to a decompress.Chain (gzip, x-gzip, deflate,
// br, lzma; stacked in the listed order). A refusal of the budget passes
// the body undecoded with "http.memcap"; corruption raises
// "http.decompress_error" and keeps what decoded before it.
//
// # Not handled yet
//
// compress, zstd and xz encodings (delivered raw with
// "http.unsupported_encoding"); HTTP/2; multipart response bodies
// (multipart/byteranges is delivered as one file); request smuggling beyond
// the anomalies listed.
package http
