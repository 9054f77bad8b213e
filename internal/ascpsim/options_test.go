package ascpsim

import (
	"encoding/base64"
	"net"
	"strings"
	"testing"
	"time"
)

func TestOptionForms(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want func(*config) bool
	}{
		{"attached short value", []string{"-P33001", "-l100M", "a", "h:b"},
			func(c *config) bool { return c.sshPort == 33001 && c.rate == 100000 }},
		{"separate short value", []string{"-P", "33002", "-k", "2", "a", "h:b"},
			func(c *config) bool { return c.sshPort == 33002 && c.resume == 2 }},
		{"switch cluster", []string{"-dpq", "a", "h:b"},
			func(c *config) bool { return c.createDir && c.preserveMtime && c.quiet }},
		{"cluster ending in a value", []string{"-dTk1", "a", "h:b"},
			func(c *config) bool { return c.createDir && c.noEncryption && c.resume == 1 }},
		{"long with =", []string{"--mode=recv", "--host=h", "--user=u", "a", "b"},
			func(c *config) bool { return c.mode == "recv" && c.host == "h" && c.user == "u" }},
		{"long separate", []string{"--mode", "send", "--host", "h", "--overwrite", "never", "a", "b"},
			func(c *config) bool { return c.mode == "send" && c.overwrite == "never" }},
		{"long switches", []string{"--keepalive", "--remove-after-transfer", "--precalculate-job-size", "h:b"},
			func(c *config) bool { return c.keepalive && c.removeAfter && c.precalc }},
		{"precalculate disabled", []string{"--precalculate-job-size", "--precalculate-disable", "a", "h:b"},
			func(c *config) bool { return !c.precalc }},
		{"-SSH is not -S SH", []string{"-SSH", "a", "h:b"},
			func(c *config) bool { return len(c.positionals) == 2 }},
		{"double dash ends options", []string{"-d", "--", "-weird", "h:b"},
			func(c *config) bool { return c.createDir && c.positionals[0] == "-weird" }},
		{"options after positionals", []string{"a", "h:b", "-d"},
			func(c *config) bool { return c.createDir && len(c.positionals) == 2 }},
		{"management host:port", []string{"-M", "localhost:4000", "a", "h:b"},
			func(c *config) bool { return c.mgmtAddr == "localhost:4000" }},
		{"management port", []string{"-M4000", "a", "h:b"},
			func(c *config) bool { return c.mgmtAddr == "127.0.0.1:4000" }},
		{"multi-session", []string{"-C", "2:3", "a", "h:b"},
			func(c *config) bool { return c.nodeID == 2 && c.nodeCount == 3 }},
		{"dest64", []string{"--dest64", "a", "h:" + base64.StdEncoding.EncodeToString([]byte("/x y\nz"))},
			func(c *config) bool { return c.positionals[1] == "h:/x y\nz" }},
		{"base64 prefixes and tags", []string{"--source-prefix64=" + base64.StdEncoding.EncodeToString([]byte("/p")),
			"--src-base64=" + base64.StdEncoding.EncodeToString([]byte("/b")),
			"--tags64=" + base64.StdEncoding.EncodeToString([]byte(`{"aspera": {"xfer_id": "x"}}`)), "a", "h:b"},
			func(c *config) bool {
				return c.sourcePrefix == "/p" && c.srcBase == "/b" && c.tags == `{"aspera":{"xfer_id":"x"}}`
			}},
		{"every cipher", []string{"-c", "aes256gcm", "a", "h:b"},
			func(c *config) bool { return c.cipher == "aes256gcm" }},
		{"http fallback force", []string{"-y", "F", "-j", "1", "-t", "443", "a", "h:b"},
			func(c *config) bool { return c.httpFallback == "F" }},
		{"debug levels", []string{"-DDD", "-6", "a", "h:b"}, func(c *config) bool { return true }},
		{"options IBM's runners pass", []string{"--retry-timeout=3600", "-SSH", "--ssh-arg=-vv", "--ssh-arg", "-oPort=22", "a", "h:b"},
			func(c *config) bool { return len(c.positionals) == 2 }},
		{"byte range", []string{"-@", "10:", "a", "h:b"},
			func(c *config) bool { return c.rangeLo == 10 && c.rangeHi == -1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := parseArgs(tc.args)
			if err != nil {
				t.Fatalf("parseArgs(%q): %v", tc.args, err)
			}
			if !tc.want(c) {
				t.Fatalf("parseArgs(%q) = %+v", tc.args, c)
			}
		})
	}
}

func TestOptionErrors(t *testing.T) {
	cases := [][]string{
		{"--no-such-option", "a", "h:b"},
		{"-J", "a", "h:b"},
		{"--overwrite=sometimes", "a", "h:b"},
		{"--policy=greedy", "a", "h:b"},
		{"-c", "aes-128", "a", "h:b"},
		{"-k", "4", "a", "h:b"},
		{"--symbolic-links=hard", "a", "h:b"},
		{"--file-crypt=maybe", "a", "h:b"},
		{"-P", "0", "a", "h:b"},
		{"-C", "3:2", "a", "h:b"},
		{"-l", "fast", "a", "h:b"},
		{"a", "h:b", "-P"},                 // missing value
		{"a", "h:b", "--mode"},             // missing value
		{"--keepalive=yes", "a", "h:b"},    // switch with a value
		{"--tags={not json", "a", "h:b"},   // tags must be JSON
		{"--mode=send", "a", "b"},          // --mode without --host
		{"only-one-argument"},              // no destination
		{"--dest64", "a", "h:b", "!!!"},    // bad base64
		{"--proxy=http://p:1", "a", "h:b"}, // proxies are dnat(s)
	}
	for _, args := range cases {
		if _, err := parseArgs(args); err == nil {
			t.Errorf("parseArgs(%q) accepted", args)
		} else if _, ok := err.(*usageError); !ok {
			t.Errorf("parseArgs(%q): %T, want a usage error", args, err)
		}
	}
}

