package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestOpenAPILint lints web/openapi.json with Redocly's recommended rules,
// every warning an error (web/testdata/redocly/redocly.yaml). The linter is
// installed by web/testdata/redocly/install.sh (make test-deps); without it the
// test is skipped, unless CARDOPS_E2E_REQUIRED=1 (as in make test), where
// it fails.
func TestOpenAPILint(t *testing.T) {
	dir, err := filepath.Abs("testdata/redocly")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "..", "..", "..", ".redocly", "node_modules", ".bin", "redocly")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CARDOPS_E2E_REQUIRED") == "1" {
			t.Fatalf("redocly is not installed (%v): run bash web/testdata/redocly/install.sh", err)
		}
		t.Skipf("redocly is not installed: run bash web/testdata/redocly/install.sh")
	}
	// The ignore file names the document by this relative path.
	cmd := exec.Command(bin, "lint", "--config", "redocly.yaml", "--format", "stylish", "../../openapi.json")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("redocly lint web/openapi.json: %v\n%s", err, out)
	}
}
