package importer

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/internal/refdata"
)

// ReferenceReport says what a reference import did.
type ReferenceReport struct {
	Areas         []LevelCount // per level: features, repaired, empty after repair
	AreaChanged   []AreaChange // kabupaten whose repair changed the area by > 1 %
	Derived       []string     // provinces dissolved from their kabupaten ("63 Kalimantan Selatan")
	Skipped       []string     // codes skipped, with reason
	Villages      int          // centroid rows inserted or changed
	VillagePolys  int          // village polygons attached or changed
	Ports         PortCount
	PortsUnplaced []string // "id name: reason"
	Neighbours    int      // countries around Indonesia (map context)
	Duration      time.Duration
}

// LevelCount counts one boundary level.
type LevelCount struct {
	Level                     string
	Features, Repaired, Empty int
}

// AreaChange is a kabupaten whose repair moved its area by more than 1 %.
type AreaChange struct {
	Code, Name       string
	RawKm2, FixedKm2 float64
}

// PortCount summarises the port register's placement.
type PortCount struct{ Total, Unlocated, Offshore, NameMismatch int }

// Print writes the report for a person.
func (r *ReferenceReport) Print(w io.Writer) {
	fmt.Fprintf(w, "reference import finished in %s\n", r.Duration.Round(time.Millisecond))
	for _, l := range r.Areas {
		fmt.Fprintf(w, "  %-10s %6d features, %5d repaired, %d empty after repair\n", l.Level, l.Features, l.Repaired, l.Empty)
	}
	for _, d := range r.Derived {
		fmt.Fprintf(w, "  provinsi %s: missing from the province file, dissolved from its kabupaten\n", d)
	}
	if len(r.AreaChanged) > 0 {
		fmt.Fprintf(w, "  %d kabupaten changed area by more than 1%% when repaired:\n", len(r.AreaChanged))
		for _, c := range r.AreaChanged {
			fmt.Fprintf(w, "    %s %-32s %10.1f km² -> %10.1f km² (%+.1f%%)\n", c.Code, c.Name, c.RawKm2, c.FixedKm2, (c.FixedKm2-c.RawKm2)/c.RawKm2*100)
		}
	}
	for _, s := range r.Skipped {
		fmt.Fprintf(w, "  skipped: %s\n", s)
	}
	fmt.Fprintf(w, "  desa: %d centroid rows written, %d polygons attached\n", r.Villages, r.VillagePolys)
	fmt.Fprintf(w, "  ports: %d in register, %d slightly offshore (assigned to the nearest kabupaten within 25 km), %d with a regency name differing from the location, %d without kabupaten\n",
		r.Ports.Total, r.Ports.Offshore, r.Ports.NameMismatch, r.Ports.Unlocated)
	for _, p := range r.PortsUnplaced {
		fmt.Fprintf(w, "    %s\n", p)
	}
	fmt.Fprintf(w, "  neighbouring countries (map context): %d\n", r.Neighbours)
}

// loadNeighbours replaces the neighbouring countries (ten features: no staging needed).
func (im *Importer) loadNeighbours(ctx context.Context, tx pgx.Tx, dir string) (int, error) {
	ns, err := refdata.Neighbours(dir)
	if err != nil {
		return 0, err
	}
	if len(ns) == 0 {
		return 0, nil // an older data set: keep what is there
	}
	if _, err := tx.Exec(ctx, "DELETE FROM neighbour_country"); err != nil {
		return 0, fmt.Errorf("neighbours: %w", err)
	}
	for _, n := range ns {
		b, err := wkb.Marshal(n.Geometry)
		if err != nil {
			return 0, fmt.Errorf("neighbour %s: %w", n.ISO3, err)
		}
		if _, err := tx.Exec(ctx, im.q.Get("insert_neighbour"), n.ISO3, n.Name, n.NameID, b); err != nil {
			return 0, fmt.Errorf("neighbour %s: %w", n.ISO3, err)
		}
	}
	return len(ns), nil
}

