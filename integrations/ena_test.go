package integrations

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/faspkit/asession/session"
)

// enaServer is an ascpsim docroot laid out as ENA's, with the file report
// ENA's portal API would give for its runs: a single-end run and a paired
// one.
type enaServer struct {
	root   string
	report string            // the TSV, for every run
	md5    map[string]string // file name -> md5
}

func newENAServer(t *testing.T, dir string) *enaServer {
	t.Helper()
	s := &enaServer{root: filepath.Join(dir, "server"), md5: map[string]string{}}
	runs := []struct {
		run   string
		files []string
	}{
		{"ERR164407", []string{"/vol1/fastq/ERR164/ERR164407/ERR164407.fastq.gz"}},
		{"SRR12397036", []string{"/vol1/fastq/SRR123/036/SRR12397036/SRR12397036_1.fastq.gz", "/vol1/fastq/SRR123/036/SRR12397036/SRR12397036_2.fastq.gz"}},
	}
	// ENA puts run_accession first, then the fields asked for, and ends
	// its lines as a web server does.
	var tsv strings.Builder
	tsv.WriteString("run_accession\tfastq_aspera\tfastq_md5\r\n")
	for i, r := range runs {
		var aspera, sums []string
		for k, f := range r.files {
			data := make([]byte, 200_000+50_000*k)
			rng := rand.New(rand.NewPCG(uint64(i), uint64(k)))
			for j := range data {
				data[j] = byte(rng.Uint32())
			}
			local := filepath.Join(s.root, filepath.FromSlash(f))
			if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(local, data, 0o644); err != nil {
				t.Fatal(err)
			}
			sum := md5.Sum(data)
			s.md5[filepath.Base(f)] = hex.EncodeToString(sum[:])
			aspera = append(aspera, "fasp.sra.ebi.ac.uk:"+f)
			sums = append(sums, hex.EncodeToString(sum[:]))
		}
		fmt.Fprintf(&tsv, "%s\t%s\t%s\r\n", r.run, strings.Join(aspera, ";"), strings.Join(sums, ";"))
	}
	s.report = filepath.Join(dir, "filereport.tsv")
	if err := os.WriteFile(s.report, []byte(tsv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

// fakeCurl makes a folder with a curl that answers ENA's file report:
// its header and the line of the run asked (accession=RUN).
func (s *enaServer) fakeCurl(t *testing.T, dir string) string {
	t.Helper()
	fake := filepath.Join(dir, "fakebin")
	if err := os.Mkdir(fake, 0o755); err != nil {
		t.Fatal(err)
	}
	curl := `#!/bin/sh
for a; do case $a in accession=*) acc=${a#accession=};; esac; done
awk -F'\t' -v acc="$acc" 'NR == 1 || $1 == acc' "` + s.report + `"
`
	if err := os.WriteFile(filepath.Join(fake, "curl"), []byte(curl), 0o755); err != nil {
		t.Fatal(err)
	}
	return fake
}

// md5List is what the report's md5 list must be for run's files: one
// md5sum line per file, by name.
func (s *enaServer) md5List(names ...string) string {
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, "%s  %s\n", s.md5[n], n)
	}
	return b.String()
}

// TestNextflowTaskChecksReads runs the script of main.nf's process as
// Nextflow would for each run (its Groovy variables filled in), with curl
// answering ENA's file report and ascpsim serving ENA's files: the reads
// arrive, asession checks each against the report's fastq_md5, and a
// byte flipped on its way fails the task with exit 1, which the
// errorStrategy does not retry.
func TestNextflowTaskChecksReads(t *testing.T) {
	src, err := os.ReadFile("nextflow/main.nf")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)script:\s*"""\n(.*?)\n\s*"""`).FindSubmatch(src)
	if m == nil {
		t.Fatal("main.nf: no script block")
	}
	projectDir, _ := filepath.Abs("nextflow")
	dir := t.TempDir()
	ena := newENAServer(t, dir)
	fake := ena.fakeCurl(t, dir)
	task := func(run, fail string) (string, int, string) {
		t.Helper()
		work := filepath.Join(dir, "work-"+run+fail)
		if err := os.Mkdir(work, 0o755); err != nil {
			t.Fatal(err)
		}
		key := filepath.Join(work, "asperaweb_id_dsa.openssh")
		if err := os.WriteFile(key, []byte("a key ascpsim accepts"), 0o600); err != nil {
			t.Fatal(err)
		}
		script := strings.NewReplacer("${run}", run, "${projectDir}", projectDir, "${key}", key, `\\`, `\`).Replace(string(m[1]))
		if strings.Contains(script, "${") {
			t.Fatalf("a Groovy variable the test does not fill in:\n%s", script)
		}
		cmd := exec.Command("bash", "-e", "-c", script)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "PATH="+fake+string(os.PathListSeparator)+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"ASCPSIM_ROOT="+ena.root, "ASESSION_ASCP="+filepath.Join(bin, "ascpsim"), "ASCPSIM_FAIL="+fail)
		out, _, code := outputAndCode(t, cmd)
		return out, code, work
	}

	for _, c := range []struct {
		run   string
		files []string
	}{
		{"ERR164407", []string{"ERR164407.fastq.gz"}},
		{"SRR12397036", []string{"SRR12397036_1.fastq.gz", "SRR12397036_2.fastq.gz"}},
	} {
		out, code, work := task(c.run, "")
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s", c.run, code, out)
		}
		list, err := os.ReadFile(filepath.Join(work, c.run+".md5"))
		if err != nil || string(list) != ena.md5List(c.files...) {
			t.Errorf("%s.md5 holds %q, want %q (%v)", c.run, list, ena.md5List(c.files...), err)
		}
		summary, _ := os.ReadFile(filepath.Join(work, c.run+".summary.json"))
		want := fmt.Sprintf(`"checksums":{"checked":%d,"matched":%d,"mismatched":0,"missing":0}`, len(c.files), len(c.files))
		if !strings.Contains(string(summary), want) {
			t.Errorf("%s: summary %s, want %s", c.run, summary, want)
		}
		for _, f := range c.files {
			if _, err := os.Stat(filepath.Join(work, f)); err != nil {
				t.Errorf("%s: %v", c.run, err)
			}
		}
	}

	out, code, _ := task("SRR12397036", "corrupt:100000")
	if code != 1 {
		t.Fatalf("a corrupted read: exit %d, want 1 (not retried)\n%s", code, out)
	}
	if !strings.Contains(out, `"source":"checksums","description":"file `) || !strings.Contains(out, `"checksums":{"checked":2,"matched":0,"mismatched":2,"missing":0}`) {
		t.Errorf("a corrupted read: output lacks the checksum error and counts:\n%s", out)
	}
}

