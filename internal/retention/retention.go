// Package retention removes personal data that is past the retention policy
// (migrations/031_retention.sql) while keeping what the risk model and the
// aggregates need: a stay past the policy loses its identity (name, passport,
// birth date, sex), its office record id (replaced by a random one) and its
// exact point (moved to the centre of its H3 cell); its cell, kabupaten,
// nationality, permit type and dates stay, so counts per cell and month do not
// change. The copies that import undo keeps are scrubbed too, and the data
// subjects that no record names any more are unlinked from the audit log.
package retention

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/internal/importlog"
	"github.com/waspada-id/waspada/internal/oplog"
)

// Policy is how long personal data of a stay is kept.
type Policy struct {
	HotelStayMonths int       // after check-out (after permit expiry while not checked out)
	ResidentMonths  int       // after the permit's expiry
	UpdatedAt       time.Time // when the policy was last set
	UpdatedBy       string
}

// Validate checks the bounds the table enforces, with a readable message.
func (p Policy) Validate() error {
	if p.HotelStayMonths < 1 || p.HotelStayMonths > 1200 || p.ResidentMonths < 1 || p.ResidentMonths > 1200 {
		return fmt.Errorf("retention periods must be 1–1200 months (got hotel stays %d, residents %d)", p.HotelStayMonths, p.ResidentMonths)
	}
	return nil
}