// Reference imports the whole reference data set from dir in one transaction.
// Re-running it with the same files changes nothing.
func (im *Importer) Reference(ctx context.Context, dir string) (*ReferenceReport, error) {
	start := time.Now()
	if err := refdata.Check(dir); err != nil {
		return nil, err
	}
	rep := &ReferenceReport{}
	tx, err := im.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	// Serialise concurrent reference imports: they would otherwise deadlock on upserts.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('waspada-import-reference'))"); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, im.q.Get("create_ref_stage")); err != nil {
		return nil, fmt.Errorf("staging tables: %w", err)
	}
	if err := im.stageAreas(ctx, tx, dir, rep); err != nil {
		return nil, err
	}
	if err := im.stageVillages(ctx, tx, dir); err != nil {
		return nil, err
	}
	if err := im.stagePorts(ctx, tx, dir); err != nil {
		return nil, err
	}
	if rep.Neighbours, err = im.loadNeighbours(ctx, tx, dir); err != nil {
		return nil, err
	}
	im.log.Info("reference data staged", "elapsed", time.Since(start).Round(time.Millisecond))
	if err := im.applyReference(ctx, tx, rep); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("commit reference import: %w", err)
	}
	rep.Duration = time.Since(start)
	return rep, nil
}

func (im *Importer) stageAreas(ctx context.Context, tx pgx.Tx, dir string, rep *ReferenceReport) error {
	files := []struct{ level, file string }{
		{"provinsi", refdata.ProvinsiFile}, {"kabupaten", refdata.KabupatenFile}, {"kecamatan", refdata.KecamatanFile},
	}
	desaFiles, err := refdata.VillageFiles(dir)
	if err != nil {
		return err
	}
	for _, f := range desaFiles {
		files = append(files, struct{ level, file string }{"desa", f})
	}
	for _, f := range files {
		areas, err := refdata.Areas(dir, f.file)
		if err != nil {
			return err
		}
		rows := make([][]any, 0, len(areas))
		for _, a := range areas {
			g, changed := sanitise(a.Geometry)
			if g == nil {
				rep.Skipped = append(rep.Skipped, fmt.Sprintf("%s %s %s: no ring with 4 or more points", f.level, a.Code, a.Name))
				continue
			}
			b, err := wkb.Marshal(g)
			if err != nil {
				return fmt.Errorf("%s %s: encode geometry: %w", f.file, a.Code, err)
			}
			var lon, lat any
			if a.Centroid != (orb.Point{}) {
				lon, lat = a.Centroid[0], a.Centroid[1]
			}
			rows = append(rows, []any{f.level, a.Code, a.Name, b, lon, lat, changed})
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"ref_area"},
			[]string{"level", "code", "name", "wkb", "cen_lon", "cen_lat", "sanitised"}, pgx.CopyFromRows(rows)); err != nil {
			return fmt.Errorf("stage %s: %w", f.file, err)
		}
	}
	return nil
}

// sanitise closes open rings and drops rings with fewer than 4 points, which
// PostGIS cannot even parse; everything else is left for ST_MakeValid. It
// returns nil when nothing polygonal is left, and whether anything changed.
func sanitise(g orb.Geometry) (orb.MultiPolygon, bool) {
	var polys []orb.Polygon
	switch t := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{t}
	case orb.MultiPolygon:
		polys = t
	default:
		return nil, false
	}
	changed := false
	var out orb.MultiPolygon
	for _, p := range polys {
		var np orb.Polygon
		for i, r := range p {
			if len(r) > 0 && r[0] != r[len(r)-1] {
				r = append(append(orb.Ring{}, r...), r[0])
				changed = true
			}
			if len(r) < 4 {
				changed = true
				if i == 0 {
					break // the shell is gone: so are its holes
				}
				continue
			}
			np = append(np, r)
		}
		if len(np) > 0 {
			out = append(out, np)
		}
	}
	if len(out) == 0 {
		return nil, true
	}
	return out, changed
}

