package ascp_test

import (
	"fmt"
	"strings"

	"github.com/faspkit/asession/ascp"
	"github.com/faspkit/asession/schema"
)

// Decode management frames as ascp writes them on its -M connection.
func ExampleNewReader() {
	stream := "FASPMGR 2\nType: STOP\nFile: /data/report\x1bn2026.pdf\nSize: 1048576\n\n"
	r := ascp.NewReader(strings.NewReader(stream))
	f, err := r.Next()
	if err != nil {
		panic(err)
	}
	file, _ := f.GetString("File")
	fmt.Printf("%s %q %d fields\n", f.Type(), file, len(f.Fields))
	// Output: STOP "/data/report\n2026.pdf" 3 fields
}

// Encode a command for ascp's management port.
func ExampleAppendFrame() {
	fmt.Printf("%q\n", ascp.AppendFrame(nil, "START", "Source", "/a\nb", "Destination", "/in"))
	// Output: "FASPMGR 2\nType: START\nSource: /a\x1bnb\nDestination: /in\n\n"
}

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
	fmt.Println(strings.Join(cmds[0].Args, " "))
	fmt.Println(cmds[0].Env[1], "and", len(cmds[0].Env)-1, "secret variable(s); list file:", cmds[0].ListFile.Lines)
	// Output:
	// -q --mode=recv --host=demo.example.com --user=aspera -l 50000 --file-list=/run/job/paths.txt --dest64 L3RtcC9kb3du
	// ASPERA_TEST_REDIS_DISABLE=true and 1 secret variable(s); list file: [/aspera-test-dir-tiny/200KB.1]
}
