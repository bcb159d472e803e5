package importer_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/waspada-id/waspada/internal/testdb"
)

// buildBinary compiles cmd/waspada once for subprocess tests.
func buildBinary(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "waspada")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/waspada-id/waspada/cmd/waspada")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build waspada: %v\n%s", err, out)
	}
	return bin
}

// TestImportSurvivesSIGKILL kills `waspada import` with SIGKILL while it is
// writing, then shows the database unchanged, no lock or session left behind,
// and a re-run completing.
func TestImportSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: imports 300,000 rows twice")
	}
	pool := testdb.Reference(t)
	bin := buildBinary(t)
	path := filepath.Join(t.TempDir(), "residences.csv")
	writeResidences(t, pool, path, 300_000)
	ctx := context.Background()
	env := append(os.Environ(), "DATABASE_URL="+testdb.URL(t, pool))

	cmd := exec.Command(bin, "import", "residences", path)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the import is inside its transaction (the staging COPY or later), then kill it.
	deadline := time.Now().Add(60 * time.Second)
	for {
		var busy bool
		err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE application_name = 'waspada' AND datname = current_database() AND state <> 'idle' AND xact_start IS NOT NULL
			  AND pid <> pg_backend_pid() AND query ILIKE '%stage%')`).Scan(&busy)
		if err != nil {
			t.Fatal(err)
		}
		if busy {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the import never reached its transaction")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	// PostgreSQL notices the dead client and rolls back; allow it a moment.
	var left int
	for i := 0; i < 100; i++ {
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'waspada'
			AND datname = current_database() AND pid <> pg_backend_pid()`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if left != 0 {
		t.Fatalf("%d sessions of the killed import are still open", left)
	}
	if n := count(t, pool, "SELECT count(*) FROM resident"); n != 0 {
		t.Fatalf("killed import left %v residents", n)
	}
	if n := count(t, pool, "SELECT count(*) FROM import_log"); n != 0 {
		t.Fatalf("killed import left %v import_log rows", n)
	}
	if n := count(t, pool, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"); n != 0 {
		t.Fatalf("%v advisory locks left", n)
	}

	rerun := exec.Command(bin, "import", "residences", path)
	rerun.Env = env
	if out, err := rerun.CombinedOutput(); err != nil {
		t.Fatalf("re-run failed: %v\n%s", err, out)
	}
	if n := count(t, pool, "SELECT count(*) FROM resident"); n != 300_000 {
		t.Fatalf("re-run imported %v residents, want 300000", n)
	}
}
