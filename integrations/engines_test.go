package integrations

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/faspkit/asession/session"
)

// bin holds asession and ascpsim, built from the main module once.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "asession-integrations-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = dir
	for _, name := range []string{"asession", "ascpsim"} {
		build := exec.Command("go", "build", "-o", filepath.Join(dir, name), "github.com/faspkit/asession/cmd/"+name)
		build.Stderr = os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "building", name, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// retryCodes is what every example must retry: the table's codes after
// which retrying may help.
func retryCodes() []int {
	var codes []int
	for _, c := range session.ExitCodes {
		if c.RetryMayHelp {
			codes = append(codes, c.Code)
		}
	}
	slices.Sort(codes)
	return codes
}

func known(code int) bool {
	return slices.ContainsFunc(session.ExitCodes, func(c session.ExitCode) bool { return c.Code == code })
}

var listRE = regexp.MustCompile(`\[([0-9, ]+)\]`)

// codeList reads the one bracketed list of exit codes in s.
func codeList(t *testing.T, what, s string) []int {
	t.Helper()
	m := listRE.FindAllStringSubmatch(s, -1)
	if len(m) != 1 {
		t.Fatalf("%s: want one list of exit codes, found %d in %q", what, len(m), s)
	}
	var codes []int
	for _, f := range strings.Split(m[0][1], ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		codes = append(codes, n)
	}
	return checkCodes(t, what, codes)
}

// checkCodes requires every code to be in the exit-code table and the set
// to be exactly the retry-may-help codes.
func checkCodes(t *testing.T, what string, codes []int) []int {
	t.Helper()
	for _, c := range codes {
		if !known(c) {
			t.Errorf("%s names exit code %d, which asession's exit-code table does not have", what, c)
		}
	}
	sorted := slices.Sorted(slices.Values(codes))
	if !slices.Equal(sorted, retryCodes()) {
		t.Errorf("%s retries exit codes %v, the table says retrying may help for %v", what, sorted, retryCodes())
	}
	return codes
}

// yamlDocs decodes every document of a YAML file.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var docs []map[string]any
	dec := yaml.NewDecoder(f)
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, doc)
	}
	return docs
}

// at walks a decoded YAML tree by map keys and list indexes.
func at(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("at %v: %T is not a map", path, v)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("at %v: no item %d", path, k)
			}
			v = l[k]
		}
	}
	return v
}

func strs(t *testing.T, v any) []string {
	t.Helper()
	l, _ := v.([]any)
	var out []string
	for _, x := range l {
		s, ok := x.(string)
		if !ok {
			t.Fatalf("%v: item %v is not a string", v, x)
		}
		out = append(out, s)
	}
	return out
}

// ascpImage is the image `make image-ascp` builds: asession with ascp,
// what the examples' containers run. It is read from make's own plan for
// the target (make -n), with a stand-in SDK folder.
func ascpImage(t *testing.T) string {
	t.Helper()
	plan, err := imagePlan()
	m := regexp.MustCompile(`(?m)^\S*docker build -f examples/container/Dockerfile\.ascp .*-t (\S+) `).FindStringSubmatch(plan)
	if err != nil || m == nil {
		t.Fatalf("make -n image-ascp: %v; no docker build of Dockerfile.ascp with -t in:\n%s", err, plan)
	}
	return m[1]
}

var imagePlan = sync.OnceValues(func() (string, error) {
	out, err := exec.Command("make", "-s", "-n", "-C", "..", "image-ascp", "SDK=/nonexistent/sdk").Output()
	return string(out), err
})

// container is what the engine would run: an image, a command line, and an
// environment whose secrets come from Secrets.
type container struct {
	image   string
	argv    []string
	secrets map[string]string // env name -> secret key
	plain   map[string]string
}

