package ascpsim

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

const version = "4.4.5.ascpsim"

// Main runs the stand-in on the process's own arguments and standard
// streams and returns its exit status. It is a function of a package rather
// than a main so that the tests of this package and of cmd/asession can run
// the stand-in from their own test binary (testscript.Main), with the race
// detector when they have it, instead of building it first.
func Main() int {
	return run(os.Args[1:], os.Stdout, os.Stderr)
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "ascp: %v\nTry 'ascp -h' for usage.\n", err)
		return 1
	}
	if cfg.help {
		fmt.Fprint(stdout, usageText)
		return 0
	}
	if cfg.version {
		fmt.Fprintf(stdout, "IBM Aspera ascp stand-in\nascp version %s\n"+
			"License: none. ascpsim is a test simulator of ascp; it holds no IBM license\n"+
			"and moves files only between local disk and ASCPSIM_ROOT.\n", version)
		return 0
	}
	if path := os.Getenv("ASCPSIM_REPLAY"); path != "" {
		return replay(cfg, path, stderr)
	}
	tgt, err := cfg.target()
	if err != nil {
		fmt.Fprintf(stderr, "ascp: %v\n", err)
		return 1
	}
	listArgs, err := readLists(cfg, tgt)
	if err != nil {
		fmt.Fprintf(stderr, "ascp: %v\n", err)
		return 1
	}
	rootDir := os.Getenv("ASCPSIM_ROOT")
	if rootDir == "" {
		fmt.Fprintln(stderr, "ascp: ASCPSIM_ROOT is not set: it names the directory that plays the server's docroot")
		return 1
	}
	dr, err := newDocroot(rootDir)
	if err != nil {
		fmt.Fprintf(stderr, "ascp: ASCPSIM_ROOT: %v\n", err)
		return 1
	}
	flt, err := loadFault(dr)
	if err != nil {
		fmt.Fprintf(stderr, "ascp: %v\n", err)
		return 1
	}
	flt.atStart()

	s, err := startSession(cfg, tgt, dr, flt, stdout, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "ascp: failed to connect to management port %s: %v\n", cfg.mgmtAddr, err)
		return 1
	}
	defer s.m.close()
	defer s.cancel(nil)
	defer s.log.ended()

	if err := s.flt.atAuth(); err != nil {
		return s.fail(err, stderr)
	}
	if err := authenticate(cfg, tgt); err != nil {
		var te *ttyError
		if errors.As(err, &te) {
			fmt.Fprintf(stderr, "ascp: %v\n", err)
			err = sessionErr(codeAuthFailed, "Authentication failed: %v", te)
		}
		return s.fail(err, stderr)
	}
	s.sendSession()
	if err := s.transfer(listArgs); err != nil {
		return s.fail(err, stderr)
	}
	if s.failed > 0 {
		if s.passed+s.skipped == 0 {
			return s.fail(s.firstFail, stderr)
		}
		return s.fail(sessionErr(codeSomeFailed, "%d of %d files failed", s.failed, s.attempted), stderr)
	}
	s.m.sendRich("DONE", s.totals()...)
	s.prog.summary(s.transferBytes, time.Since(s.start))
	return 0
}

// startSession connects to the management port and sends INIT; the
// client's commands are read from then on.
func startSession(cfg *config, tgt *target, dr *docroot, flt fault, stdout, stderr io.Writer) (*faspSession, error) {
	m, err := dialMgmt(cfg.mgmtAddr)
	if err != nil {
		return nil, err
	}
	m.common = []string{"SessionId", newSessionID()}
	if cfg.hasUserStr {
		m.common = append(m.common, "UserStr", cfg.userStr)
	}
	if c := os.Getenv("ASPERA_SCP_COOKIE"); c != "" {
		m.rich = append(m.rich, "Cookie", c)
	}
	if cfg.tags != "" {
		m.rich = append(m.rich, "Tags", cfg.tags)
	}

	s := &faspSession{cfg: cfg, tgt: tgt, m: m, flt: flt, start: time.Now(), prog: &progress{}, stderr: stderr, log: openCommandLog(cfg, tgt)}
	s.log.started(cfg.rate, cfg.minRate)
	s.q.wake = make(chan struct{}, 1)
	if f, ok := stdout.(*os.File); ok && !cfg.quiet && isTerminal(f) {
		s.prog.w = stdout
	}
	s.ctx, s.cancel = context.WithCancelCause(context.Background())
	s.rate.Store(cfg.rate)
	s.minRate.Store(cfg.minRate)
	if tgt.send {
		s.dst = side{dr}
	} else {
		s.src = side{dr}
	}

	m.send("INIT")
	m.awaitTaken()
	if m.conn != nil {
		cmds := make(chan command, 16)
		go m.readCommands(cmds)
		go s.handleCommands(cmds)
	}
	return s, nil
}

