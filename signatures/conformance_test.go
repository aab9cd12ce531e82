package signatures

import (
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestConformanceCorpus loads every test.rules of the shared conformance corpus:
// each rule either loads or is skipped with a warning naming file:line and, for
// unsupported features, the keyword or construct. It logs a count of skip reasons.
func TestConformanceCorpus(t *testing.T) {
	files, _ := filepath.Glob("/work/shared/conformance/cases/*/test.rules")
	if len(files) == 0 {
		t.Skip("conformance corpus absent")
	}
	reasons := map[string]int{}
	loaded, skipped := 0, 0
	quoted := regexp.MustCompile(`"[^"]*"`)
	for _, f := range files {
		s, warns, err := Load([]string{f}, Options{Vars: map[string]string{"HOME_NET": "[10.0.0.0/8,192.168.0.0/16]"}})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		loaded += len(s.Rules())
		for _, w := range warns {
			if w.File != f || w.Line <= 0 || w.Msg == "" {
				t.Fatalf("warning without position: %+v", w)
			}
			skipped++
			reason := w.Msg
			if i := strings.Index(reason, " not supported"); i >= 0 {
				reason = reason[:i]
			} else {
				reason = quoted.ReplaceAllString(reason, `"…"`)
			}
			reasons[reason]++
		}
	}
	type kv struct {
		k string
		n int
	}
	var list []kv
	for k, n := range reasons {
		list = append(list, kv{k, n})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].n > list[j].n || list[i].n == list[j].n && list[i].k < list[j].k })
	t.Logf("%d files: %d rules loaded, %d skipped", len(files), loaded, skipped)
	for _, e := range list {
		t.Logf("%5d  %s", e.n, e.k)
	}
}