func readContainer(t *testing.T, c any) container {
	t.Helper()
	out := container{secrets: map[string]string{}, plain: map[string]string{}}
	out.image, _ = at(t, c, "image").(string)
	out.argv = append(strs(t, at(t, c, "command")), strs(t, at(t, c, "args"))...)
	envs, _ := at(t, c, "env").([]any)
	for _, e := range envs {
		name, _ := at(t, e, "name").(string)
		if ref := at(t, e, "valueFrom"); ref != nil {
			key, _ := at(t, ref, "secretKeyRef", "key").(string)
			out.secrets[name] = key
		} else {
			out.plain[name], _ = at(t, e, "value").(string)
		}
	}
	if want := ascpImage(t); out.image != want {
		t.Errorf("image %q, want %q, the image make image-ascp builds", out.image, want)
	}
	if out.secrets["ASPERA_SCP_PASS"] == "" {
		t.Errorf("ASPERA_SCP_PASS does not come from a Secret: %+v", out)
	}
	for _, a := range out.argv {
		if strings.Contains(a, "password") || strings.Contains(a, "secretKeyRef") {
			t.Errorf("a secret on the command line: %q", a)
		}
	}
	i := slices.Index(out.argv, "--retries")
	if i < 0 || i+1 >= len(out.argv) || out.argv[i+1] != "0" {
		t.Errorf("argv %q: the engine owns the retries, want --retries 0", out.argv)
	}
	return out
}

// world is a server docroot and a local file for one run.
type world struct {
	dir, root, src string
}

func newWorld(t *testing.T, size int) *world {
	t.Helper()
	w := &world{dir: t.TempDir()}
	w.root = filepath.Join(w.dir, "server")
	w.src = filepath.Join(w.dir, "src.bin")
	data := make([]byte, size)
	r := rand.New(rand.NewPCG(uint64(size), 3))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	if err := os.Mkdir(w.root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(w.src, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return w
}

// job is an upload of the world's file, without any secret in it: the
// password comes from the environment, as in the examples.
func (w *world) job(dest, extra string) string {
	return fmt.Sprintf(`{"remote_host":"h","remote_user":"u","direction":"send","create_dir":true,`+
		`"resume_policy":"full_csum","paths":[{"source":%q}],"destination_root":%q%s}`, w.src, dest, extra)
}

// run runs argv with asession and ascpsim from bin, and env added.
func (w *world) run(t *testing.T, argv []string, env map[string]string) (stdout string, code int) {
	t.Helper()
	cmd := exec.Command(filepath.Join(bin, argv[0]), argv[1:]...)
	if argv[0] != "asession" {
		cmd = exec.Command(argv[0], argv[1:]...)
	}
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), "ASCPSIM_ROOT="+w.root, "ASCPSIM_PASSWORD=secret-pw",
		"ASESSION_ASCP="+filepath.Join(bin, "ascpsim"), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String()+errb.String(), "secret-pw") {
		t.Errorf("the password appeared in the output")
	}
	return out.String(), code
}

func lastLine(s string) string {
	s = strings.TrimSuffix(s, "\n")
	return s[strings.LastIndex(s, "\n")+1:]
}

func summaryOf(t *testing.T, line string) map[string]any {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal([]byte(line), &s); err != nil || s["type"] != "summary" {
		t.Fatalf("last line is not the summary: %q", line)
	}
	return s
}

// runContainer runs the example's container command line (its job and
// summary path replaced by the test's) with the Secret's value in its
// environment, and checks the summary file against the last stdout line.
func runContainer(t *testing.T, c container, w *world, jobArg string, env map[string]string) (map[string]any, int) {
	t.Helper()
	argv := slices.Clone(c.argv)
	summaryPath := filepath.Join(w.dir, "summary.json")
	i := slices.Index(argv, "--summary-file")
	if i < 0 {
		t.Fatalf("argv %q has no --summary-file", argv)
	}
	argv[i+1] = summaryPath
	argv[len(argv)-1] = jobArg
	env["ASPERA_SCP_PASS"] = env["password"]
	delete(env, "password")
	os.Remove(summaryPath)
	stdout, code := w.run(t, argv, env)
	last := lastLine(stdout)
	if got, _ := os.ReadFile(summaryPath); string(got) != last+"\n" {
		t.Errorf("summary file %q, last stdout line %q", got, last)
	}
	return summaryOf(t, last), code
}