func (im *Importer) stageVillages(ctx context.Context, tx pgx.Tx, dir string) error {
	vs, err := refdata.Villages(dir)
	if err != nil {
		return err
	}
	rows := make([][]any, len(vs))
	for i, v := range vs {
		c := h3.LatLngToCell(h3.LatLng{Lat: v.Point[1], Lng: v.Point[0]}, 9)
		rows[i] = []any{v.Code, v.Name, v.Point[0], v.Point[1], int64(c)}
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"ref_village"}, []string{"code", "name", "lon", "lat", "h3"}, pgx.CopyFromRows(rows)); err != nil {
		return fmt.Errorf("stage villages: %w", err)
	}
	return nil
}

// PortKind maps the register's category to the schema's port kind.
func PortKind(category string) (string, bool) {
	switch strings.TrimSpace(category) {
	case "Pelabuhan Utama Diusahakan":
		return "main", true
	case "Pelabuhan Umum Tidak Diusahakan":
		return "public", true
	case "Terminal Khusus":
		return "special_terminal", true
	case "Terminal Untuk Kepentingan Sendiri":
		return "private_terminal", true
	}
	return "", false
}

func (im *Importer) stagePorts(ctx context.Context, tx pgx.Tx, dir string) error {
	ps, err := refdata.Ports(dir)
	if err != nil {
		return err
	}
	rows := make([][]any, 0, len(ps))
	seen := map[string]bool{}
	for i, p := range ps {
		kind, ok := PortKind(p.Category)
		if !ok {
			return fmt.Errorf("%s feature %d (%s): unknown category %q", refdata.PortsFile, i, p.Name, p.Category)
		}
		// A stable id from the entry's content, so re-imports update in place. The
		// register lists some terminals twice with the same name and place but
		// another authority; both are kept, the second with a suffix.
		key := strings.Join([]string{p.Name, p.Category, p.Operator, p.Authority, p.Regency, p.Province, p.UNLocode,
			strconv.FormatFloat(p.Point[0], 'f', 6, 64), strconv.FormatFloat(p.Point[1], 'f', 6, 64)}, "|")
		sum := sha1.Sum([]byte(key))
		id := "REF-" + hex.EncodeToString(sum[:5])
		for n := 2; seen[id]; n++ {
			id = "REF-" + hex.EncodeToString(sum[:5]) + "-" + strconv.Itoa(n)
		}
		seen[id] = true
		c := h3.LatLngToCell(h3.LatLng{Lat: p.Point[1], Lng: p.Point[0]}, 9)
		rows = append(rows, []any{id, p.Name, kind, p.Category, p.UNLocode, p.Operator, p.Authority, p.Regency, p.Province, p.Point[0], p.Point[1], int64(c)})
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{"ref_port"},
		[]string{"id", "name", "kind", "category", "unlocode", "operator", "authority", "regency", "province", "lon", "lat", "h3"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("stage ports: %w", err)
	}
	return nil
}

func (im *Importer) applyReference(ctx context.Context, tx pgx.Tx, rep *ReferenceReport) error {
	step := func(name string, args ...any) error {
		t := time.Now()
		if _, err := tx.Exec(ctx, im.q.Get(name), args...); err != nil {
			return fmt.Errorf("reference import, %s: %w", name, err)
		}
		im.log.Debug("reference step", "step", name, "elapsed", time.Since(t).Round(time.Millisecond))
		return nil
	}
	if err := step("repair_areas"); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, im.q.Get("ref_area_report"))
	if err != nil {
		return err
	}
	for rows.Next() {
		var l LevelCount
		if err := rows.Scan(&l.Level, &l.Features, &l.Repaired, &l.Empty); err != nil {
			return err
		}
		rep.Areas = append(rep.Areas, l)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = tx.Query(ctx, im.q.Get("ref_area_changed"))
	if err != nil {
		return err
	}
	rep.AreaChanged, err = pgx.CollectRows(rows, pgx.RowToStructByPos[AreaChange])
	if err != nil {
		return fmt.Errorf("area change report: %w", err)
	}
	if err := step("upsert_provinsi"); err != nil {
		return err
	}
	codes, names := provinceNames()
	rows, err = tx.Query(ctx, im.q.Get("derive_missing_provinsi"), codes, names)
	if err != nil {
		return fmt.Errorf("derive provinces: %w", err)
	}
	// RETURNING lists only provinces inserted or changed; report every derived one.
	rows.Close()
	if err := tx.QueryRow(ctx, "SELECT coalesce(array_agg(code || ' ' || name ORDER BY code), '{}') FROM provinsi WHERE derived").Scan(&rep.Derived); err != nil {
		return err
	}
	if err := step("upsert_kabupaten"); err != nil {
		return err
	}
	if err := step("rebuild_kabupaten_part"); err != nil {
		return err
	}
	var n int
	var skipped []string
	if err := tx.QueryRow(ctx, im.q.Get("upsert_kecamatan")).Scan(&n, &skipped); err != nil {
		return fmt.Errorf("kecamatan: %w", err)
	}
	for _, c := range skipped {
		rep.Skipped = append(rep.Skipped, "kecamatan "+c+": unknown kabupaten or empty after repair")
	}
	if err := tx.QueryRow(ctx, im.q.Get("upsert_desa")).Scan(&rep.Villages, &skipped); err != nil {
		return fmt.Errorf("desa: %w", err)
	}
	for _, c := range skipped {
		rep.Skipped = append(rep.Skipped, "desa "+c+": unknown kabupaten")
	}
	if err := tx.QueryRow(ctx, im.q.Get("update_desa_polygons")).Scan(&rep.VillagePolys, &skipped); err != nil {
		return fmt.Errorf("desa polygons: %w", err)
	}
	for _, c := range skipped {
		rep.Skipped = append(rep.Skipped, "desa polygon "+c+": no such village in the centroid list")
	}
	if err := step("upsert_ref_ports"); err != nil {
		return err
	}
	if err := step("delete_stale_ports"); err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, im.q.Get("port_report")).Scan(&rep.Ports.Total, &rep.Ports.Unlocated, &rep.Ports.Offshore, &rep.Ports.NameMismatch); err != nil {
		return fmt.Errorf("port report: %w", err)
	}
	rows, err = tx.Query(ctx, im.q.Get("port_unlocated"))
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, name, note string
		if err := rows.Scan(&id, &name, &note); err != nil {
			return err
		}
		rep.PortsUnplaced = append(rep.PortsUnplaced, id+" "+name+": "+note)
	}
	return rows.Err()
}