// fail ends the session: an ERROR frame (unless nobody is listening any
// more) and exit status 1.
func (s *faspSession) fail(err error, stderr io.Writer) int {
	var se *sessionError
	switch {
	case errors.Is(err, errPeerGone):
		fmt.Fprintln(stderr, "ascp: management connection closed, session aborted")
		return 1
	case errors.Is(err, errCancelled):
		se = sessionErr(codeCancelled, "Cancelled by user")
	case errors.As(err, &se):
	default:
		se = sessionErr(codeGeneric, "%v", err)
	}
	s.sendError(se)
	if s.prog.w != nil {
		fmt.Fprintln(s.prog.w)
	}
	fmt.Fprintf(stderr, "ascp: %s, exiting.\n", se.desc)
	return 1
}

// transfer runs the command line's sources, then, with --keepalive, the
// START commands until the client's DONE.
func (s *faspSession) transfer(listArgs []*srcArg) error {
	lists := s.cfg.fileList != "" || s.cfg.filePairList != ""
	args := listArgs
	if !lists {
		for _, raw := range s.tgt.sources {
			a := &srcArg{raw: raw, lo: s.cfg.rangeLo, hi: s.cfg.rangeHi}
			// ascp's file adapter reads local files, and only from the
			// command line: a list file cannot carry such a source.
			if path, g, ok := parseGrowSource(raw); ok && s.tgt.send {
				a.raw, a.grow = path, g
			}
			args = append(args, a)
		}
	}
	if len(args) == 0 && !s.cfg.keepalive {
		return sessionErr(20, "Nothing to transfer")
	}
	if len(args) > 0 {
		destDir, place, err := s.planDestination(len(args), lists)
		if err != nil {
			return err
		}
		if err := s.runJob(&job{args: args, initial: true}, destDir, place); err != nil {
			return err
		}
	} else {
		s.m.send("NOTIFICATION", "PreTransferFiles", "0", "PreTransferDirs", "0", "PreTransferBytes", "0")
	}
	if !s.cfg.keepalive {
		return nil
	}
	for {
		j, err := s.q.next(s.ctx)
		if err != nil || j == nil {
			return err
		}
		var destDir string
		var place placement
		if !j.args[0].hasDst {
			if destDir, place, err = s.planDestination(1, false); err != nil {
				fe := err.(*sessionError)
				fe.file = j.args[0].raw
				var ac argCounts
				s.fileFailed(&ac, fe)
				continue
			}
		}
		if err := s.runJob(j, destDir, place); err != nil {
			return err
		}
	}
}