// The report's conversions agree, each in its own language: the awk of
// the Nextflow recipe, the Python of the Airflow step and the jq of the
// shell example make the same md5 list, which asession reads.
func TestENAReportConversionsAgree(t *testing.T) {
	dir := t.TempDir()
	ena := newENAServer(t, dir)
	want := ena.md5List("ERR164407.fastq.gz", "SRR12397036_1.fastq.gz", "SRR12397036_2.fastq.gz")
	shellExample, _ := filepath.Abs("../examples/shell/ena_download.sh")
	for _, c := range []struct {
		name string
		argv []string
	}{
		{"awk", []string{"awk", "-v", "want=md5", "-f", "nextflow/ena_report.awk", ena.report}},
		{"python", []string{"python3", "-c", "import sys; sys.path.insert(0, 'airflow'); import asession_step; " +
			"sys.stdout.write(asession_step.ena_md5_list(open(sys.argv[1]).read()))", ena.report}},
		{"jq", []string{"bash", shellExample, "--md5-list", ena.report}},
	} {
		out, err := exec.Command(c.argv[0], c.argv[1:]...).Output()
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if string(out) != want {
			t.Errorf("%s made\n%s\nwant\n%s", c.name, out, want)
		}
		if _, err := session.ParseChecksums(strings.NewReader(string(out))); err != nil {
			t.Errorf("%s: asession cannot read it: %v", c.name, err)
		}
	}
	// A report without the columns is refused, not turned into nothing.
	bad := filepath.Join(dir, "bad.tsv")
	os.WriteFile(bad, []byte("run_accession\tfastq_ftp\nERR1\tftp.sra.ebi.ac.uk/x.fastq.gz\n"), 0o644)
	if out, err := exec.Command("awk", "-v", "want=md5", "-f", "nextflow/ena_report.awk", bad).CombinedOutput(); err == nil {
		t.Errorf("awk accepted a report without fastq_md5: %s", out)
	}
}

// TestShellExampleENA runs examples/shell/ena_download.sh against ascpsim
// laid out as ENA, curl answering its file report: the paired run's reads
// arrive checked; a byte flipped on the way fails the run, naming the
// file.
func TestShellExampleENA(t *testing.T) {
	script, _ := filepath.Abs("../examples/shell/ena_download.sh")
	dir := t.TempDir()
	ena := newENAServer(t, dir)
	fake := ena.fakeCurl(t, dir)
	key := filepath.Join(dir, "asperaweb_id_dsa.openssh")
	if err := os.WriteFile(key, []byte("a key ascpsim accepts"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(dest, fail string) (string, string, int) {
		cmd := exec.Command("bash", script, filepath.Join(bin, "asession"), dest, "SRR12397036")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+fake+string(os.PathListSeparator)+os.Getenv("PATH"), "ENA_KEY="+key,
			"ASCPSIM_ROOT="+ena.root, "ASESSION_ASCP="+filepath.Join(bin, "ascpsim"), "ASCPSIM_FAIL="+fail)
		return outputAndCode(t, cmd)
	}
	out, stderr, code := run("reads", "")
	if code != 0 || out != "completed: 2 of 2 files of SRR12397036, checksums 2 matched, 0 differ, 0 missing\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	for _, f := range []string{"SRR12397036_1.fastq.gz", "SRR12397036_2.fastq.gz"} {
		if _, err := os.Stat(filepath.Join(dir, "reads", f)); err != nil {
			t.Error(err)
		}
	}
	out, stderr, code = run("bad", "corrupt:220000")
	if code != 1 || out != "failed: 1 of 2 files of SRR12397036, checksums 1 matched, 1 differ, 0 missing\n" ||
		!strings.Contains(stderr, "error: file "+filepath.Join(dir, "bad", "SRR12397036_2.fastq.gz")+" (listed as SRR12397036_2.fastq.gz): md5 differs from --checksums") {
		t.Fatalf("a corrupted read: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// outputAndCode runs cmd and returns its stdout, its stderr and its exit
// code; it fails the test when cmd cannot run at all.
func outputAndCode(t *testing.T, cmd *exec.Cmd) (stdout, stderr string, code int) {
	t.Helper()
	var errb strings.Builder
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), errb.String(), code
}
