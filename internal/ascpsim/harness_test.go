package ascpsim

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/faspkit/asession/ascp/mgmt"
)

// simBin is this test binary as testscript.Main installs it on PATH under
// ascp's name; run by that name it is the simulator (Main), so every test
// meets ascp as a client does, as a process, with the race detector when
// the tests have it.
var simBin string

func TestMain(m *testing.M) {
	testscript.Main(findSim{m}, map[string]func(){
		"ascp": func() { os.Exit(Main()) },
	})
}

// findSim looks the simulator up once testscript.Main has put it on PATH,
// just before the tests run.
type findSim struct{ m *testing.M }

func (f findSim) Run() int {
	path, err := exec.LookPath("ascp")
	if err != nil {
		fmt.Fprintln(os.Stderr, "the simulator is not on PATH:", err)
		return 1
	}
	simBin = path
	return f.m.Run()
}

// lockedBuffer is written by the process's output copier while a test
// may already be reading it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) Len() int { return len(b.String()) }

type frame struct {
	typ    string
	fields map[string]string
	at     time.Time
}

func (f frame) get(name string) string { return f.fields[name] }

func (f frame) int(t *testing.T, name string) int64 {
	t.Helper()
	v, ok := f.fields[name]
	if !ok {
		t.Fatalf("%s frame has no %s field: %v", f.typ, name, f.fields)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		t.Fatalf("%s.%s = %q, not an integer", f.typ, name, v)
	}
	return n
}

// simRun is one simulator process with a management listener in front of it.
type simRun struct {
	t      *testing.T
	cmd    *exec.Cmd
	ln     net.Listener
	stdout lockedBuffer
	stderr lockedBuffer

	mu        sync.Mutex
	frames    []frame
	conn      net.Conn
	connected chan struct{}
	newFrame  chan struct{}
	readDone  chan struct{}

	exited chan struct{}
	code   int
}

type simOpts struct {
	env     map[string]string // "" value removes the variable
	noMgmt  bool
	setsid  bool
	workdir string
}

func baseEnv(root string, extra map[string]string) []string {
	vars := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "ASPERA_") || strings.HasPrefix(k, "ASCPSIM_") {
			continue
		}
		vars[k] = v
	}
	vars["ASCPSIM_ROOT"] = root
	// A race-built binary otherwise lingers a second at exit.
	vars["GORACE"] = "atexit_sleep_ms=0"
	vars["ASPERA_SCP_PASS"] = "secret"
	for k, v := range extra {
		if v == "" {
			delete(vars, k)
		} else {
			vars[k] = v
		}
	}
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// startSim starts the simulator with -M pointing at a fresh listener
// (unless noMgmt) and collects every frame it sends.
func startSim(t *testing.T, root string, o simOpts, args ...string) *simRun {
	t.Helper()
	r := &simRun{t: t, connected: make(chan struct{}), newFrame: make(chan struct{}, 1),
		readDone: make(chan struct{}), exited: make(chan struct{})}
	if !o.noMgmt {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		r.ln = ln
		args = append([]string{"-M", strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)}, args...)
		go r.accept()
	} else {
		close(r.readDone)
	}
	r.cmd = exec.Command(simBin, args...)
	r.cmd.Env = baseEnv(root, o.env)
	r.cmd.Dir = o.workdir
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	if o.setsid {
		detachFromTerminal(r.cmd)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		r.cmd.Wait()
		r.code = r.cmd.ProcessState.ExitCode()
		close(r.exited)
	}()
	t.Cleanup(r.kill)
	return r
}

func (r *simRun) accept() {
	conn, err := r.ln.Accept()
	if err != nil {
		close(r.readDone)
		return
	}
	// The connection is taken: stop listening, as a manager does, which
	// ascpsim waits for after INIT (AwaitTaken).
	r.ln.Close()
	r.mu.Lock()
	r.conn = conn
	r.mu.Unlock()
	close(r.connected)
	defer close(r.readDone)
	rd := mgmt.NewReader(conn)
	for {
		f, err := rd.Next()
		if err != nil {
			return
		}
		fr := frame{typ: string(f.Type()), fields: map[string]string{}, at: time.Now()}
		for _, fl := range f.Fields {
			fr.fields[string(fl.Name)] = string(fl.Value)
		}
		r.mu.Lock()
		r.frames = append(r.frames, fr)
		r.mu.Unlock()
		select {
		case r.newFrame <- struct{}{}:
		default:
		}
	}
}

