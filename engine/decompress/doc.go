// Package decompress decodes HTTP content codings as the bytes arrive: a
// push decoder for each of gzip, deflate (zlib or raw), br (brotli, RFC 7932)
// and lzma (the LZMA "alone" format), stacked in a Chain for bodies that
// list several ("Content-Encoding: gzip, br").
//
// # Pipeline
//
// The HTTP parser writes de-framed body bytes into a Chain (Write, End); the
// chain emits decoded bytes through the function given to NewChain, which
// feeds the file tracker. Nothing pulls: a Write that ends in the middle of a
// code, a brotli metablock or an LZMA symbol returns, and the next Write
// resumes where it stopped. The output never depends on how the input was
// split (every codec is tested byte by byte, at every two-piece split and in
// random pieces, and fuzzed for it).
//
// # Leniency
//
// Like libhtp, a gzip or deflate layer detects the real framing from the
// first bytes (gzip member, zlib, raw deflate), and a layer whose data does
// not decode at all (a server that lies about the coding) passes the bytes
// through unchanged. A layer holds back its first 512 decoded bytes and
// keeps the first 1 KiB of input so it can still change its mind.
//
// # Limits and what happens when hit
//
//   - Limits.MaxLayers: only the outermost codings are decoded.
//   - Limits.MaxBytes, Limits.MaxRatio: ErrBomb, decoding stops (the caller
//     truncates the file). The ratio guard starts at BombFloor decoded bytes.
//   - Limits.MaxWindow: a brotli stream declaring a larger window is passed
//     through undecoded; an LZMA dictionary is capped there (a match reaching
//     further back is ErrCorrupt).
//   - Memory: each layer reserves its base cost (DeflateCost, BrotliCost,
//     LZMACost) through the caller's reserve function before decoding; a
//     brotli layer reserves its window from the stream header, an LZMA layer
//     its probability tables from the header and its dictionary in doubling
//     steps as output grows. A refusal before any output passes the layer's
//     bytes through; after output it stops the chain with ErrMemcap.
//   - Corrupt data: ErrCorrupt once, after the bytes decoded before the
//     damage were emitted. A stream cut short keeps what it decoded, no error.
//
// Per layer, memory is the window (32 KiB for deflate, up to MaxWindow for
// brotli and LZMA) plus at most a few KiB of queued input: the inflater
// keeps one unfinished code, the brotli codec one 4 KiB input grain (it
// hands the decoder fixed grains so that the bytes emitted before a
// corruption do not depend on the split), the LZMA codec at most 4 KiB plus
// 64 bytes (an LZMA operation reads at most 48 bytes, so one starts only
// when 64 are queued, and no decoder state ever needs rolling back).
//
// # Implementation
//
// inflate.go is our own DEFLATE decoder: compress/flate keeps its first read
// error and cannot resume. Brotli uses github.com/andybalholm/brotli, whose
// Reader is a port of the C state machine and keeps its state when its
// source runs dry. LZMA is our own decoder after the LZMA SDK specification,
// because pull decoders (github.com/ulikunitz/xz/lzma among them) cannot stop
// in the middle of a symbol; that package is the reference encoder and
// oracle of the differential tests.
//
// # Not handled
//
// compress (LZW), zstd and xz codings; brotli's large-window extension;
// multi-member gzip (bytes after the first member are ignored).
package decompress
