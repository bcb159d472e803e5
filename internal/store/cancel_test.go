package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/waspada-id/waspada/internal/store"
	"github.com/waspada-id/waspada/internal/testdb"
)

// A statement whose request ends stops in the database too: when a
// request's context ends, pgx closes the connection after a cancel request
// (pgconn's asyncClose), so no backend keeps computing for a client that has
// gone. This holds the pool to that; work that does not answer a cancel
// (a long GEOS repair of one polygon) is refused before SQL (geo/polygon).
func TestStatementEndsWithItsRequest(t *testing.T) {
	base := testdb.Empty(t)
	pool, err := store.Open(context.Background(), testdb.URL(t, base), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = pool.Exec(ctx, "SELECT pg_sleep(60) /* waspada-cancel-test */")
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("the statement was not cut short: %v after %v", err, time.Since(start))
	}
	if !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		t.Fatalf("unexpected error %v", err)
	}
	// The backend must be idle (or gone) within a moment, not sleeping on.
	deadline := time.Now().Add(3 * time.Second)
	for {
		var busy int
		if err := base.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
			WHERE state = 'active' AND query LIKE '%waspada-cancel-test%' AND pid <> pg_backend_pid()`).Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if busy == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d backend(s) still run the statement 3 s after its request ended", busy)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