func TestArgoWorkflowTemplate(t *testing.T) {
	docs := yamlDocs(t, "argo/workflowtemplate.yaml")
	if len(docs) != 1 || docs[0]["kind"] != "WorkflowTemplate" {
		t.Fatalf("want one WorkflowTemplate, got %d documents", len(docs))
	}
	tmpl := at(t, docs[0], "spec", "templates", 0)
	rs := at(t, tmpl, "retryStrategy")
	expr, _ := at(t, rs, "expression").(string)
	if !strings.HasPrefix(expr, "asInt(lastRetry.exitCode) in [") {
		t.Errorf("retry expression %q, want asInt(lastRetry.exitCode) in [...]", expr)
	}
	retry := codeList(t, "retryStrategy.expression", expr)
	c := readContainer(t, at(t, tmpl, "container"))
	if c.argv[len(c.argv)-1] != "{{inputs.parameters.job}}" {
		t.Errorf("the job is not the last argument: %q", c.argv)
	}
	out := at(t, tmpl, "outputs", "parameters", 0)
	if at(t, out, "name") != "summary" || at(t, out, "valueFrom", "path") != c.argv[slices.Index(c.argv, "--summary-file")+1] {
		t.Errorf("output parameter %v does not read the --summary-file", out)
	}
	// The default job parameter must validate.
	job, _ := at(t, docs[0], "spec", "arguments", "parameters", 0, "value").(string)
	dryRun(t, job)

	// The step itself, outcome by outcome, with the retry decision Argo
	// would take from the exit code.
	w := newWorld(t, 2_000_000)
	for _, tc := range []struct {
		name, fail, password string
		code                 int
		status               string
	}{
		{"completes", "", "secret-pw", 0, "completed"},
		{"wrong password", "", "wrong", 1, "failed"},
		{"connection lost", "lost:500000", "secret-pw", 75, "failed"},
	} {
		summary, code := runContainer(t, c, w, w.job("/"+strings.ReplaceAll(tc.name, " ", "-"), ""), map[string]string{"password": tc.password, "ASCPSIM_FAIL": tc.fail})
		if code != tc.code || summary["status"] != tc.status {
			t.Errorf("%s: exit %d status %v, want %d %s", tc.name, code, summary["status"], tc.code, tc.status)
		}
		if retried := slices.Contains(retry, code); retried != (tc.code == 75) {
			t.Errorf("%s: exit %d, Argo would retry: %v", tc.name, code, retried)
		}
	}
	sameFile(t, w.src, filepath.Join(w.root, "completes", "src.bin"))
}

