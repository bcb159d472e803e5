package subject_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/waspada-id/waspada/geo/tilemath"
	"github.com/waspada-id/waspada/internal/importer"
	"github.com/waspada-id/waspada/internal/subject"
	"github.com/waspada-id/waspada/internal/testdb"
)

const stays = `id,nationality,permit_type,permit_expiry,arrival_date,address_kind,hotel_name,check_in,check_out,reported_on,worksite_id,full_name,passport_number,lat,lon
RES-1,AUS,VOA,2026-04-14,2026-03-15,hotel,Hotel Pantai Indah,2026-03-15,2026-03-20,2026-03-15,,Jane Doe,PA1234567,-8.5069,119.8770
RES-2,AUS,ITAS,2027-04-14,2026-05-01,residence,,,,2026-05-02,,Jane Doe,pa1234567,-2.8342,122.1501
RES-3,CHN,ITAS,2027-01-31,2026-02-01,residence,,,,2026-02-03,,Li Wei,E12345678,-2.8350,122.1510
`

func TestSubjectReport(t *testing.T) {
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
	if rep, err := im.File(ctx, "residences", path, false); err != nil || !rep.OK() {
		t.Fatalf("import: %v", err)
	}
	for _, q := range []string{
		`INSERT INTO app_user (username, password_hash, role) VALUES ('dpo', '$argon2id$x', 'admin')`,
		`INSERT INTO app_user (username, password_hash, role, provinces) VALUES ('planner', '$argon2id$x', 'planner', '{53}')`,
		`INSERT INTO app_user (username, password_hash, role, disabled) VALUES ('old.admin', '$argon2id$x', 'admin', true)`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// Audited accesses: the residents tile over RES-1 (hits), the same zoom a
	// tile away (misses), an incidents-only tile over RES-1 (misses), an
	// operation plan over RES-2's kabupaten (hits), one with a bounding box
	// around RES-1 (hits), one far away (misses).
	hit := tilemath.TileAt(15, 119.8770, -8.5069)
	miss := hit
	miss.X++
	kab2 := ""
	if err := pool.QueryRow(ctx, "SELECT kabupaten_code FROM resident WHERE id = 'RES-2'").Scan(&kab2); err != nil {
		t.Fatal(err)
	}
	ins := `INSERT INTO audit_log (at, user_id, username, role, action, method, route, layer, tile, area, rows_returned, detail)
		VALUES ('2026-06-01', 7, $1, 'intel_officer', 'personal', 'GET', $2, $3, $4, $5, 1, $6)`
	for _, a := range []struct {
		user, route, layer, tile, area string
		detail                         map[string]any
	}{
		{"intel.hit", "/tiles/{tileset}/{z}/{x}/{y}.mvt", "operational", hit.String(), "", map[string]any{"layers": []string{"residents"}}},
		{"intel.miss", "/tiles/{tileset}/{z}/{x}/{y}.mvt", "operational", miss.String(), "", map[string]any{"layers": []string{"residents"}}},
		{"intel.incidents", "/tiles/{tileset}/{z}/{x}/{y}.mvt", "operational", hit.String(), "", map[string]any{"layers": []string{"incidents"}}},
		{"intel.kab", "/api/workflow/operation", "operation", "", kab2, map[string]any{"kabupaten": []string{kab2}, "bbox": []float64{0, 0, 0, 0}}},
		{"intel.bbox", "/api/workflow/operation", "operation", "", "polygon", map[string]any{"kabupaten": []string{}, "bbox": []float64{119.8, -8.6, 119.9, -8.4}}},
		{"intel.far", "/api/workflow/operation", "operation", "", "polygon", map[string]any{"kabupaten": []string{"11.01"}, "bbox": []float64{95, 5, 96, 6}}},
	} {
		if _, err := pool.Exec(ctx, ins, a.user, a.route, a.layer, a.tile, a.area, a.detail); err != nil {
			t.Fatal(err)
		}
	}

	for _, who := range []string{"planner", "old.admin", "nobody"} {
		if _, err := subject.Build(ctx, pool, "PA1234567", who, "csv"); !errors.Is(err, subject.ErrNotAdmin) {
			t.Errorf("report as %s: %v, want ErrNotAdmin", who, err)
		}
	}
	rep, err := subject.Build(ctx, pool, " pa 1234567", "DPO", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Records) != 2 || rep.Records[0].ID != "RES-1" || rep.Records[1].ID != "RES-2" {
		t.Fatalf("records %+v, want RES-1 and RES-2 (case and spaces of the passport ignored)", rep.Records)
	}
	var who []string
	for _, a := range rep.Accesses {
		who = append(who, a.Username+":"+a.RecordID)
	}
	if got := strings.Join(who, ","); got != "intel.hit:RES-1,intel.kab:RES-2,intel.bbox:RES-1" {
		t.Errorf("accesses %s, want intel.hit:RES-1,intel.kab:RES-2,intel.bbox:RES-1", got)
	}
	if len(rep.Imports) != 4 { // two records, each resident and resident_identity
		t.Errorf("%d import entries, want 4", len(rep.Imports))
	}
	if rep.SubjectID == "" {
		t.Fatal("no subject id")
	}
	// The report is audited under the subject id, never the passport number.
	var detail string
	if err := pool.QueryRow(ctx, "SELECT detail::text FROM audit_log WHERE route = 'waspada subject report' AND username = 'dpo'").Scan(&detail); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(detail, rep.SubjectID) || strings.Contains(strings.ToUpper(detail), "PA1234567") {
		t.Errorf("audit detail %s: want the subject id and no passport", detail)
	}
	// A second report lists the first among the accesses, by subject id.
	rep2, err := subject.Build(ctx, pool, "PA1234567", "dpo", "csv")
	if err != nil {
		t.Fatal(err)
	}
	if rep2.SubjectID != rep.SubjectID || len(rep2.Accesses) != 4 || rep2.Accesses[3].Why != "names the subject id" {
		t.Errorf("second report: subject %s (want %s), accesses %+v", rep2.SubjectID, rep.SubjectID, rep2.Accesses)
	}

	var b strings.Builder
	if err := rep.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatalf("report is not CSV: %v", err)
	}
	want := map[string]bool{"record|RES-1|full_name|Jane Doe": false, "record|RES-2|passport_number|pa1234567": false,
		"record|RES-1|hotel_name|Hotel Pantai Indah": false, "access|audit #1|username|intel.hit": false}
	for _, r := range rows {
		if len(r) != 4 {
			t.Fatalf("row %v: want 4 columns", r)
		}
		k := strings.Join(r, "|")
		if _, ok := want[k]; ok {
			want[k] = true
		}
		if strings.Contains(k, "Li Wei") {
			t.Errorf("another person's data in the report: %v", r)
		}
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("report lacks %s", k)
		}
	}
	var pdf bytes.Buffer
	if err := rep.WritePDF(&pdf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	if text := pdfText(t, pdf.Bytes()); text != "" {
		for _, w := range []string{"Jane Doe", "RES-1", "RES-2", "Hotel Pantai Indah", "intel.hit", "intel.bbox"} {
			if !strings.Contains(text, w) {
				t.Errorf("PDF lacks %q", w)
			}
		}
		if strings.Contains(text, "Li Wei") || strings.Contains(text, "intel.miss") {
			t.Error("PDF shows another person's data or an unrelated access")
		}
	}

	// Nobody by that passport: an empty report, no subject id created.
	none, err := subject.Build(ctx, pool, "X0000000", "dpo", "csv")
	if err != nil || len(none.Records) != 0 || none.SubjectID != "" {
		t.Errorf("unknown passport: %+v %v", none, err)
	}
}

// pdfText extracts the PDF's text with poppler's pdftotext ("" when it is
// missing outside CI; CI has it).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext (poppler-utils) missing")
		}
		t.Log("pdftotext missing: PDF text not checked")
		return ""
	}
	p := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(p, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", p, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}
