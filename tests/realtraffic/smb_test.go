//go:build realtraffic

package realtraffic

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// smbPassword is the password of the test's Samba user (root, in a passdb
// that lives in the test's temp dir).
const smbPassword = "wirescan-rt-1"

// smbConf is the generated server configuration: %[1]s is the temp dir,
// %[2]s the server's address.
const smbConf = `[global]
	server role = standalone server
	server min protocol = NT1
	smb ports = 445
	interfaces = %[2]s/30
	bind interfaces only = yes
	disable netbios = yes
	private dir = %[1]s/private
	lock directory = %[1]s/lock
	state directory = %[1]s/state
	cache directory = %[1]s/cache
	pid directory = %[1]s/pid
	ncalrpc dir = %[1]s/ncalrpc
	binddns dir = %[1]s/binddns
	log file = %[1]s/log/smbd.log
	passdb backend = tdbsam:%[1]s/private/passdb.tdb
	map to guest = Bad User
	load printers = no
	printing = bsd
	printcap name = /dev/null
	disable spoolss = yes
	usershare path =
[share]
	path = %[1]s/share
	guest ok = yes
	read only = no
	force user = root
`

// smbClientConf is smbclient's configuration, so that the host's
// /etc/samba/smb.conf plays no part.
const smbClientConf = `[global]
	client min protocol = NT1
	client max protocol = SMB3
`

// smbEnv is smbd serving a generated share in the server namespace of a
// pair.
type smbEnv struct {
	ctx        context.Context
	pair       *netPair
	dir        string // configs, Samba's state
	share      string // the share's directory
	work       string // smbclient's local files
	clientConf string
	files      map[string][]byte // share content by SMB name ("docs\\report.txt")
}