func TestKubernetesJob(t *testing.T) {
	docs := yamlDocs(t, "kubernetes/job.yaml")
	var job, cm map[string]any
	for _, d := range docs {
		switch d["kind"] {
		case "Job":
			job = d
		case "ConfigMap":
			cm = d
		}
	}
	if job == nil || cm == nil {
		t.Fatalf("want a ConfigMap and a Job, got %d documents", len(docs))
	}
	if at(t, job, "spec", "template", "spec", "restartPolicy") != "Never" {
		t.Error("podFailurePolicy needs restartPolicy Never")
	}
	rule := at(t, job, "spec", "podFailurePolicy", "rules", 0)
	if at(t, rule, "action") != "FailJob" || at(t, rule, "onExitCodes", "operator") != "NotIn" {
		t.Errorf("first rule %v, want FailJob on exit codes NotIn the retry codes", rule)
	}
	var codes []int
	for _, v := range at(t, rule, "onExitCodes", "values").([]any) {
		codes = append(codes, v.(int))
	}
	checkCodes(t, "podFailurePolicy", codes)
	c := readContainer(t, at(t, job, "spec", "template", "spec", "containers", 0))
	if at(t, rule, "onExitCodes", "containerName") != at(t, job, "spec", "template", "spec", "containers", 0, "name") {
		t.Error("the rule names another container")
	}
	// The job file the ConfigMap mounts at the path the command reads.
	spec, _ := at(t, cm, "data", "job.json").(string)
	if c.argv[len(c.argv)-1] != "/etc/asession/job.json" {
		t.Errorf("argv %q does not read the mounted job", c.argv)
	}
	dryRun(t, spec)

	w := newWorld(t, 1_000_000)
	jobFile := filepath.Join(w.dir, "job.json")
	if err := os.WriteFile(jobFile, []byte(w.job("/up", "")), 0o644); err != nil {
		t.Fatal(err)
	}
	summary, code := runContainer(t, c, w, jobFile, map[string]string{"password": "secret-pw"})
	if code != 0 || summary["status"] != "completed" {
		t.Errorf("exit %d summary %v", code, summary)
	}
	sameFile(t, w.src, filepath.Join(w.root, "up", "src.bin"))
}

