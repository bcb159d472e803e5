package e2e

import (
	"context"
	"sync"

	"github.com/waspada-id/waspada/internal/audit"
)

// countingAuditor stands in for the audit log in the workflow browser test.
type countingAuditor struct {
	mu      sync.Mutex
	entries []audit.Entry
}

func (a *countingAuditor) Record(_ context.Context, e audit.Entry) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.entries = append(a.entries, e)
	return nil
}

func (a *countingAuditor) n() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.entries)
}
