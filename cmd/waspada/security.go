package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"net"

	"github.com/jackc/pgx/v5/pgxpool"

	httpapp "github.com/waspada-id/waspada/internal/app"
	"github.com/waspada-id/waspada/internal/auth"
	"github.com/waspada-id/waspada/internal/store"
)

// securityFlags are serve's flags for TLS, cookies and limits.
type securityFlags struct {
	tlsCert, tlsKey *string
	secureCookies   *bool
	noRateLimit     *bool
	tls             *tls.Config
}

func (a *app) addSecurityFlags(fs *flag.FlagSet) *securityFlags {
	return &securityFlags{
		tlsCert:       fs.String("tls-cert", "", "PEM certificate file: serve HTTPS (with --tls-key)"),
		tlsKey:        fs.String("tls-key", "", "PEM private key file for --tls-cert"),
		secureCookies: fs.Bool("secure-cookies", false, "mark cookies Secure without --tls-cert (behind a TLS-terminating proxy)"),
		noRateLimit:   fs.Bool("no-rate-limit", false, "disable per-user/per-IP rate limits (load tests from one address only)"),
	}
}

// load checks the TLS files before anything else starts.
func (sf *securityFlags) load() error {
	c, err := auth.TLSConfig(*sf.tlsCert, *sf.tlsKey)
	if err != nil {
		return usagef("%v", err)
	}
	sf.tls = c
	return nil
}

// appPool opens the pool the server runs on, as the non-superuser role
// waspada_app (auth.AppDatabaseURL), which cannot change the audit log.
func (a *app) appPool(ctx context.Context, admin *pgxpool.Pool, maxConns int32) (*pgxpool.Pool, error) {
	url, err := store.ResolveURL(ctx, a.log)
	if err != nil {
		return nil, err
	}
	appURL, restricted, err := auth.AppDatabaseURL(ctx, admin, url)
	if err != nil {
		return nil, err
	}
	if !restricted {
		a.log.Warn("serving as the database role that owns the schema: the audit log is protected by its trigger only; " +
			"set WASPADA_APP_DATABASE_URL to a role without UPDATE/DELETE on audit_log (see internal/auth/approle.go)")
	}
	pool, err := store.Open(ctx, appURL, maxConns)
	if err != nil {
		return nil, fmt.Errorf("connect as the app role: %w", err)
	}
	return pool, nil
}

// listen serves HTTP, or HTTPS when --tls-cert/--tls-key were given.
func (a *app) listen(ctx context.Context, srv *httpapp.App, addr string, sf *securityFlags) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	if sf.tls != nil {
		a.log.Info("TLS enabled", "addr", "https://"+ln.Addr().String())
		ln = tls.NewListener(ln, sf.tls)
	}
	return srv.Serve(ctx, ln)
}