// dryRun requires asession --strict --dry-run to accept the job.
func dryRun(t *testing.T, job string) []string {
	t.Helper()
	out, err := exec.Command(filepath.Join(bin, "asession"), "--strict", "--dry-run", "--ascp", "/bin/sh", job).CombinedOutput()
	if err != nil {
		t.Fatalf("dry run of %s: %v\n%s", job, err, out)
	}
	var report struct {
		Sessions []struct{ Argv []string }
	}
	if err := json.Unmarshal(out, &report); err != nil || len(report.Sessions) != 1 {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	return report.Sessions[0].Argv
}

func TestAirflowDAG(t *testing.T) {
	for _, f := range []string{"airflow/aspera_transfer_dag.py", "airflow/asession_step.py"} {
		// Compiled to a throw-away file: the tree gets no __pycache__.
		check := exec.Command("python3", "-c", "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
			f, filepath.Join(t.TempDir(), "out.pyc"))
		if out, err := check.CombinedOutput(); err != nil {
			t.Errorf("%s does not compile: %v\n%s", f, err, out)
		}
	}
	src, err := os.ReadFile("airflow/asession_step.py")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`RETRY_MAY_HELP = frozenset\(\{([0-9, ]+)\}\)`).FindSubmatch(src)
	if m == nil {
		t.Fatal("asession_step.py has no RETRY_MAY_HELP")
	}
	codeList(t, "RETRY_MAY_HELP", "["+string(m[1])+"]")
	dag, err := os.ReadFile("airflow/aspera_transfer_dag.py")
	if err != nil {
		t.Fatal(err)
	}
	bash := regexp.MustCompile(`bash_command="(asession [^"]*)" \+ JOB`).FindSubmatch(dag)
	if bash == nil {
		t.Fatal("aspera_transfer_dag.py: no asession bash_command")
	}
	md5 := filepath.Join(t.TempDir(), "ERR164407.md5")
	if err := os.WriteFile(md5, []byte("0123456789abcdef0123456789abcdef  ERR164407.fastq.gz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bashLine := strings.ReplaceAll(string(bash[1]), "{{ ti.xcom_pull(task_ids='checksums') }}", md5)
	dryRunCommand(t, bashLine+"nextflow/ena_download.json")

	// The step runner against ascpsim, outcome by outcome: the summary it
	// returns is asession's last stdout line, the XCom.
	step, _ := filepath.Abs("airflow/asession_step.py")
	w := newWorld(t, 2_000_000)
	jobFile := filepath.Join(w.dir, "job.json")
	for _, tc := range []struct {
		name, fail, password string
		code                 int
		retry                bool
	}{
		{"completes", "", "secret-pw", 0, false},
		{"wrong password", "", "wrong", 1, false},
		{"connection lost", "lost:500000", "secret-pw", 75, true},
	} {
		if err := os.WriteFile(jobFile, []byte(w.job("/"+strings.ReplaceAll(tc.name, " ", "-"), "")), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, code := w.run(t, []string{"python3", step, jobFile, filepath.Join(bin, "asession")},
			map[string]string{"ASPERA_SCP_PASS": tc.password, "ASCPSIM_FAIL": tc.fail})
		var res struct {
			Type         string
			Status       string
			ExitCode     int  `json:"exit_code"`
			RetryMayHelp bool `json:"retry_may_help"`
			Summary      *struct{ Status string }
		}
		if err := json.Unmarshal([]byte(lastLine(stdout)), &res); err != nil {
			t.Fatalf("%s: %v: %q", tc.name, err, stdout)
		}
		if code != tc.code {
			t.Errorf("%s: exit %d, want %d: %s", tc.name, code, tc.code, stdout)
		}
		if tc.code == 0 && (res.Type != "summary" || res.Status != "completed") {
			t.Errorf("%s: result %s, want the completed summary", tc.name, stdout)
		}
		if tc.code != 0 && (res.ExitCode != tc.code || res.RetryMayHelp != tc.retry || res.Summary == nil || res.Summary.Status != "failed") {
			t.Errorf("%s: result %s, want exit %d retry_may_help %v and the failed summary", tc.name, stdout, tc.code, tc.retry)
		}
	}

	// An engine stops a task with SIGTERM: the runner passes it on, ascp
	// is cancelled, and the summary still comes back.
	cmd := exec.Command("python3", step, jobFile, filepath.Join(bin, "asession"))
	cmd.Dir = w.dir
	cmd.Env = append(os.Environ(), "ASCPSIM_ROOT="+w.root, "ASCPSIM_PASSWORD=secret-pw", "ASPERA_SCP_PASS=secret-pw",
		"ASESSION_ASCP="+filepath.Join(bin, "ascpsim"))
	if err := os.WriteFile(jobFile, []byte(w.job("/cancelled", `,"target_rate_kbps":4000`)), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	partial := filepath.Join(w.root, "cancelled", "src.bin.partial")
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(partial); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the transfer never started")
		}
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 143 {
		t.Errorf("cancelled runner: %v, want exit 143", err)
	}
	if !strings.Contains(lastLine(out.String()), `"status": "cancelled"`) {
		t.Errorf("cancelled runner printed %q, want the cancelled summary", out.String())
	}
}

// The step runner reads asession's stdout as a stream and keeps its last
// line: a transfer's events, however many, never pile up in the task's
// memory. An asession stand-in writes 120 MB of event lines, then the
// summary; the runner must return the summary with its peak memory far
// below that.
func TestAirflowStepStreamsEvents(t *testing.T) {
	dir := t.TempDir()
	fake := filepath.Join(dir, "asession")
	script := "#!/bin/sh\n" +
		"yes '{\"type\":\"STATS\",\"transfer_bytes\":1234567,\"file\":\"/data/run-42/reads_1.fastq.gz\"}' | head -n 1500000\n" +
		"echo '{\"type\":\"summary\",\"status\":\"completed\",\"exit_code\":0}'\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	step, _ := filepath.Abs("airflow/asession_step.py")
	cmd := exec.Command("python3", step, filepath.Join(dir, "job.json"), fake)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != `{"type": "summary", "status": "completed", "exit_code": 0}` {
		t.Errorf("the runner returned %s, want the summary", got)
	}
	peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss // KiB on Linux, bytes on macOS
	if runtime.GOOS == "darwin" {
		peak /= 1024
	}
	t.Logf("peak memory %d MiB", peak>>10)
	if peak > 64<<10 {
		t.Errorf("the runner's peak memory was %d MiB for 120 MB of events: it keeps them", peak>>10)
	}
}

func TestNextflowProcess(t *testing.T) {
	src, err := os.ReadFile("nextflow/main.nf")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`task\.exitStatus in (\[[0-9, ]+\])`).FindSubmatch(src)
	if m == nil {
		t.Fatal("main.nf: no errorStrategy keyed on task.exitStatus")
	}
	codeList(t, "errorStrategy", string(m[1]))
	line := regexp.MustCompile(`(?m)^\s*(asession .*)$`).FindSubmatch(src)
	if line == nil || !strings.HasPrefix(string(line[1]), "asession --retries 0 ") {
		t.Fatal("main.nf: the engine owns the retries, want asession --retries 0")
	}
	// Its flags as asession parses them, the job it makes replaced by the
	// recipe.
	md5 := filepath.Join(t.TempDir(), "ERR164407.md5")
	if err := os.WriteFile(md5, []byte("0123456789abcdef0123456789abcdef  ERR164407.fastq.gz\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmdLine := strings.NewReplacer("${run}.md5", md5, "${run}", "ERR164407", "job.json", "nextflow/ena_download.json").Replace(string(line[1]))
	dryRunCommand(t, cmdLine)
}

// dryRunCommand runs an example's asession command line (words split on
// spaces) with --dry-run: every flag it uses must exist and parse.
func dryRunCommand(t *testing.T, cmdLine string) {
	t.Helper()
	words := strings.Fields(cmdLine)
	args := append([]string{"--dry-run", "--ascp", "/bin/sh"}, words[1:]...)
	if out, err := exec.Command(filepath.Join(bin, "asession"), args...).CombinedOutput(); err != nil {
		t.Errorf("%s --dry-run: %v\n%s", cmdLine, err, out)
	}
}

// The READMEs quote the resume option ascp gets: the one asession gives
// it, for a spec without resume_policy (the Temporal activity's) and for
// the ENA recipe.
func TestDocumentedResumeOption(t *testing.T) {
	ena, err := os.ReadFile("nextflow/ena_download.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ doc, job string }{
		{"asessiontemporal/README.md", `{"remote_host":"h","remote_user":"u","direction":"send","paths":[{"source":"a"}]}`},
		{"nextflow/README.md", string(ena)},
	} {
		doc, err := os.ReadFile(tc.doc)
		if err != nil {
			t.Fatal(err)
		}
		quoted := regexp.MustCompile("`-k ([0-9])`").FindAllSubmatch(doc, -1)
		if len(quoted) == 0 {
			t.Fatalf("%s quotes no -k option", tc.doc)
		}
		argv := dryRun(t, tc.job)
		i := slices.Index(argv, "-k")
		if i < 0 || i+1 == len(argv) {
			t.Fatalf("%s: asession gives ascp no -k: %q", tc.doc, argv)
		}
		for _, q := range quoted {
			if string(q[1]) != argv[i+1] {
				t.Errorf("%s says -k %s; asession gives ascp -k %s", tc.doc, q[1], argv[i+1])
			}
		}
	}
}

// TestENARecipe: the ENA/SRA spec validates strictly and gives ascp what
// ENA documents: user era-fasp, SSH port 33001, the asperaweb_id_dsa.openssh
// key, resume on.
func TestENARecipe(t *testing.T) {
	job, err := os.ReadFile("nextflow/ena_download.json")
	if err != nil {
		t.Fatal(err)
	}
	argv := strings.Join(dryRun(t, string(job)), " ")
	for _, want := range []string{"--user=era-fasp", "--host=fasp.sra.ebi.ac.uk", "-P 33001", "-i asperaweb_id_dsa.openssh", "-k 3", "--mode=recv"} {
		if !strings.Contains(argv, want) {
			t.Errorf("ascp command line %q lacks %q", argv, want)
		}
	}
}

func sameFile(t *testing.T, a, b string) {
	t.Helper()
	da, _ := os.ReadFile(a)
	db, err := os.ReadFile(b)
	if err != nil || !bytes.Equal(da, db) {
		t.Errorf("%s differs from %s (%v)", b, a, err)
	}
}
