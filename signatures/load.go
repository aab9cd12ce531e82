package signatures

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Load reads Suricata .rules files and ClamAV .ndb, .ldb, .hdb, .hsb and .ign2 files
// (chosen by extension) and compiles them into one Set. A rule or signature that
// fails to parse or uses an unsupported feature is skipped with a Warning naming
// file:line and the keyword or construct, unless opts.Strict, where it is a
// *LoadError. A missing or unreadable file, an unknown extension or a limit is an
// error. .ign2 names drop ClamAV signatures from every file of the call. A
// duplicate gid:sid is skipped with a Warning.
//
// With opts.Cache set, a Set compiled earlier from the same files and options
// is read from the cache instead (see Cache); results are the same.
func Load(paths []string, opts Options) (*Set, []Warning, error) {
	opts = opts.withDefaults()
	if opts.Cache != nil {
		return opts.Cache.loadCached(paths, opts)
	}
	return load(paths, nil, opts)
}

// load parses and compiles the rule files; srcs, when not nil, holds their
// contents already read (by the cache).
func load(paths []string, srcs []source, opts Options) (*Set, []Warning, error) {
	l := &loader{opts: opts, ignore: map[string]bool{}, seen: map[[2]int]bool{}}
	for i, p := range paths {
		var data []byte
		if srcs != nil {
			data = srcs[i].data
		}
		if err := l.file(p, data); err != nil {
			return nil, l.warnings(), err
		}
	}
	var keep []*Rule
	for _, r := range l.rules {
		if (r.clam != nil || r.ldb != nil || r.file.clamHash != nil) && l.ignore[r.Msg] {
			continue
		}
		key := [2]int{r.GID, r.SID}
		if l.seen[key] {
			l.warn(r.File, r.Line, fmt.Sprintf("duplicate signature gid %d sid %d skipped", r.GID, r.SID))
			continue
		}
		l.seen[key] = true
		keep = append(keep, r)
	}
	s, err := Compile(keep, opts)
	return s, l.warnings(), err
}

// loader accumulates rules and warnings across the files of one Load.
type loader struct {
	opts       Options
	rules      []*Rule
	warns      []Warning
	suppressed int
	ignore     map[string]bool
	seen       map[[2]int]bool
}

// warn records a warning, counting those beyond Options.MaxWarnings.
func (l *loader) warn(file string, line int, msg string) {
	if len(l.warns) >= l.opts.MaxWarnings {
		l.suppressed++
		return
	}
	l.warns = append(l.warns, Warning{File: file, Line: line, Msg: msg})
}

// warnings returns the warnings plus a summary of suppressed ones.
func (l *loader) warnings() []Warning {
	if l.suppressed == 0 {
		return l.warns
	}
	return append(l.warns, Warning{Msg: fmt.Sprintf("%d more warnings suppressed (Options.MaxWarnings)", l.suppressed)})
}

// file loads one file by extension; data, when not nil, is its contents.
func (l *loader) file(path string, data []byte) error {
	ext := strings.ToLower(filepath.Ext(path))
	var parse func(line string, lineNo int) (*Rule, error)
	switch ext {
	case ".rules":
		pc := &parseCtx{dir: filepath.Dir(path), opts: l.opts}
		parse = func(line string, _ int) (*Rule, error) { return parseRule(line, pc) }
	case ".ndb":
		parse = func(line string, _ int) (*Rule, error) { return parseNDB(line) }
	case ".ldb":
		parse = func(line string, _ int) (*Rule, error) { return parseLDB(line) }
	case ".hdb", ".hsb":
		parse = func(line string, _ int) (*Rule, error) { return parseHashSig(line) }
	case ".ign2":
		parse = func(line string, _ int) (*Rule, error) {
			name, _, _ := strings.Cut(line, ":")
			l.ignore[strings.TrimSpace(name)] = true
			return nil, nil
		}
	default:
		return fmt.Errorf("signatures: %s: unknown rule file extension %q", path, ext)
	}
	if data != nil {
		return l.lines(path, bytes.NewReader(data), ext == ".rules", parse)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("signatures: %w", err)
	}
	defer f.Close()
	return l.lines(path, f, ext == ".rules", parse)
}

// lines feeds each logical line (comments and blank lines skipped, '\'
// continuations joined for .rules) to parse.
func (l *loader) lines(path string, rd io.Reader, cont bool, parse func(string, int) (*Rule, error)) error {
	br := bufio.NewReaderSize(rd, 64<<10)
	lineNo, startLine := 0, 0
	var pos, startOff int64 // bytes read; offset of the logical line
	var acc []byte
	tooLong, joined := false, false
	for {
		chunk, err := br.ReadSlice('\n')
		if len(chunk) > 0 {
			if len(acc) == 0 && !tooLong {
				startLine = lineNo + 1
				startOff = pos
			}
			pos += int64(len(chunk))
			if len(acc)+len(chunk) > l.opts.MaxLineBytes {
				tooLong = true
				acc = acc[:0]
			} else if !tooLong {
				acc = append(acc, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("signatures: %s: %w", path, err)
		}
		if len(chunk) > 0 {
			lineNo++
		}
		line := strings.TrimRight(string(acc), "\r\n")
		if cont && strings.HasSuffix(line, "\\") && err == nil && !tooLong {
			acc = append(acc[:0], line[:len(line)-1]...)
			joined = true
			continue
		}
		at := int64(-1)
		if !joined {
			at = startOff
		}
		if tooLong {
			l.warn(path, startLine, fmt.Sprintf("line longer than %d bytes skipped (Options.MaxLineBytes)", l.opts.MaxLineBytes))
		} else if err := l.line(path, startLine, at, line, parse); err != nil {
			return err
		}
		acc, tooLong, joined = acc[:0], false, false
		if err == io.EOF {
			return nil
		}
	}
}

// line parses one logical line and records the rule or a warning. at is the
// line's byte offset in the file, -1 when it was joined from several.
func (l *loader) line(path string, lineNo int, at int64, line string, parse func(string, int) (*Rule, error)) error {
	untrimmed := line
	line = strings.TrimSpace(line)
	if line == "" || line[0] == '#' {
		return nil
	}
	r, err := parse(line, lineNo)
	if err != nil {
		if l.opts.Strict {
			return &LoadError{File: path, Line: lineNo, Msg: err.Error(), Err: err}
		}
		l.warn(path, lineNo, err.Error())
		return nil
	}
	if r == nil {
		return nil
	}
	if len(l.rules) >= l.opts.MaxRules {
		return &LoadError{File: path, Line: lineNo, Msg: fmt.Sprintf("more than %d rules (Options.MaxRules)", l.opts.MaxRules), Err: ErrLimit}
	}
	r.File, r.Line = path, lineNo
	if lead := strings.Index(untrimmed, r.Raw); at >= 0 && lead >= 0 && r.Raw != "" {
		r.rawAt = at + int64(lead) + 1
	}
	l.rules = append(l.rules, r)
	return nil
}
