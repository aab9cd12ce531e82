package reassembly

// segmentOverhead is what one buffered segment costs beyond its payload copy
// (the slice entry and allocator rounding), charged to the memcap so that
// many tiny segments cannot hide behind a byte cap.
const segmentOverhead = 64