func (r *simRun) kill() {
	select {
	case <-r.exited:
	default:
		r.cmd.Process.Kill()
		<-r.exited
	}
	if r.ln != nil {
		r.ln.Close()
	}
	r.mu.Lock()
	if r.conn != nil {
		r.conn.Close()
	}
	r.mu.Unlock()
}

// wait returns the exit status once the process and its frame stream end.
func (r *simRun) wait() int {
	r.t.Helper()
	select {
	case <-r.exited:
	case <-time.After(30 * time.Second):
		r.kill()
		r.t.Fatalf("ascpsim did not exit; stderr: %s", r.stderr.String())
	}
	if r.ln != nil {
		r.ln.Close()
	}
	<-r.readDone
	return r.code
}

func (r *simRun) all() []frame {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]frame(nil), r.frames...)
}

// waitFor returns the first frame of the given type, waiting for it.
func (r *simRun) waitFor(typ string) frame {
	r.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		for _, f := range r.all() {
			if f.typ == typ {
				return f
			}
		}
		select {
		case <-r.newFrame:
		case <-r.readDone:
			for _, f := range r.all() {
				if f.typ == typ {
					return f
				}
			}
			r.t.Fatalf("stream ended without %s; frames %v; stderr %s", typ, types(r.all()), r.stderr.String())
		case <-deadline:
			r.t.Fatalf("no %s frame in time; frames %v", typ, types(r.all()))
		}
	}
}

// closeConn hangs up the management connection, as a dying client would.
func (r *simRun) closeConn() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.conn.Close()
}

// send writes a command frame to the simulator.
func (r *simRun) send(typ string, pairs ...string) {
	r.t.Helper()
	select {
	case <-r.connected:
	case <-time.After(10 * time.Second):
		r.t.Fatal("simulator never connected")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := mgmt.WriteFrame(r.conn, typ, pairs...); err != nil {
		r.t.Fatal(err)
	}
}

func types(fs []frame) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.typ
	}
	return out
}

func ofType(fs []frame, typ string) []frame {
	var out []frame
	for _, f := range fs {
		if f.typ == typ {
			out = append(out, f)
		}
	}
	return out
}

// mustSucceed waits for exit 0 and a stream ending in DONE.
func (r *simRun) mustSucceed() []frame {
	r.t.Helper()
	if code := r.wait(); code != 0 {
		r.t.Fatalf("exit %d; frames %v; stderr %s", code, types(r.all()), r.stderr.String())
	}
	fs := r.all()
	if len(fs) == 0 || fs[len(fs)-1].typ != "DONE" {
		r.t.Fatalf("last frame is not DONE: %v", types(fs))
	}
	return fs
}

// mustFail waits for exit 1 and the end of a failed session: an ERROR
// with the given code, then a DONE that repeats its Code, Description
// and Loss (as IBM's COS SDK fixture shows). It returns the ERROR.
func (r *simRun) mustFail(code int) frame {
	r.t.Helper()
	if c := r.wait(); c != 1 {
		r.t.Fatalf("exit %d, want 1; frames %v; stderr %s", c, types(r.all()), r.stderr.String())
	}
	fs := r.all()
	if len(fs) < 2 || fs[len(fs)-2].typ != "ERROR" || fs[len(fs)-1].typ != "DONE" {
		r.t.Fatalf("the last frames are not ERROR then DONE: %v; stderr %s", types(fs), r.stderr.String())
	}
	errFrame, done := fs[len(fs)-2], fs[len(fs)-1]
	if got := errFrame.int(r.t, "Code"); got != int64(code) {
		r.t.Fatalf("ERROR Code %d (%s), want %d", got, errFrame.get("Description"), code)
	}
	for _, name := range []string{"Code", "Description", "Loss"} {
		if done.get(name) != errFrame.get(name) {
			r.t.Fatalf("DONE's %s %q, the ERROR's %q", name, done.get(name), errFrame.get(name))
		}
	}
	return errFrame
}

func writeFile(t *testing.T, p string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func pattern(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7+i/251) ^ seed
	}
	return b
}

// snapshot lists the regular files below dir with their contents.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		if d.IsDir() && d.Name() == stateDir {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, p)
			b, _ := os.ReadFile(p)
			out[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	return out
}
