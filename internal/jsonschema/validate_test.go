package jsonschema

import (
	"os"
	"testing"
)

// The events schema must accept real lines and refuse lines that break the
// contract; otherwise validating output against it proves nothing.
func TestEventsSchemaAcceptsAndRefuses(t *testing.T) {
	data, err := os.ReadFile("../../schema/events.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	good := []string{
		`{"type":"STATS","session_id":"x","bytes_cont":5,"elapsed_usec":9,"rate":"50%","encryption":true}`,
		`{"type":"INIT","session":2,"user_str":"job"}`,
		`{"type":"progress","status":"running","percentage":0.5,"bytes_written":1,"bytes_expected":2,"calculated_rate_kbps":3,"elapsed_usec":4,"remaining_usec":5,"current_file":"/a","file_counts":{"attempted":1,"completed":0,"failed":0,"skipped":0},"sessions":1}`,
		`{"type":"error","source":"input","description":"bad","problems":[{"pointer":"/x","expected":"y","found":"z"}]}`,
		`{"time":"2026-01-02T03:04:05.678Z","type":"error","source":"input","description":"bad"}`,
		`{"type":"summary","job_id":"j","status":"failed","exit_code":1,"files":{"attempted":1,"completed":0,"failed":1,"skipped":0},"bytes_written":0,"bytes_expected":0,"elapsed_usec":1,"sessions":1,"retries":0,"start_time":"2026-01-02T03:04:05.678Z","end_time":"2026-01-02T03:04:05.679Z","avg_rate_kbps":0,"error":{"code":27,"mnemonic":"ERR_SOME_FILE_ERRS","description":"d","retryable":false,"source":"ascp_error"},"failed_files":[{"file":"/a","code":4,"description":"d"}]}`,
	}
	for _, line := range good {
		if errs := s.Validate([]byte(line)); len(errs) > 0 {
			t.Errorf("refused a valid line %s: %v", line, errs)
		}
	}
	bad := []string{
		`{"type":"progress","status":"sleeping","percentage":0.5,"bytes_written":1,"bytes_expected":2,"calculated_rate_kbps":3,"elapsed_usec":4,"remaining_usec":5,"current_file":"/a","file_counts":{"attempted":1,"completed":0,"failed":0,"skipped":0},"sessions":1}`,
		`{"type":"progress","status":"running"}`,
		`{"type":"summary","job_id":"j","status":"completed","exit_code":0}`,
		`{"type":"error","source":"nowhere","description":"x"}`,
		`{"time":"yesterday","type":"error","source":"input","description":"bad"}`,
		`{"type":"STATS","bytes_cont":[1]}`,
		`{"type":"stats"}`,
		`{"no_type":1}`,
		`[1]`,
	}
	for _, line := range bad {
		if errs := s.Validate([]byte(line)); len(errs) == 0 {
			t.Errorf("accepted an invalid line %s", line)
		}
	}
}
