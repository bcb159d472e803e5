// Package migrations holds the database schema as ordered SQL files, embedded
// into the binary so that `waspada migrate` needs nothing beside it.
package migrations

import "embed"

// FS holds every NNN_name.sql migration, applied in numeric order by tern.
//
//go:embed *.sql
var FS embed.FS
