package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/waspada-id/waspada/internal/auth"
	"github.com/waspada-id/waspada/internal/testdb"
)

func TestUserCommand(t *testing.T) {
	pool := testdb.Empty(t)
	t.Setenv("DATABASE_URL", testdb.URL(t, pool))
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("kata-sandi-rahasia\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		a := &app{log: slog.New(slog.NewTextHandler(io.Discard, nil)), stdout: &out, stderr: &errb}
		code := a.main(context.Background(), append([]string{"user"}, args...))
		return code, out.String(), errb.String()
	}
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"add", "--username", "intel1", "--role", "intel_officer", "--kabupaten", "21.71,21.01", "--password-file", pwFile}, 0, "intel1 added"},
		{[]string{"add", "--username", "intel1", "--role", "intel_officer", "--kabupaten", "21.71", "--password-file", pwFile}, 1, ""},
		{[]string{"add", "--username", "kanwil", "--role", "kanwil_head", "--province", "21,22", "--password-file", pwFile}, 2, ""},
		{[]string{"add", "--username", "boss", "--role", "root", "--password-file", pwFile}, 2, ""},
		{[]string{"add", "--username", "boss", "--role", "admin", "--password-file", pwFile}, 0, "boss added"},
		{[]string{"list"}, 0, "intel1    intel_officer  21.71,21.01  active"},
		{[]string{"disable", "--username", "intel1"}, 0, "disabled"},
		{[]string{"list"}, 0, "disabled"},
		{[]string{"disable", "--username", "nobody"}, 1, ""},
		{[]string{"passwd", "--username", "boss", "--password-file", pwFile}, 0, "password of boss changed"},
		{[]string{"token", "add", "--username", "boss", "--name", "ci", "--expires", "30d"}, 0, auth.TokenPrefix},
		{[]string{"token", "add", "--username", "boss", "--name", "ci"}, 1, ""},
		{[]string{"token", "revoke", "--username", "boss", "--name", "ci"}, 0, "revoked"},
		{[]string{"scope", "--username", "intel1", "--role", "planner", "--province", "53"}, 0, "now planner"},
		{[]string{"frobnicate", "--username", "x1"}, 2, ""},
		{[]string{}, 2, ""},
	}
	for _, tc := range tests {
		code, out, errs := run(tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) {
			t.Errorf("user %v = %d, %q (stderr %q); want %d and %q", tc.args, code, out, errs, tc.code, tc.out)
		}
	}
	// a too-short password is refused
	_ = os.WriteFile(pwFile, []byte("short\n"), 0o600)
	if code, _, _ := run("add", "--username", "p1", "--role", "partner", "--kabupaten", "21.01", "--password-file", pwFile); code != 2 {
		t.Errorf("short password: exit %d, want 2", code)
	}
	st, _ := auth.NewStore(pool)
	u, err := st.UserByName(context.Background(), "boss")
	if err != nil || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Fatalf("stored hash %q, %v", u.PasswordHash, err)
	}
}
