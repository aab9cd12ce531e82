package engine

import (
	"fmt"
	"slices"
	"strings"

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

// needDigest adds d to the digests every new file gets; why says what
// reads them, for DigestNotes.
func (e *Engine) needDigest(d files.Digests, why string) {
	if d == 0 {
		return
	}
	e.digestMu.Lock()
	if !slices.Contains(e.digestWhy, digestReason{d, why}) { // reloads repeat them
		e.digestWhy = append(e.digestWhy, digestReason{d, why})
	}
	e.digestMu.Unlock()
	e.needDigests.Or(uint32(d))
}

// digestReason is one thing that reads file digests.
type digestReason struct {
	d   files.Digests
	why string
}

// DigestNotes says, for each digest the configuration turns off but
// something reads, that it is computed anyway and why, so that
// files.sha256=false followed by SHA-256 in every fileinfo is no surprise.
func (e *Engine) DigestNotes() []string {
	off := []struct {
		d    files.Digests
		key  string
		name string
		on   bool
	}{
		{files.DigestMD5, "files.md5", "MD5", e.cfg.Files.MD5},
		{files.DigestSHA1, "files.sha1", "SHA-1", e.cfg.Files.SHA1},
		{files.DigestSHA256, "files.sha256", "SHA-256", e.cfg.Files.SHA256},
	}
	e.digestMu.Lock()
	defer e.digestMu.Unlock()
	var notes []string
	for _, o := range off {
		if o.on {
			continue
		}
		var whys []string
		for _, r := range e.digestWhy {
			if r.d&o.d != 0 && !slices.Contains(whys, r.why) {
				whys = append(whys, r.why)
			}
		}
		if len(whys) > 0 {
			notes = append(notes, fmt.Sprintf("%s is off, but %s is still computed for every file, for %s", o.key, o.name, strings.Join(whys, "; ")))
		}
	}
	return notes
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
