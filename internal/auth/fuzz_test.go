package auth

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzSafeNext: whatever the next= parameter, the post-login redirect stays on
// this server (a path, never a scheme, host or protocol-relative URL).
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/", "/peta?x=1", "//evil.example", "/\\evil", "https://evil", "/%2F%2Fevil", "\t//evil", "/\r\nSet-Cookie: x", "/login?next=//x", "", "/\t/evil.example", "/\x00x", "/ok\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\r\n") {
			t.Fatalf("safeNext(%q) = %q: not a local path", next, got)
		}
		// What a browser does before parsing: drop every tab and newline
		// (WHATWG URL), then it must still be a path on this server.
		stripped := strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, got)
		if strings.HasPrefix(stripped, "//") || strings.ContainsAny(got, "\x00\x7f") {
			t.Fatalf("safeNext(%q) = %q: a browser would read %q", next, got, stripped)
		}
		u, err := url.Parse(got)
		if err == nil && (u.Host != "" || u.Scheme != "") {
			t.Fatalf("safeNext(%q) = %q: leaves the server (%q)", next, got, u.Host)
		}
	})
}

// FuzzVerifyPassword: a stored hash from a tampered row never panics, never
// matches unless well-formed, and never makes argon2 use unbounded memory
// (the parameters are bounded before hashing).
func FuzzVerifyPassword(f *testing.F) {
	good, _ := HashPassword("correct horse battery", Params{Memory: 64, Time: 1, Threads: 1})
	f.Add(good, "correct horse battery")
	f.Add("$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "x")
	f.Add("$argon2id$v=19$m=64,t=1,p=255$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5a2V5", "x")
	f.Add("$$$$$", "")
	f.Fuzz(func(t *testing.T, encoded, pw string) {
		p, _, _, err := decodeHash(encoded)
		if err == nil && (p.Memory > 1<<20 || p.Time > 16) {
			t.Fatalf("decodeHash(%q) accepted unbounded parameters %+v", encoded, p)
		}
		if err == nil && p.Memory > 4096 {
			return // valid but too slow to hash in a fuzz loop
		}
		ok, err := VerifyPassword(encoded, pw)
		if ok && err != nil {
			t.Fatal("match with an error")
		}
	})
}
