// Package oplog writes the audit-log rows of command-line operations (import
// undo, retention, subject reports) inside the operation's own transaction.
// It depends on nothing of the project's, so the importer can use it without
// an import cycle through internal/audit's tests.
package oplog

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Actions, as in internal/audit and the audit_log CHECK.
const (
	Personal = "personal"
	Export   = "export"
	Admin    = "admin"
)

// Entry is one audited operation.
type Entry struct {
	Action string
	Route  string // default: the command
	Layer  string
	Area   string
	Rows   int64
	Detail map[string]any
}

// ErrAnonymous means the operation names nobody.
var ErrAnonymous = errors.New("audit: no operator named")

// Actor is who ran a command-line operation: the operating-system account or
// the name given with --by. Command-line operations run with the database
// owner's rights, so the account is what the record can say.
type Actor struct {
	Name string
	Role string // "cli", or the app_user role when the operator named an account
	// UserID is the app_user id when the operator named an account, else 0.
	UserID int64
}

// RecordTx writes e for a command-line operation inside the caller's
// transaction, so the record and the change it describes commit together.
func RecordTx(ctx context.Context, tx pgx.Tx, a Actor, command string, e Entry) error {
	switch e.Action {
	case Personal, Export, Admin:
	default:
		return fmt.Errorf("audit: unknown action %q", e.Action)
	}
	if a.Name == "" {
		return ErrAnonymous
	}
	role := a.Role
	if role == "" {
		role = "cli"
	}
	route := e.Route
	if route == "" {
		route = command
	}
	detail := e.Detail
	if detail == nil {
		detail = map[string]any{}
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (user_id, username, role, scope, action, method, route, layer, tile, area, rows_returned, ip, detail)
		VALUES ($1, $2, $3, '', $4, 'CLI', $5, $6, '', $7, $8, 'local', $9)`,
		a.UserID, a.Name, role, e.Action, route, e.Layer, e.Area, max(e.Rows, 0), detail)
	if err != nil {
		return fmt.Errorf("write audit record: %w", err)
	}
	return nil
}
