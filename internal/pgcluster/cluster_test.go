package pgcluster

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// As root the server runs as "postgres"; a cluster folder it cannot enter must
// be refused with a message that says what to do, before initdb fails obscurely.
func TestUnreachableFolderAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("only root hands the server to another account")
	}
	base := t.TempDir()
	locked := filepath.Join(base, "locked")
	if err := os.Mkdir(locked, 0o700); err != nil {
		t.Fatal(err)
	}
	c, err := New(filepath.Join(locked, "pg"), 5999, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Skipf("no postgres account here: %v", err)
	}
	if err := os.MkdirAll(c.Dir, 0o755); err != nil { // as Start does
		t.Fatal(err)
	}
	err = c.checkReachable()
	if err == nil || !strings.Contains(err.Error(), "--dir or WASPADA_PG_DIR") {
		t.Fatalf("checkReachable = %v, want a clear refusal", err)
	}
	if err := os.Chmod(base, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locked, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := c.checkReachable(); err != nil && !strings.Contains(err.Error(), filepath.Dir(base)) {
		t.Fatalf("reachable folder refused: %v", err)
	}
}

func TestURLBeforeInit(t *testing.T) {
	c := &Cluster{Dir: t.TempDir(), Port: 5999, Database: "waspada"}
	if _, err := c.URL(); err == nil || !strings.Contains(err.Error(), "waspada db start") {
		t.Fatalf("URL on an uninitialised cluster: %v", err)
	}
}
