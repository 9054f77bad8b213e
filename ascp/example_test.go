package ascp_test

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/schema"
)

// Build the ascp command line and environment for a transfer spec.
func ExampleBuild() {
	spec, problems := schema.ParseInput([]byte(`{"remote_host":"demo.example.com","remote_user":"aspera",
		"remote_password":"s3cret","direction":"receive","target_rate_kbps":50000,
		"paths":[{"source":"/aspera-test-dir-tiny/200KB.1"}],"destination_root":"/tmp/down"}`), "")
	if problems != nil {
		panic(problems)
	}
	cmds, err := ascp.Build(spec.Spec, ascp.BuildOptions{ListDir: "/run/job"})
	if err != nil {
		panic(err)
	}
	fmt.Println(filepath.ToSlash(strings.Join(cmds[0].Args, " "))) // the list file's path as on Unix
	fmt.Println(cmds[0].Env[1], "and", len(cmds[0].Env)-1, "secret variable(s); list file:", strings.TrimSpace(string(cmds[0].ListFile.Content())))
	// Output:
	// -q --mode=recv --host=demo.example.com --user=aspera -l 50000 --file-list=/run/job/paths.txt --dest64 L3RtcC9kb3du
	// ASPERA_TEST_REDIS_DISABLE=true and 1 secret variable(s); list file: /aspera-test-dir-tiny/200KB.1
}