func TestTarget(t *testing.T) {
	c, _ := parseArgs([]string{"a", "b", "bob@srv:/dst"})
	tg, err := c.target()
	if err != nil || !tg.send || tg.host != "srv" || tg.user != "bob" || tg.dest != "/dst" || len(tg.sources) != 2 {
		t.Fatalf("upload target %+v %v", tg, err)
	}
	c, _ = parseArgs([]string{"srv:/a", "srv:b c", "./local:dir"})
	tg, err = c.target()
	if err != nil || tg.send || tg.host != "srv" || tg.dest != "./local:dir" || tg.sources[1] != "b c" {
		t.Fatalf("download target %+v %v", tg, err)
	}
	for _, args := range [][]string{{"a", "b"}, {"h:a", "h:b"}, {"h:a", "b", "c"}} {
		c, _ := parseArgs(args)
		if _, err := c.target(); err == nil {
			t.Errorf("target(%q) accepted", args)
		}
	}
}

// TestUsageErrorExits runs the binary: a bad command line ends with exit
// 1 and a message, and the management port never sees a connection.
func TestUsageErrorExits(t *testing.T) {
	for _, args := range [][]string{{"--bogus", "a", "h:b"}, {"--overwrite=sometimes", "a", "h:b"}, {"-k"}} {
		r := startSim(t, t.TempDir(), simOpts{}, args...)
		if code := r.wait(); code != 1 {
			t.Fatalf("%q: exit %d", args, code)
		}
		if r.stderr.Len() == 0 {
			t.Fatalf("%q: nothing on stderr", args)
		}
		select {
		case <-r.connected:
			t.Fatalf("%q: connected to the management port", args)
		default:
		}
	}
}

func TestVersionAndHelp(t *testing.T) {
	r := startSim(t, "", simOpts{noMgmt: true}, "-A")
	if code := r.wait(); code != 0 || !strings.Contains(r.stdout.String(), "ascp version 4.4.5.ascpsim") ||
		!strings.Contains(r.stdout.String(), "License") {
		t.Fatalf("-A: exit %d, %q", code, r.stdout.String())
	}
	r = startSim(t, "", simOpts{noMgmt: true}, "--help")
	if code := r.wait(); code != 0 || !strings.Contains(r.stdout.String(), "Usage: ascp") {
		t.Fatalf("--help: exit %d, %q", code, r.stdout.String())
	}
}

func TestRootRequired(t *testing.T) {
	r := startSim(t, "", simOpts{env: map[string]string{"ASCPSIM_ROOT": ""}}, "a", "h:b")
	if code := r.wait(); code != 1 || !strings.Contains(r.stderr.String(), "ASCPSIM_ROOT") {
		t.Fatalf("exit %d, stderr %q", code, r.stderr.String())
	}
}

func TestManagementPortUnreachable(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	r := startSim(t, t.TempDir(), simOpts{noMgmt: true}, "-M", itoa(int64(port)), "a", "h:b")
	start := time.Now()
	if code := r.wait(); code != 1 || !strings.Contains(r.stderr.String(), "management port") {
		t.Fatalf("exit %d, stderr %q", code, r.stderr.String())
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("took too long to give up")
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// Each spelling names one row of the option table: a second row with the
// same spelling would silently replace the first in the index.
func TestOptionTableSpellsEachOptionOnce(t *testing.T) {
	spellings := 0
	for _, o := range options {
		if o.short == 0 && o.long == "" {
			t.Errorf("an option with no spelling: %+v", o)
		}
		if o.short != 0 {
			spellings++
		}
		if o.long != "" {
			spellings++
		}
	}
	if got := len(shortOpts) + len(longOpts); got != spellings {
		t.Errorf("%d spellings in the table, %d in the index: one is declared twice", spellings, got)
	}
}

// Every fault of the table parses, with its argument when it takes one, and
// the usage message names them all.
func TestFaultTableParses(t *testing.T) {
	for _, row := range faults {
		v := row.name
		if row.arg != "" {
			v += ":7"
		}
		f, err := parseFault(v)
		if err != nil || f.kind != row.kind || (row.arg != "" && f.bytes != 7) {
			t.Errorf("ASCPSIM_FAIL=%s: %+v, %v", v, f, err)
		}
		if !strings.Contains(faultUsage(), v[:len(row.name)]) {
			t.Errorf("usage %q lacks %s", faultUsage(), row.name)
		}
	}
	if _, err := parseFault("stall"); err == nil || !strings.Contains(err.Error(), "auth, nofile, hang, lost:BYTES, crash:BYTES, disk:BYTES, stall:BYTES or corrupt:OFFSET") {
		t.Errorf("a fault without its BYTES: %v", err)
	}
}
