package auth

import (
	"context"
	"sync"
	"testing"

	"github.com/waspada-id/waspada/internal/store"
	"github.com/waspada-id/waspada/internal/testdb"
)

// Servers (and test packages) starting together on one cluster all enable the
// shared app role and grant on the same tables; none may fail, and each gets a
// working login. (Without the retry in AppDatabaseURL this fails with "tuple
// concurrently updated".)
func TestAppDatabaseURLConcurrent(t *testing.T) {
	pool := testdb.Empty(t)
	admin := testdb.URL(t, pool)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	urls := make([]string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			urls[i], _, errs[i] = AppDatabaseURL(context.Background(), pool, admin)
		}(i)
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			t.Fatalf("server %d: %v", i, errs[i])
		}
	}
	app, err := store.Open(context.Background(), urls[0], 1)
	if err != nil {
		t.Fatalf("cannot log in as the app role: %v", err)
	}
	defer app.Close()
	var user string
	_ = app.QueryRow(context.Background(), "SELECT current_user").Scan(&user)
	if user != AppRole {
		t.Fatalf("runs as %q", user)
	}
}