// Get reads the policy in force.
func Get(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (Policy, error) {
	var p Policy
	err := q.QueryRow(ctx, "SELECT hotel_stay_months, resident_months, updated_at, updated_by FROM retention_policy").
		Scan(&p.HotelStayMonths, &p.ResidentMonths, &p.UpdatedAt, &p.UpdatedBy)
	if err != nil {
		return p, fmt.Errorf("read the retention policy: %w", err)
	}
	return p, nil
}

// Set changes the policy, audited.
func Set(ctx context.Context, pool *pgxpool.Pool, p Policy, by oplog.Actor) error {
	if err := p.Validate(); err != nil {
		return err
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	old, err := Get(ctx, tx)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, "UPDATE retention_policy SET hotel_stay_months = $1, resident_months = $2, updated_at = now(), updated_by = $3",
		p.HotelStayMonths, p.ResidentMonths, by.Name); err != nil {
		return fmt.Errorf("set the retention policy: %w", err)
	}
	if err := oplog.RecordTx(ctx, tx, by, "waspada retention policy", oplog.Entry{Action: oplog.Admin, Layer: "retention",
		Detail: map[string]any{"hotel_stay_months": p.HotelStayMonths, "resident_months": p.ResidentMonths,
			"was": map[string]any{"hotel_stay_months": old.HotelStayMonths, "resident_months": old.ResidentMonths}}}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Report is what a run found (dry run) or did.
type Report struct {
	DryRun          bool
	AsOf            time.Time
	Policy          Policy
	HotelCutoff     time.Time // hotel stays that ended before this day are past the policy
	ResidentCutoff  time.Time // residences whose permit ended before this day are past the policy
	HotelStays      int       // hotel stays past the policy (pseudonymised unless dry run)
	Residences      int       // residences past the policy
	Identities      int       // resident_identity rows (names, passports) deleted
	UndoCopies      int       // import_row copies scrubbed of the stays' old ids and data
	SubjectsUnlinks int       // data_subject rows deleted: audit rows naming them now lead to nobody
	RunID           int64     // import_log id of the run (0 for a dry run)
}

// Apply applies the policy as of asOf (a day; zero means today) in one
// transaction. A dry run counts and changes nothing.
func Apply(ctx context.Context, pool *pgxpool.Pool, asOf time.Time, dryRun bool, by oplog.Actor) (*Report, error) {
	if asOf.IsZero() {
		asOf = time.Now().UTC()
	}
	asOf = time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC)
	tx, err := pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // the dry run ends here
	if err := importlog.Lock(ctx, tx); err != nil {
		return nil, err
	}
	pol, err := Get(ctx, tx)
	if err != nil {
		return nil, err
	}
	rep := &Report{DryRun: dryRun, AsOf: asOf, Policy: pol,
		HotelCutoff: asOf.AddDate(0, -pol.HotelStayMonths, 0), ResidentCutoff: asOf.AddDate(0, -pol.ResidentMonths, 0)}
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE ret ON COMMIT DROP AS
		SELECT r.id AS old_id, r.h3_r9, r.address_kind, ''::text AS new_id, 0::float8 AS lon, 0::float8 AS lat
		FROM resident r
		WHERE NOT EXISTS (SELECT 1 FROM retained_resident x WHERE x.resident_id = r.id)
		  AND ((r.address_kind = 'hotel' AND coalesce(r.check_out, r.permit_expiry) < $1::date)
		    OR (r.address_kind = 'residence' AND r.permit_expiry < $2::date))`, rep.HotelCutoff, rep.ResidentCutoff); err != nil {
		return nil, fmt.Errorf("find stays past the policy: %w", err)
	}
	if err := tx.QueryRow(ctx, `SELECT count(*) FILTER (WHERE address_kind = 'hotel'), count(*) FILTER (WHERE address_kind = 'residence'),
		(SELECT count(*) FROM resident_identity i JOIN ret ON ret.old_id = i.resident_id) FROM ret`).
		Scan(&rep.HotelStays, &rep.Residences, &rep.Identities); err != nil {
		return nil, err
	}
	if dryRun {
		return rep, nil
	}
	if err := pseudonyms(ctx, tx); err != nil {
		return nil, err
	}
	if err := tx.QueryRow(ctx, `INSERT INTO import_log (kind, source, rows_in, rows_written, report, run_by, undoable)
		VALUES ('retention', $1, $2, $2, $3, $4, false) RETURNING id`,
		fmt.Sprintf("retention as of %s: hotel stays ended before %s, residences whose permit ended before %s",
			asOf.Format("2006-01-02"), rep.HotelCutoff.Format("2006-01-02"), rep.ResidentCutoff.Format("2006-01-02")),
		rep.HotelStays+rep.Residences, map[string]any{"hotel_stay_months": pol.HotelStayMonths, "resident_months": pol.ResidentMonths},
		by.Name).Scan(&rep.RunID); err != nil {
		return nil, fmt.Errorf("record the retention run: %w", err)
	}
	steps := []struct {
		sql   string
		n     *int
		runID bool // takes the run's id as $1
	}{
		{`DELETE FROM resident_identity i USING ret WHERE i.resident_id = ret.old_id`, nil, false},
		{`UPDATE resident r SET id = ret.new_id, geom = ST_SetSRID(ST_MakePoint(ret.lon, ret.lat), 4326)
		  FROM ret WHERE r.id = ret.old_id`, nil, false},
		{`INSERT INTO retained_resident (resident_id, run_id) SELECT new_id, $1 FROM ret`, nil, true},
		// The copies undo keeps of these stays held their old id and, for
		// identities, names and passports: keyed now by the new id, emptied.
		{`UPDATE import_row ir SET key = ret.new_id, prior = NULL
		  FROM ret WHERE ir.tbl IN ('resident', 'resident_identity') AND ir.key = ret.old_id`, &rep.UndoCopies, false},
		// The run's own rows make undo of earlier imports of these stays refuse
		// (and say why) instead of bringing back what the policy removed.
		{`INSERT INTO import_row (import_id, tbl, key, added, prior)
		  SELECT $1, t.tbl, ret.new_id, false, NULL FROM ret, (VALUES ('resident'), ('resident_identity')) t (tbl)`, nil, true},
		{`DELETE FROM data_subject d WHERE NOT EXISTS (SELECT 1 FROM resident_identity i WHERE upper(i.passport_number) = d.passport_number)`, &rep.SubjectsUnlinks, false},
	}
	for _, s := range steps {
		var args []any
		if s.runID {
			args = []any{rep.RunID}
		}
		tag, err := tx.Exec(ctx, s.sql, args...)
		if err != nil {
			return nil, fmt.Errorf("retention: %w", err)
		}
		if s.n != nil {
			*s.n = int(tag.RowsAffected())
		}
	}
	if err := oplog.RecordTx(ctx, tx, by, "waspada retention apply", oplog.Entry{Action: oplog.Admin, Layer: "retention",
		Rows: int64(rep.HotelStays + rep.Residences), Detail: map[string]any{"run_id": rep.RunID, "as_of": asOf.Format("2006-01-02"),
			"hotel_stay_months": pol.HotelStayMonths, "resident_months": pol.ResidentMonths,
			"hotel_stays": rep.HotelStays, "residences": rep.Residences, "identities_deleted": rep.Identities,
			"undo_copies_scrubbed": rep.UndoCopies, "subjects_unlinked": rep.SubjectsUnlinks}}); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit the retention run: %w", err)
	}
	return rep, nil
}

// pseudonyms gives every stay in ret a random id and its H3 cell's centre.
func pseudonyms(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, "SELECT old_id, h3_r9 FROM ret")
	if err != nil {
		return err
	}
	type stay struct {
		old  string
		cell int64
	}
	stays, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (stay, error) {
		var s stay
		err := r.Scan(&s.old, &s.cell)
		return s, err
	})
	if err != nil {
		return fmt.Errorf("read stays past the policy: %w", err)
	}
	if len(stays) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, "CREATE TEMP TABLE ret_new (old_id text PRIMARY KEY, new_id text, lon float8, lat float8) ON COMMIT DROP"); err != nil {
		return err
	}
	i := 0
	var genErr error
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i >= len(stays) {
			return nil, nil
		}
		s := stays[i]
		i++
		b := make([]byte, 12)
		if _, err := rand.Read(b); err != nil {
			genErr = err
			return nil, err
		}
		c := h3.Cell(s.cell)
		if !c.IsValid() {
			return nil, fmt.Errorf("stay %s: invalid H3 cell %x", s.old, s.cell)
		}
		ll := c.LatLng()
		return []any{s.old, "anon-" + hex.EncodeToString(b), ll.Lng, ll.Lat}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"ret_new"}, []string{"old_id", "new_id", "lon", "lat"}, src); err != nil {
		return errors.Join(fmt.Errorf("pseudonyms: %w", err), genErr)
	}
	_, err = tx.Exec(ctx, "UPDATE ret SET new_id = n.new_id, lon = n.lon, lat = n.lat FROM ret_new n WHERE n.old_id = ret.old_id")
	return err
}
