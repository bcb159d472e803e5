package main

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/api"
	"github.com/waspada-id/waspada/internal/glyphs"
	"github.com/waspada-id/waspada/internal/server"
	"github.com/waspada-id/waspada/internal/webui"
)

// mountWeb adds the map's JSON API (/api/...), the offline label glyphs
// (/fonts/...) and the built front end (/, /assets/...) to the server.
func (a *app) mountWeb(srv *server.Server, pool *pgxpool.Pool, webDir string, dbTimeout time.Duration) error {
	if err := api.Register(srv.Router(), api.Deps{Pool: pool, Log: a.log, Timeout: dbTimeout}); err != nil {
		return err
	}
	gs, err := glyphs.New(glyphs.DefaultFonts())
	if err != nil {
		return err
	}
	srv.Mount(glyphs.Prefix, gs)
	dir, err := webui.FindDir(webDir)
	if err != nil {
		// Still serve tiles and the API; the page itself says how to build the map.
		a.log.Warn("front end not built", "err", err)
	} else {
		a.log.Info("serving the map front end", "dir", dir)
	}
	webui.New(dir).Register(srv.Router())
	return nil
}
