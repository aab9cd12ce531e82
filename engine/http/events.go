package http

// Anomaly names reported through app.Sink.Anomaly. They are stable
// identifiers: rules and dashboards match on them.
const (
	AnomHeaderTooLong         = "http.header_too_long"
	AnomTooManyHeaders        = "http.too_many_headers"
	AnomInvalidHeader         = "http.invalid_header_line"
	AnomTEAndCL               = "http.te_and_cl"
	AnomMultipleCL            = "http.multiple_content_length"
	AnomInvalidCL             = "http.invalid_content_length"
	AnomUnknownTE             = "http.unknown_transfer_encoding"
	AnomChunkLineTooLong      = "http.chunk_line_too_long"
	AnomChunkOverhead         = "http.chunk_overhead"
	AnomInvalidChunk          = "http.invalid_chunk"
	AnomCompressionBomb       = "http.compression_bomb"
	AnomDecompressError       = "http.decompress_error"
	AnomUnsupportedEncoding   = "http.unsupported_encoding"
	AnomTooManyLayers         = "http.too_many_encoding_layers"
	AnomConnectTunnel         = "http.connect_tunnel"
	AnomUpgrade               = "http.protocol_upgrade"
	AnomTooManyPipelined      = "http.too_many_pipelined"
	AnomResponseWithoutReq    = "http.unsolicited_response"
	AnomJunkBeforeStatus      = "http.junk_before_status_line"
	AnomNoStatusLine          = "http.response_without_status_line"
	AnomGapInHeaders          = "http.gap_in_headers"
	AnomGapLostSync           = "http.gap_lost_sync"
	AnomTooManyParts          = "http.too_many_multipart_parts"
	AnomMultipartHeader       = "http.multipart_header_too_long"
	AnomInvalidContentRange   = "http.invalid_content_range"
	AnomFoldedHeader          = "http.folded_header"
	AnomBareLF                = "http.bare_lf"
	AnomRequestWithoutVersion = "http.request_without_version"
	// AnomResponseUnpaired: after a gap that may have swallowed several
	// responses, a response could not be paired with its request.
	AnomResponseUnpaired = "http.response_unpaired"
	// AnomMemcap: the engine-wide parser memory budget refused a buffer.
	AnomMemcap         = "http.memcap"
	AnomUnexpectedBody = "http.unexpected_response_body"
	// AnomRequestBodyUnexpected: lines after a request without body that
	// do not start with a known method were taken as its body (libhtp's
	// "Unexpected request body", Suricata's request_body_unexpected).
	AnomRequestBodyUnexpected = "http.request_body_unexpected"
)
