package retention_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waspada-id/waspada/internal/backup"
	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/importlog"
	"github.com/waspada-id/waspada/internal/oplog"
	"github.com/waspada-id/waspada/internal/retention"
	"github.com/waspada-id/waspada/internal/testdb"
)

const header = "id,nationality,permit_type,permit_expiry,arrival_date,address_kind,hotel_name,check_in,check_out,reported_on,worksite_id,full_name,passport_number,lat,lon\n"

// As of 2026-12-01 with the default policy (24 / 60 months): OLD-H1 left its
// hotel 2024-03 (past), NEW-H2 2025-06 (kept), OLD-R1's permit ended 2020-06
// (past), NEW-R2's 2023-01 (kept), OPEN-H3 never checked out and its permit
// ended 2024-01 (past).
const stays = header +
	"OLD-H1,AUS,VOA,2024-04-01,2024-03-01,hotel,Hotel Pantai Indah,2024-03-01,2024-03-05,2024-03-01,,Jane Doe,PA1234567,-8.5069,119.8770\n" +
	"NEW-H2,AUS,VOA,2025-07-01,2025-06-01,hotel,Hotel Pantai Indah,2025-06-01,2025-06-04,2025-06-01,,Jane Doe,PA1234567,-8.5069,119.8770\n" +
	"OLD-R1,CHN,ITAS,2020-06-30,2019-07-01,residence,,,,2019-07-02,,Li Wei,E12345678,-2.8342,122.1501\n" +
	"NEW-R2,CHN,ITAS,2023-01-31,2022-02-01,residence,,,,2022-02-02,,Wang Fang,E87654321,-2.8350,122.1510\n" +
	"OPEN-H3,MYS,VOA,2024-01-31,2024-01-01,hotel,Hotel Laut,2024-01-02,,2024-01-02,,Ahmad Bin Ali,A9988776,-8.5000,119.8800\n"

// aggregates is what the risk model and the briefs read: stays per H3 cell,
// kind, nationality, permit and month of their start and end.
const aggregates = `SELECT string_agg(x, ';' ORDER BY x) FROM (
	SELECT concat_ws('|', h3_r9, kabupaten_code, address_kind, nationality, permit_type, m0, m1, count(*)) AS x
	FROM (SELECT *, to_char(CASE WHEN address_kind = 'hotel' THEN check_in ELSE arrival_date END, 'YYYY-MM') AS m0,
	             to_char(CASE WHEN address_kind = 'hotel' THEN coalesce(check_out, permit_expiry) ELSE permit_expiry END, 'YYYY-MM') AS m1
	      FROM resident) r
	GROUP BY h3_r9, kabupaten_code, address_kind, nationality, permit_type, m0, m1) s`

