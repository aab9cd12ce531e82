package engine

import (
	"github.com/wirescan/wirescan/engine/allowlist"
	"github.com/wirescan/wirescan/engine/files"
	"github.com/wirescan/wirescan/engine/policy"
	"github.com/wirescan/wirescan/signatures"
)

// Which digests a file gets: those files.md5/sha1/sha256 turn on, and
// whatever something reads. needDigests only ever grows: a flow keeps the
// rule set it started with, so a digest an older set compares must go on
// being computed for as long as the process runs.

// DigestsNeeded returns the digests computed for every file whatever the
// configuration says, because rules, the allowlist, the policy or the file
// store read them.
func (e *Engine) DigestsNeeded() files.Digests { return files.Digests(e.needDigests.Load()) }

// needDigest adds d to the digests every new file gets.
func (e *Engine) needDigest(d files.Digests) {
	for {
		old := e.needDigests.Load()
		if e.needDigests.CompareAndSwap(old, old|uint32(d)) {
			return
		}
	}
}

// rulesDigests returns the digests the hash rules of s compare.
func rulesDigests(s *signatures.Set) files.Digests {
	rd := s.Digests()
	var d files.Digests
	if rd.MD5 {
		d |= files.DigestMD5
	}
	if rd.SHA1 {
		d |= files.DigestSHA1
	}
	if rd.SHA256 {
		d |= files.DigestSHA256
	}
	return d
}

// allowlistDigests returns the digests l looks files up by. SHA-256 is
// always one: it is how the silencers know a file ended complete.
func allowlistDigests(l *allowlist.List) files.Digests {
	if l == nil {
		return 0
	}
	d := files.DigestSHA256
	if l.Stats().MD5 > 0 {
		d |= files.DigestMD5
	}
	return d
}

// policyDigests returns the digests the entries of p name.
func policyDigests(p *policy.Policy) files.Digests {
	if p.NamesHashes() {
		return files.DigestSHA256
	}
	return 0
}
