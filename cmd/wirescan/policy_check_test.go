package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func policyCheck(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = run(append([]string{"policy", "check"}, args...), nil, &out, &errb)
	return out.String(), errb.String(), code
}

const goodThreshold = `# Suricata threshold.config
suppress gen_id 1, sig_id 2002087, track by_src, ip 209.132.180.67
suppress gen_id 1, sig_id 2003614, track by_either, ip [192.168.0.0/16,10.0.0.0/8,!10.1.0.0/16]
threshold gen_id 1, sig_id 2002087, type limit, track by_src, \
    count 1, seconds 15
rate_filter gen_id 1, sig_id 888, track by_src, count 10, seconds 60, new_action drop, timeout 300
suppress gen_id 1, sig_id 1990001
`

const eicarSHA256Line = "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f  eicar.com\n"

func TestPolicyCheckThresholdFile(t *testing.T) {
	path := writeFile(t, "threshold.config", goodThreshold)
	out, errs, code := policyCheck(path)
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	for _, want := range []string{
		path + ": threshold.config, 5 entries",
		"  2: suppress gen_id 1, sig_id 2002087, track by_src, ip 209.132.180.67",
		"  4: threshold gen_id 1, sig_id 2002087, type limit, track by_src, count 1, seconds 15",
		"warning: " + path + ":6: new_action drop: wirescan is a passive sensor",
		"warning: " + path + ":7: silences signature 1:1990001 for every address",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestPolicyCheckThresholdErrors: an unknown keyword exits 1 naming
// file:line and the keyword, and every bad entry of the file is listed.
func TestPolicyCheckThresholdErrors(t *testing.T) {
	path := writeFile(t, "threshold.config", "suppress gen_id 1, sig_id 5\nsupress gen_id 1, sig_id 6\nthreshold gen_id 1, sig_id 7, type limit, track by_host, count 1, seconds 1\n")
	out, errs, code := policyCheck(path)
	if code != exitError {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	for _, want := range []string{
		path + `:2: unknown keyword "supress" (want suppress, threshold, event_filter or rate_filter)`,
		path + `:3: threshold: unknown track "by_host"`,
		"policy check: 1 of 1 files have errors",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

func TestPolicyCheckVariables(t *testing.T) {
	path := writeFile(t, "threshold.config", "suppress gen_id 1, sig_id 5, track by_src, ip $HOME_NET\n")
	if _, errs, code := policyCheck(path); code != exitError || !strings.Contains(errs, "undefined variable $HOME_NET") {
		t.Fatalf("without --var: exit %d: %s", code, errs)
	}
	if out, errs, code := policyCheck("--var", "HOME_NET=[10.0.0.0/8,192.168.0.0/16]", path); code != exitOK {
		t.Fatalf("with --var: exit %d: %s%s", code, out, errs)
	}
	if _, _, code := policyCheck("--var", "HOME_NET", path); code != exitUsage {
		t.Fatalf("bad --var: exit %d", code)
	}
}

func TestPolicyCheckAllowlist(t *testing.T) {
	good := writeFile(t, "good.sha256", "# vetted\n"+eicarSHA256Line+"44d88612fea8a8f36de82e1278abb02f *eicar.com\n")
	out, errs, code := policyCheck(good)
	if code != exitOK || !strings.Contains(out, good+": hash allowlist, 1 SHA-256 and 1 MD5 hashes") {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	bad := writeFile(t, "bad.sha256", eicarSHA256Line+"not-a-hash\n")
	_, errs, code = policyCheck("--allowlist", bad)
	if code != exitError || !strings.Contains(errs, bad+`:2: bad hash "not-a-hash"`) {
		t.Fatalf("bad list: exit %d: %s", code, errs)
	}
}

// TestPolicyCheckMixed: one command checks a policy, a threshold.config and
// an allowlist, by content or by flag; one bad file fails the run.
func TestPolicyCheckMixed(t *testing.T) {
	pol := writeFile(t, "policy.yaml", "rules:\n  - action: suppress\n    sids: [5]\n    comment: ok\n")
	th := writeFile(t, "threshold.config", goodThreshold)
	list := writeFile(t, "list", eicarSHA256Line)
	comments := writeFile(t, "only-comments", "# nothing yet\n")
	out, errs, code := policyCheck("--threshold", comments, pol, th, list)
	if code != exitOK {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	for _, want := range []string{pol + ": policy, 1 entries", th + ": threshold.config, 5 entries", list + ": hash allowlist", comments + ": threshold.config, 0 entries"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	bad := writeFile(t, "bad.yaml", "rules:\n  - action: suppress\n")
	if _, _, code := policyCheck(th, bad); code != exitError {
		t.Fatalf("with a bad policy: exit %d", code)
	}
	if _, _, code := policyCheck(); code != exitUsage {
		t.Fatalf("no file: exit %d", code)
	}
	if _, _, code := policyCheck(filepath.Join(t.TempDir(), "missing")); code != exitError {
		t.Fatalf("missing file: exit %d", code)
	}
}

func TestSniffFormat(t *testing.T) {
	for line, want := range map[string]string{
		"suppress gen_id 1, sig_id 5":                  formatThreshold,
		"rate_filter gen_id 1, sig_id 5, track by_src": formatThreshold,
		"supress gen_id 1, sig_id 5":                   formatThreshold, // misspelt, but clearly one
		"rules:":                                       formatPolicy,
		"max-incidents: 5":                             formatPolicy,
		"275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f":         formatAllowlist,
		"\\44d88612fea8a8f36de82e1278abb02f  dir\\\\eicar":                         formatAllowlist,
		"SHA256 (eicar.com) = 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c45": formatAllowlist,
		"abc": formatPolicy,
	} {
		if got := formatOfLine(line); got != want {
			t.Errorf("%q: %s, want %s", line, got, want)
		}
	}
}

// TestRulesCheckThresholdRule: rules with threshold: and detection_filter:
// load; rules check reports no problem.
func TestRulesCheckThresholdRule(t *testing.T) {
	path := writeFile(t, "t.rules", `alert http any any -> any any (msg:"limited"; file_data; content:"X5O!P%@AP"; threshold: type limit, track by_src, count 1, seconds 60; sid:9000001;)
alert http any any -> any any (msg:"filtered"; http.uri; content:"/x"; detection_filter: track by_src, count 15, seconds 2; sid:9000002;)
`)
	var out, errb bytes.Buffer
	code := run([]string{"rules", "check", "--strict", path}, nil, &out, &errb)
	if code != exitOK || !strings.HasPrefix(out.String(), "2 rules loaded, 0 skipped\n") || strings.Contains(out.String(), "unsupported") || errb.Len() > 0 {
		t.Fatalf("exit %d:\n%s%s", code, out.String(), errb.String())
	}
}

// TestRulesCheckTakesS: rule files may be named with -S, as for replay,
// alongside files named after the flags; none at all is a usage error.
func TestRulesCheckTakesS(t *testing.T) {
	a := writeFile(t, "a.rules", `alert http any any -> any any (msg:"a"; http.uri; content:"/a"; sid:9000011;)`+"\n")
	b := writeFile(t, "b.rules", `alert http any any -> any any (msg:"b"; http.uri; content:"/b"; sid:9000012;)`+"\n")
	for _, args := range [][]string{{"-S", a, "-S", b}, {"-S", a, b}} {
		var out, errb bytes.Buffer
		code := run(append([]string{"rules", "check", "--rules-cache", "off"}, args...), nil, &out, &errb)
		if code != exitOK || !strings.HasPrefix(out.String(), "2 rules loaded, 0 skipped\n") {
			t.Fatalf("%v: exit %d:\n%s%s", args, code, out.String(), errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := run([]string{"rules", "check", "--rules-cache", "off"}, nil, &out, &errb); code != exitUsage {
		t.Fatalf("no file: exit %d, want %d (usage): %s", code, exitUsage, errb.String())
	}
}