// provinceNames names Indonesia's 38 provinces by Kemendagri code. Only used to
// name provinces that have to be derived because their polygon is missing.
func provinceNames() (codes, names []string) {
	list := [][2]string{
		{"11", "Aceh"}, {"12", "Sumatera Utara"}, {"13", "Sumatera Barat"}, {"14", "Riau"}, {"15", "Jambi"},
		{"16", "Sumatera Selatan"}, {"17", "Bengkulu"}, {"18", "Lampung"}, {"19", "Kepulauan Bangka Belitung"},
		{"21", "Kepulauan Riau"}, {"31", "DKI Jakarta"}, {"32", "Jawa Barat"}, {"33", "Jawa Tengah"},
		{"34", "DI Yogyakarta"}, {"35", "Jawa Timur"}, {"36", "Banten"}, {"51", "Bali"}, {"52", "Nusa Tenggara Barat"},
		{"53", "Nusa Tenggara Timur"}, {"61", "Kalimantan Barat"}, {"62", "Kalimantan Tengah"}, {"63", "Kalimantan Selatan"},
		{"64", "Kalimantan Timur"}, {"65", "Kalimantan Utara"}, {"71", "Sulawesi Utara"}, {"72", "Sulawesi Tengah"},
		{"73", "Sulawesi Selatan"}, {"74", "Sulawesi Tenggara"}, {"75", "Gorontalo"}, {"76", "Sulawesi Barat"},
		{"81", "Maluku"}, {"82", "Maluku Utara"}, {"91", "Papua"}, {"92", "Papua Barat"}, {"93", "Papua Selatan"},
		{"94", "Papua Tengah"}, {"95", "Papua Pegunungan"}, {"96", "Papua Barat Daya"},
	}
	for _, p := range list {
		codes = append(codes, p[0])
		names = append(names, p[1])
	}
	return codes, names
}