// readLists loads --file-list / --file-pair-list before anything starts:
// an unreadable list is a usage error, as with ascp.
func readLists(cfg *config, tgt *target) ([]*srcArg, error) {
	name := cfg.fileList
	if name == "" {
		name = cfg.filePairList
	}
	if name == "" {
		return nil, nil
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("cannot open file list: %v", err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if l := strings.TrimSuffix(sc.Text(), "\r"); l != "" {
			lines = append(lines, l)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cannot read file list: %v", err)
	}
	var out []*srcArg
	if cfg.fileList != "" {
		for _, l := range lines {
			out = append(out, &srcArg{raw: l, lo: cfg.rangeLo, hi: cfg.rangeHi})
		}
		return out, nil
	}
	if len(lines)%2 != 0 {
		return nil, fmt.Errorf("file pair list %s has an odd number of lines", name)
	}
	for i := 0; i < len(lines); i += 2 {
		out = append(out, &srcArg{raw: lines[i], dst: lines[i+1], hasDst: true, lo: cfg.rangeLo, hi: cfg.rangeHi})
	}
	return out, nil
}

const usageText = `Usage: ascp [OPTION] SRC... DEST
          SRC to DEST, or multiple SRC to DEST dir
          SRC, DEST format: [[user@]host:]PATH
  -h, --help                 Display usage
  -A, --version              Display version and license
  -T                         Disable encryption
  -d                         Create target directory (implied with file lists)
  -p                         Preserve file timestamps
  -q                         Disable progress display
  -v                         Verbose mode
  -6                         Use IPv6
  -D...                      Debug level
  -l MAX-RATE                Target transfer rate (kbps; K, M, G suffixes)
  -m MIN-RATE                Minimum transfer rate
  -u USER-STRING             User string repeated in management messages
  -i PRIVATE-KEY-FILE        SSH private key file
  -w {r|f}                   Test bandwidth
  -K PROBE-RATE              Bandwidth measurement probes per second
  -k {0|1|2|3}               Resume: 0 none, 1 attributes, 2 sparse checksum, 3 full checksum
  -Z DATAGRAM-SIZE           Datagram size
  -g READ-SIZE, -G WRITE-SIZE  Read and write block sizes
  -L LOCAL-LOG-DIR, -R REMOTE-LOG-DIR  Log directories
  -S REMOTE-ASCP             Name of ascp on the server
  -e PRE-POST                Pre/post-processing command file
  -O FASP-PORT               UDP port
  -P SSH-PORT                TCP port for SSH
  -C NODEID:NODECOUNT        Multi-session: move only this session's share
  -N PATTERN, -E PATTERN     Include and exclude rules, in order
  -f CONFIG-FILE             Configuration file
  -W TOKEN                   Transfer token
  -@ LOW:HIGH                Transfer only this byte range of each file
  -X REXMSG-SIZE             Retransmission request size
  -c CIPHER                  none, aes128, aes192, aes256, aes128cfb, aes192cfb,
                             aes256cfb, aes128gcm, aes192gcm, aes256gcm
  -M [HOST:]PORT             Management port to connect to
  -y {0|1|F}, -j {0|1}, -Y KEY-FILE, -I CERT-FILE, -t PORT, -x PROXY
                             HTTP fallback options
  -SSH                       Use the system's ssh
  --mode={send|recv} --host=HOST --user=USER
  --policy={low|fair|high|fixed}
  --overwrite={never|always|diff|older|diff+older}
  --symbolic-links={follow|copy|copy+force|skip}
  --file-list=FILE --file-pair-list=FILE --dest64
  --source-prefix=PREFIX --source-prefix64=B64 --src-base=DIR --src-base64=B64
  --tags=JSON --tags64=B64 --partial-file-suffix=SUFFIX
  --file-crypt={encrypt|decrypt} --file-checksum={sha-512|sha-384|sha-256|sha1|md5|none}
  --file-manifest={text|none} --file-manifest-path=DIR --file-manifest-inprogress-suffix=S
  --move-after-transfer=ARCHIVE --remove-after-transfer --remove-empty-directories
  --remove-empty-source-directory --remove-skipped --delete-before-transfer
  --exclude-newer-than=MTIME --exclude-older-than=MTIME --skip-special-files
  --preserve-access-time --preserve-modification-time --preserve-creation-time
  --preserve-source-access-time --preserve-file-owner-uid --preserve-file-owner-gid
  --preserve-acls=MODE --remote-preserve-acls=MODE --preserve-xattrs=MODE
  --remote-preserve-xattrs=MODE --save-before-overwrite --skip-dir-traversal-dupes
  --multi-session-threshold=BYTES --precalculate-job-size --apply-local-docroot
  --proxy=dnat[s]://[USER[:PASS]@]HOST[:PORT] --check-sshfp=FINGERPRINT
  --ignore-host-key --allow-password-prompt --fail-bad-filepass
  --keepalive --ws-connect
`
