package http

// Stats counts what the HTTP parsers saw. The engine mirrors the fields into
// Prometheus counters; the parser only ever increments them. A Stats value may
// be shared by the parsers of one worker (it is not safe for concurrent use).
type Stats struct {
	Requests         uint64 // request header blocks parsed
	Responses        uint64 // response header blocks parsed (1xx included)
	Files            uint64 // files opened
	BodyBytes        uint64 // body bytes on the wire (after de-chunking)
	DecodedBytes     uint64 // body bytes after content decoding
	HeaderOverflows  uint64 // header blocks cut at MaxHeaderBytes or MaxHeaders
	ChunkErrors      uint64 // malformed or over-long chunk framing
	DecompressErrors uint64 // corrupt compressed bodies
	CompressionBombs uint64 // bodies stopped by MaxDecompressRatio/MaxDecompressedBytes
	Anomalies        uint64 // anomaly events reported
	MemcapHits       uint64 // buffers refused by the shared memory budget
	Gaps             uint64 // Gap calls received
	Resyncs          uint64 // times a direction lost framing and resynchronised
	PipelineOverflow uint64 // requests dropped because MaxPipelined was reached
	MultipartParts   uint64 // multipart parts seen
	Tunnels          uint64 // connections that became tunnels (CONNECT, 101)
}
