package signatures

// FileDigests says which digests of a file some rule compares: filemd5,
// filesha1 and filesha256 lists and ClamAV .hdb/.hsb signatures. The engine
// computes those for every file while the set is loaded, whatever its
// configuration turns off: a hash rule over a digest nobody computed would
// silently never match.
type FileDigests struct {
	MD5, SHA1, SHA256 bool
}

// Digests reports the file digests the set's rules compare.
func (s *Set) Digests() FileDigests {
	if s == nil {
		return FileDigests{}
	}
	return s.digests
}

// addDigest records that a rule compares the digest algo ("md5", "sha1",
// "sha256").
func (d *FileDigests) addDigest(algo string) {
	switch algo {
	case "md5":
		d.MD5 = true
	case "sha1":
		d.SHA1 = true
	case "sha256":
		d.SHA256 = true
	}
}

// noteDigests records the digests rule r compares.
func (d *FileDigests) noteDigests(r *Rule) {
	for _, h := range r.file.hashes {
		d.addDigest(h.algo)
	}
	if ch := r.file.clamHash; ch != nil {
		d.addDigest(ch.algo)
	}
}