// newSMBEnv fills the share, adds the Samba user and starts smbd.
func newSMBEnv(t *testing.T, ctx context.Context) *smbEnv {
	t.Helper()
	dir := t.TempDir()
	s := &smbEnv{ctx: ctx, pair: newNetPair(t, ctx), dir: dir, share: filepath.Join(dir, "share"),
		work: filepath.Join(dir, "client"), clientConf: filepath.Join(dir, "client.conf"), files: make(map[string][]byte)}
	for _, d := range []string{"private", "lock", "state", "cache", "pid", "ncalrpc", "binddns", "log", "share", "client"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatalf("smb env: %v", err)
		}
	}
	for name, content := range map[string][]byte{
		"bench.bin":                             randomBytes(21, 300*1024),
		"eicar.com":                             []byte(eicar),
		"www.example.com_download.php_id=1.exe": randomBytes(22, 50*1024),
		`docs\report.txt`:                       textBytes("smb", 80*1024),
		"big20.bin":                             randomBytes(23, 20<<20),
	} {
		if _, err := writeFile(s.share, strings.ReplaceAll(name, `\`, "/"), content); err != nil {
			t.Fatalf("smb env: %v", err)
		}
		s.files[name] = content
	}
	conf := filepath.Join(dir, "smb.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(smbConf, dir, s.pair.ServerIP)), 0o644); err != nil {
		t.Fatalf("smb env: %v", err)
	}
	if err := os.WriteFile(s.clientConf, []byte(smbClientConf), 0o644); err != nil {
		t.Fatalf("smb env: %v", err)
	}
	add := nsCommand(ctx, s.pair.Server, "smbpasswd", "-c", conf, "-s", "-a", "root")
	add.Stdin = strings.NewReader(smbPassword + "\n" + smbPassword + "\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("smbpasswd: %v\n%s", err, out)
	}
	d := startDaemon(t, ctx, s.pair.Server, "smbd", "smbd", "--foreground", "--no-process-group", "--debug-stdout", "-d", "1", "-s", conf)
	if err := waitPort(ctx, s.pair.Server, "445", d, 15*time.Second); err != nil {
		t.Fatalf("smbd: %v", err)
	}
	return s
}

// smbSession is what one smbclient run does: downloads of share files and
// uploads of local content under a remote name.
type smbSession struct {
	dialect string   // smbclient -m: NT1, SMB2_10, SMB3
	encrypt bool     // --client-protection=encrypt
	gets    []string // SMB names of share files
	puts    []smbPut
}

// smbPut is one upload.
type smbPut struct {
	remote  string
	content []byte
}

// run runs the session in one smbclient invocation, checks that every file
// arrived intact at its destination and records the files in exp (the
// server's copy for uploads).
func (s *smbEnv) run(t *testing.T, sess smbSession, exp *expectations) {
	t.Helper()
	var cmds []string
	local := make(map[string]string)
	for i, name := range sess.gets {
		local[name] = filepath.Join(s.work, fmt.Sprintf("get-%d", i))
		cmds = append(cmds, fmt.Sprintf("get %q %q", strings.ReplaceAll(name, `\`, "/"), local[name]))
	}
	for i, p := range sess.puts {
		path, err := writeFile(s.work, fmt.Sprintf("put-%d", i), p.content)
		if err != nil {
			t.Fatalf("smb put: %v", err)
		}
		cmds = append(cmds, fmt.Sprintf("put %q %q", path, p.remote))
	}
	argv := []string{"smbclient", "//" + s.pair.ServerIP + "/share", "-s", s.clientConf,
		"-U", "root%" + smbPassword, "-m", sess.dialect, "-c", strings.Join(cmds, "; ")}
	if sess.encrypt {
		argv = append(argv, "--client-protection=encrypt")
	}
	ctx, cancel := context.WithTimeout(s.ctx, 60*time.Second)
	defer cancel()
	out := mustRun(t, ctx, s.pair.Client, argv...)
	for _, name := range sess.gets {
		got, err := os.ReadFile(local[name])
		if err != nil || !bytes.Equal(got, s.files[name]) {
			t.Fatalf("harness: smbclient got %d bytes (%v) for %s, the share holds %d\n%s", len(got), err, name, len(s.files[name]), out)
		}
		exp.add(name, "smb", "to_client", got)
	}
	for _, p := range sess.puts {
		stored, err := os.ReadFile(filepath.Join(s.share, p.remote))
		if err != nil || !bytes.Equal(stored, p.content) {
			t.Fatalf("harness: smbd stored %d bytes (%v) for %s, smbclient sent %d\n%s", len(stored), err, p.remote, len(p.content), out)
		}
		exp.add(p.remote, "smb", "to_server", stored)
	}
}

// smbStandard is the session every dialect runs: benign files and EICAR
// both ways, a name that looks like a URL and one in a subdirectory.
func smbStandard(dialect string) smbSession {
	return smbSession{
		dialect: dialect,
		gets:    []string{"bench.bin", "eicar.com", "www.example.com_download.php_id=1.exe", `docs\report.txt`},
		puts: []smbPut{
			{"upload.bin", randomBytes(24, 150*1024)},
			{"eicar-up.com", []byte(eicar)},
		},
	}
}

// TestRealTrafficSMB captures smbclient ↔ smbd sessions in SMB1, SMB 2.1 and
// SMB 3 (plain, through an impaired network, with capture loss, and
// encrypted) and checks that wirescan reports every file with the right
// hash, alerts on exactly the EICAR transfers and sees that the encrypted
// session is encrypted.
func TestRealTrafficSMB(t *testing.T) {
	requireRoot(t)
	requireTools(t, "ip", "ss", "smbd", "smbclient", "smbpasswd", "tcpdump")
	bin := optionalBin(t)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Second)
	// Cancelled last (cleanups run in reverse order), after the daemons
	// were stopped gently.
	t.Cleanup(cancel)
	s := newSMBEnv(t, ctx)

	big := smbStandard("SMB3")
	big.gets = append(big.gets, "big20.bin")
	for _, tc := range []struct {
		name    string
		sess    smbSession
		segment bool
		im      impairment
		filter  string
		mode    checkMode
	}{
		{name: "smb1", sess: smbStandard("NT1")},
		{name: "smb2.1", sess: smbStandard("SMB2_10")},
		{name: "smb3", sess: big},
		{name: "smb3-reorder-dup", sess: smbStandard("SMB3"), segment: true, im: impairment{Reorder: 8, Dup: 15}},
		{name: "smb3-netloss", sess: smbStandard("SMB3"), segment: true, im: impairment{Drop: 25}},
		{name: "smb3-caploss", sess: smbStandard("SMB3"), segment: true, filter: capLossFilter, mode: lossy},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.pair.shape(t, ctx, tc.segment, tc.im)
			exp := &expectations{}
			c := startCapture(t, ctx, s.pair.Client, s.pair.ClientIf, t.TempDir(), "smb-"+tc.name, tc.filter)
			s.run(t, tc.sess, exp)
			c.stop(t)
			t.Logf("capture %s; impairment: %s", c, tc.im)
			keepCapture(t, c.Path)
			checkCapture(t, ctx, bin, c, exp, tc.mode)
		})
	}

	t.Run("smb3-encrypted", func(t *testing.T) {
		s.pair.segment(t, ctx, false)
		sess := smbStandard("SMB3")
		sess.encrypt = true
		exp := &expectations{}
		c := startCapture(t, ctx, s.pair.Client, s.pair.ClientIf, t.TempDir(), "smb-smb3-encrypted", "")
		s.run(t, sess, exp)
		c.stop(t)
		t.Logf("capture %s", c)
		keepCapture(t, c.Path)
		raw, err := os.ReadFile(c.Path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte(eicar)) {
			t.Fatalf("harness: the encrypted session's capture holds the EICAR file in clear text")
		}
		if bin == "" {
			t.Skipf("no wirescan binary: capture %s made but not replayed", c)
		}
		events := replay(t, ctx, bin, c.Path)
		t.Logf("events: %s", eventSummary(events))
		checkEncrypted(t, events, exp)
	})
}

// checkEncrypted checks the events of an encrypted SMB3 session: no file
// of the session may be reported (the engine can't see them), no alert may
// fire, and something must say that the session was encrypted: an anomaly
// smb.encrypted or an smb event that mentions encryption.
func checkEncrypted(t *testing.T, events []eveEvent, exp *expectations) {
	t.Helper()
	var said []string
	for _, ev := range events {
		switch {
		case ev.EventType == "fileinfo" && ev.FileInfo != nil:
			t.Errorf("encrypted session: fileinfo for %q (%s): the engine can't have seen it", ev.FileInfo.Filename, describeFile(ev.FileInfo))
		case ev.EventType == "alert":
			t.Errorf("encrypted session: unexpected alert: %s", tail(ev.Raw, 400))
		case ev.EventType == "anomaly" && ev.Anomaly != nil && strings.Contains(ev.Anomaly.Event, "encrypt"):
			said = append(said, "anomaly "+ev.Anomaly.Event)
		case ev.EventType == "smb" && bytes.Contains(bytes.ToLower(ev.SMB), []byte("encrypt")):
			said = append(said, "smb event: "+tail(string(ev.SMB), 200))
		}
	}
	if len(said) == 0 {
		t.Errorf("encrypted session: no anomaly or smb event says the session is encrypted (%d files were moved)", len(exp.files))
		return
	}
	t.Logf("encrypted session reported as: %s", strings.Join(said, "; "))
}
