package main

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/server"
	"github.com/waspada-id/waspada/internal/workflow"
)

// mountWorkflow adds the site planner, operation planner and kanwil brief
// under /api/workflow. Their requests (a province-wide MCLP, a PDF with a
// map) are heavier than a tile, so they get their own time limit. Exports and
// personal data go to the request's audit log (audit.Record, installed by
// mountSecurity's middleware).
func (a *app) mountWorkflow(srv *server.Server, pool *pgxpool.Pool) error {
	return workflow.Register(srv.Router(), workflow.Deps{DB: pool, Log: a.log, Timeout: 90 * time.Second})
}