func str(t *testing.T, pool *pgxpool.Pool, q string, args ...any) string {
	t.Helper()
	var s *string
	if err := pool.QueryRow(context.Background(), q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	if s == nil {
		return ""
	}
	return *s
}

func fingerprint(t *testing.T, pool *pgxpool.Pool) []backup.TableSum {
	t.Helper()
	s, err := backup.Fingerprint(context.Background(), pool)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestRetention(t *testing.T) {
	pool := testdb.Reference(t)
	ctx := context.Background()
	im, err := importer.New(pool, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "stays.csv")
	if err := os.WriteFile(path, []byte(stays), 0o644); err != nil {
		t.Fatal(err)
	}
	imp, err := im.File(ctx, "residences", path, false)
	if err != nil || !imp.OK() {
		t.Fatalf("import: %v %v", err, imp.Errors)
	}
	// An access report made a data subject of Li Wei (retention must unlink it).
	if _, err := pool.Exec(ctx, "INSERT INTO data_subject (passport_number) VALUES ('E12345678'), ('PA1234567')"); err != nil {
		t.Fatal(err)
	}
	asOf := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	by := oplog.Actor{Name: "dpo"}
	aggBefore := str(t, pool, aggregates)
	before := fingerprint(t, pool)

	dry, err := retention.Apply(ctx, pool, asOf, true, by)
	if err != nil {
		t.Fatal(err)
	}
	if dry.HotelStays != 2 || dry.Residences != 1 || dry.Identities != 3 {
		t.Errorf("dry run found %d hotel stays, %d residences, %d identities; want 2, 1, 3", dry.HotelStays, dry.Residences, dry.Identities)
	}
	if d := backup.Diff(before, fingerprint(t, pool)); len(d) > 0 {
		t.Fatalf("the dry run changed the database: %v", d)
	}

	rep, err := retention.Apply(ctx, pool, asOf, false, by)
	if err != nil {
		t.Fatal(err)
	}
	if rep.HotelStays != dry.HotelStays || rep.Residences != dry.Residences || rep.Identities != dry.Identities {
		t.Errorf("apply did %+v, the dry run said %+v", rep, dry)
	}
	// Only the kept stays still have names; Jane Doe keeps her recent stay.
	if got := str(t, pool, "SELECT string_agg(resident_id || ':' || full_name, ',' ORDER BY resident_id) FROM resident_identity"); got != "NEW-H2:Jane Doe,NEW-R2:Wang Fang" {
		t.Errorf("identities left: %q", got)
	}
	if got := str(t, pool, "SELECT string_agg(id, ',' ORDER BY id) FROM resident WHERE id NOT LIKE 'anon-%'"); got != "NEW-H2,NEW-R2" {
		t.Errorf("office ids left: %q, want the kept stays only", got)
	}
	if got := str(t, pool, "SELECT count(*)::text FROM resident r JOIN retained_resident x ON x.resident_id = r.id WHERE r.id LIKE 'anon-%'"); got != "3" {
		t.Errorf("%s retained stays recorded, want 3", got)
	}
	// Counts per cell and month are what they were.
	if got := str(t, pool, aggregates); got != aggBefore {
		t.Errorf("aggregates changed:\n before %s\n after  %s", aggBefore, got)
	}
	// The point is now the cell's centre: within the 0.1 km² cell, no longer the address.
	if got := str(t, pool, `SELECT bool_and(ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(122.1501, -2.8342), 4326)::geography) BETWEEN 0.01 AND 400)::text
		FROM resident WHERE id LIKE 'anon-%' AND nationality = 'CHN'`); got != "true" {
		t.Errorf("retained residence point not moved to its cell centre (within 400 m): %s", got)
	}
	// No copy kept for undo still holds a name or a retained office id.
	if got := str(t, pool, `SELECT count(*)::text FROM import_row WHERE prior::text LIKE '%Li Wei%' OR prior::text LIKE '%Ahmad%' OR key IN ('OLD-H1', 'OLD-R1', 'OPEN-H3')`); got != "0" {
		t.Errorf("%s undo copies still hold retained data", got)
	}
	if got := str(t, pool, "SELECT string_agg(passport_number, ',' ORDER BY 1) FROM data_subject"); got != "PA1234567" {
		t.Errorf("data subjects left: %q, want PA1234567 only (Li Wei has no record with a name any more)", got)
	}
	if rep.SubjectsUnlinks != 1 {
		t.Errorf("%d subjects unlinked, want 1", rep.SubjectsUnlinks)
	}
	if got := str(t, pool, `SELECT (detail->>'identities_deleted') || '/' || (detail->>'run_id') FROM audit_log WHERE route = 'waspada retention apply' AND username = 'dpo'`); got != "3/"+strconv.FormatInt(rep.RunID, 10) {
		t.Errorf("audit of the run: %q", got)
	}
	// The import cannot be undone any more: that would bring names back.
	_, err = importlog.Undo(ctx, pool, imp.ImportID, by)
	var ce *importlog.ConflictError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "retention run") {
		t.Errorf("undo after retention: %v, want a refusal naming the retention run", err)
	}
	// A second run finds nothing.
	again, err := retention.Apply(ctx, pool, asOf, false, by)
	if err != nil {
		t.Fatal(err)
	}
	if again.HotelStays+again.Residences+again.Identities != 0 {
		t.Errorf("second run did %+v, want nothing", again)
	}
}

func TestPolicy(t *testing.T) {
	pool := testdb.Empty(t)
	ctx := context.Background()
	p, err := retention.Get(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if p.HotelStayMonths != 24 || p.ResidentMonths != 60 {
		t.Fatalf("default policy %+v, want 24 and 60 months", p)
	}
	if err := retention.Set(ctx, pool, retention.Policy{HotelStayMonths: 0, ResidentMonths: 60}, oplog.Actor{Name: "dpo"}); err == nil {
		t.Error("a zero retention period was accepted")
	}
	if err := retention.Set(ctx, pool, retention.Policy{HotelStayMonths: 12, ResidentMonths: 36}, oplog.Actor{Name: "dpo"}); err != nil {
		t.Fatal(err)
	}
	if p, _ = retention.Get(ctx, pool); p.HotelStayMonths != 12 || p.ResidentMonths != 36 || p.UpdatedBy != "dpo" {
		t.Errorf("policy after set: %+v", p)
	}
	if got := str(t, pool, "SELECT detail->'was'->>'hotel_stay_months' FROM audit_log WHERE route = 'waspada retention policy'"); got != "24" {
		t.Errorf("policy change audit keeps the old value %q, want 24", got)
	}
}
