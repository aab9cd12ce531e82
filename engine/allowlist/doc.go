// Package allowlist holds a list of known-good file hashes (MD5 and
// SHA-256), so that an admin can stop alerts on files they have vetted —
// an internal tool a broad signature keeps flagging — by the file's
// identity rather than by silencing the signature for everyone.
//
// # Place in the pipeline
//
// The engine loads one List (Load) and, before writing an alert on a file
// whose digests are known (the file ended complete), asks Allowed with the
// file's MD5 and SHA-256; an allowed file's alert is dropped and counted.
// A file's digests exist only at its end, so alerts on a file still open
// must wait for it (as engine/policy's hash entries do). The package
// imports no other engine package.
//
// # Format
//
// One hash per line, hex in either case: 32 digits for MD5, 64 for SHA-256.
// A file name may follow after white space, so the output of md5sum and
// sha256sum (also with '*' binary markers, '\' escape markers, and their
// --tag form "SHA256 (name) = HASH") is a valid list as it is. Lines
// starting with '#' and blank lines are skipped. Any other line is an
// error naming FILE:LINE (SHA-1 and other lengths are named as such); all
// errors of a file are reported together and no list is returned.
//
// # Limits and memory
//
// A loaded list costs 16 bytes per MD5 and 32 per SHA-256, sorted in two
// arrays (up to three times that while loading): under half the file's
// size, since a hash line takes at least 33 or 65 bytes. Options.MaxEntries (default
// 4 Mi hashes, at most 128 MiB) caps it: a longer list is refused with an
// error naming the line where the limit was reached. A line over
// MaxLineBytes is an error. Duplicates are kept once.
//
// # Lookups and metrics
//
// Contains is a binary search (about 22 comparisons of 32 bytes at 4 Mi
// hashes) that allocates nothing and is safe for concurrent use. Allowed
// also counts hits atomically; Stats reports the list's size and hit
// count, and Carry keeps the count across a reload. Per-signature counts of
// allowed alerts are the engine's (it knows the signature).
//
// # Example
//
//	l, err := allowlist.Load("/etc/wirescan/known-good.sha256", allowlist.Options{})
//	if err != nil { return err } // allowlist: known-good.sha256:12: bad hash "abc": want MD5 (32 hex digits) or SHA-256 (64), got 3
//	if l.Allowed(file.MD5, file.SHA256) { return } // dropped, counted in l.Stats().Hits
package allowlist
