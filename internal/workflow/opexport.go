package workflow

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/waspada-id/waspada/geo/mapimage"
	"github.com/waspada-id/waspada/internal/access"
)

func (h *handlers) operationExport(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	format := r.URL.Query().Get("format")
	switch format {
	case "csv", "geojson", "pdf":
	default:
		return badRequest("format must be csv, geojson or pdf, got %q", format)
	}
	req, err := decodeOperationRequest(r)
	if err != nil {
		return err
	}
	plan, err := h.planOperation(r.Context(), p, req)
	if err != nil {
		return err
	}
	var body []byte
	var ctype string
	switch format {
	case "csv":
		body, ctype = operationCSV(plan), "text/csv; charset=utf-8"
	case "geojson":
		body, err = operationGeoJSON(plan)
		ctype = "application/geo+json"
	case "pdf":
		body, err = h.operationPDF(r.Context(), plan)
		ctype = "application/pdf"
	}
	if err != nil {
		return err
	}
	// Recorded after rendering (a failed render sends nothing) and before sending.
	if err := h.auditOperation(r.Context(), plan, format); err != nil {
		return err
	}
	download(w, ctype, fmt.Sprintf("operasi-%s.%s", plan.GeneratedAt.Format("20060102-1504"), format), body)
	return nil
}

func detailString(t Target, key string) string {
	if v, ok := t.Detail[key]; ok && v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

func operationCSV(plan *OperationPlan) []byte {
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	head := []string{"team", "seq", "kind", "id", "label", "kabupaten_code", "lat", "lon", "count",
		"nationality", "permit_type", "permit_expiry", "company", "sector"}
	if plan.Personal {
		head = append(head, "full_name", "passport_number")
	}
	_ = cw.Write(head)
	for _, t := range plan.Teams {
		for _, s := range t.Stops {
			row := []string{strconv.Itoa(t.Number), strconv.Itoa(s.Seq), s.Kind, s.ID, s.Label, s.Kabupaten,
				ff(s.Lat, 6), ff(s.Lon, 6), strconv.Itoa(s.Count),
				detailString(s.Target, "nationality"), detailString(s.Target, "permit_type"), detailString(s.Target, "permit_expiry"),
				detailString(s.Target, "company"), detailString(s.Target, "sector")}
			if plan.Personal {
				row = append(row, detailString(s.Target, "full_name"), detailString(s.Target, "passport_number"))
			}
			_ = cw.Write(row)
		}
	}
	cw.Flush()
	return buf.Bytes()
}

func operationGeoJSON(plan *OperationPlan) ([]byte, error) {
	fc := geojson.NewFeatureCollection()
	if plan.geom != nil {
		f := geojson.NewFeature(plan.geom)
		f.Properties = geojson.Properties{"role": "area", "description": plan.Area.Description}
		fc.Append(f)
	}
	for _, t := range plan.Teams {
		var ls orb.LineString
		if s := plan.Request.Start; s != nil {
			ls = append(ls, orb.Point{s.Lon, s.Lat})
		}
		for _, s := range t.Stops {
			ls = append(ls, orb.Point{s.Lon, s.Lat})
		}
		if len(ls) > 1 {
			f := geojson.NewFeature(ls)
			f.Properties = geojson.Properties{"role": "route", "team": t.Number, "colour": t.Colour, "length_km": t.LengthKm}
			fc.Append(f)
		}
		for _, s := range t.Stops {
			f := geojson.NewFeature(orb.Point{s.Lon, s.Lat})
			props := geojson.Properties{"role": "stop", "team": t.Number, "colour": t.Colour, "seq": s.Seq, "kind": s.Kind,
				"id": s.ID, "label": s.Label, "kabupaten_code": s.Kabupaten, "count": s.Count, "personal": s.Personal}
			for k, v := range s.Detail {
				props[k] = v
			}
			f.Properties = props
			fc.Append(f)
		}
	}
	b, err := json.Marshal(fc)
	if err != nil {
		return nil, fmt.Errorf("encode geojson: %w", err)
	}
	return b, nil
}

// operationPDF is the printable briefing: summary, map, one list per team.
func (h *handlers) operationPDF(ctx context.Context, plan *OperationPlan) ([]byte, error) {
	class := "TERBATAS — untuk keperluan dinas"
	if plan.Personal {
		class = "RAHASIA — memuat data pribadi (UU 27/2022); jangan digandakan"
	}
	d := newDoc(plan.Title, class, plan.GeneratedAt)
	// "Operasi Gabungan Bunga Jepun" must not read "Briefing Operasi Gabungan: Operasi Gabungan …".
	heading := "Briefing Operasi Gabungan: " + plan.Title
	if strings.HasPrefix(strings.ToLower(strings.TrimSpace(plan.Title)), "operasi") {
		heading = "Briefing " + plan.Title
	}
	d.title(heading,
		fmt.Sprintf("Tanggal acuan %s · Wilayah: %s · %d tim", tanggal(mustDate(plan.Today), false), plan.Area.Description, len(plan.Teams)))

	d.heading("Ringkasan sasaran")
	var rows [][]string
	order := []string{kindOverstay, kindExpiring, kindHotel, kindWorksite, kindLanding}
	totalStops := 0
	for _, k := range order {
		n, ok := plan.Totals[k]
		if !ok {
			continue
		}
		totalStops += n
		people := "-"
		switch k {
		case kindOverstay, kindExpiring:
			people = angka(int64(plan.People[k])) + " orang"
		case kindHotel:
			people = angka(int64(plan.People[k])) + " tamu WNA"
		case kindWorksite:
			people = angka(int64(plan.People[k])) + " TKA"
		}
		rows = append(rows, []string{kindID(k), angka(int64(n)), people})
	}
	rows = append(rows, []string{"Jumlah titik", angka(int64(totalStops)), ""})
	d.table([]column{{"Jenis sasaran", 90, "L"}, {"Titik", 30, "R"}, {"Orang / pekerja", 62, "R"}}, rows, nil)
	f := plan.Request
	filt := fmt.Sprintf("Sasaran: %s. Izin dianggap segera habis bila berakhir dalam %d hari.", strings.Join(kindsID(f.Targets), ", "), f.ExpiringDays)
	if len(f.Nationalities) > 0 {
		filt += " Kewarganegaraan: " + strings.Join(f.Nationalities, ", ") + "."
	}
	if len(f.PermitTypes) > 0 {
		filt += " Jenis izin: " + strings.Join(f.PermitTypes, ", ") + "."
	}
	if f.MinForeignWorkers > 1 {
		filt += fmt.Sprintf(" Lokasi kerja dengan sedikitnya %d TKA.", f.MinForeignWorkers)
	}
	d.note(filt)

	m, png, err := h.operationMap(ctx, plan, 1400, 1000)
	if err != nil {
		return nil, err
	}
	if m != nil {
		d.heading("Peta operasi")
		wpx, hpx := m.Size()
		x, y, k := d.image("opmap", png, wpx, hpx, bodyW)
		stopNumbers(d, m, plan, x, y, k)
		d.note("Nomor: tim.urutan, sama dengan daftar tiap tim di bawah. Garis: urutan kunjungan tiap tim (jarak garis lurus, bukan jalan). Titik besar: hotel dan lokasi kerja. Titik hitam: tempat berangkat. Arsiran jingga: wilayah operasi (poligon/kecamatan).")
	}

	d.heading("Pembagian tim")
	var trows [][]string
	for _, t := range plan.Teams {
		people := 0
		for _, s := range t.Stops {
			people += s.Count
		}
		trows = append(trows, []string{fmt.Sprintf("Tim %d", t.Number), angka(int64(len(t.Stops))), desimal(t.LengthKm, 1) + " km", desimal(t.NNKm, 1) + " km"})
	}
	d.table([]column{{"Tim", 50, "L"}, {"Titik", 30, "R"}, {"Panjang rute", 51, "R"}, {"Tanpa penataan urutan", 51, "R"}}, trows,
		func(i int) (int, int, int, bool) {
			c := teamRGB(plan.Teams[i].Colour)
			return c[0], c[1], c[2], true
		})

	for _, t := range plan.Teams {
		d.heading(fmt.Sprintf("     Tim %d — %d titik, %s km", t.Number, len(t.Stops), desimal(t.LengthKm, 1)))
		tc := teamRGB(t.Colour)
		d.f.SetFillColor(tc[0], tc[1], tc[2])
		d.f.Rect(marginL+0.5, d.f.GetY()-5.2, 4, 4, "F")
		if len(t.Stops) == 0 {
			d.para("Tidak ada sasaran.")
			continue
		}
		var srows [][]string
		for _, s := range t.Stops {
			srows = append(srows, []string{fmt.Sprintf("%d.%d", t.Number, s.Seq), kindID(s.Kind), s.Label, fmt.Sprintf("%.5f, %.5f", s.Lat, s.Lon)})
		}
		d.table([]column{{"No", 10, "R"}, {"Jenis", 38, "L"}, {"Sasaran", 98, "L"}, {"Koordinat", 36, "L"}}, srows, nil)
	}
	return d.bytes()
}

func kindsID(ks []string) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = kindID(k)
	}
	return out
}

func teamRGB(hex string) [3]int {
	var r, g, b int
	_, _ = fmt.Sscanf(hex, "#%02x%02x%02x", &r, &g, &b)
	return [3]int{r, g, b}
}

// stopNumbers writes "team.seq" beside every stop of the map placed at (x, y)
// with k mm per pixel, in the team's colour on white; where a label would
// cover another, it tries the other sides of its stop, so that overlapping
// teams keep readable numbers.
func stopNumbers(d *doc, m *mapimage.Map, plan *OperationPlan, x, y, k float64) {
	wpx, hpx := m.Size()
	w, h := float64(wpx)*k, float64(hpx)*k
	var placed []rect
	d.f.SetFont("Helvetica", "B", 6.5)
	for _, t := range plan.Teams {
		c := teamRGB(t.Colour)
		for _, s := range t.Stops {
			px, py := m.Pixel(orb.Point{s.Lon, s.Lat})
			cx, cy := x+px*k, y+py*k
			txt := fmt.Sprintf("%d.%d", t.Number, s.Seq)
			tw := d.f.GetStringWidth(txt) + 1.2
			const th = 3
			for _, off := range [][2]float64{{1.6, -th / 2}, {-1.6 - tw, -th / 2}, {-tw / 2, -1.8 - th}, {-tw / 2, 1.8}} {
				b := rect{cx + off[0], cy + off[1], cx + off[0] + tw, cy + off[1] + th}
				if b.x0 < x || b.y0 < y || b.x1 > x+w || b.y1 > y+h {
					continue
				}
				if slices.ContainsFunc(placed, b.overlaps) {
					continue
				}
				placed = append(placed, b)
				d.f.SetFillColor(255, 255, 255)
				d.f.Rect(b.x0, b.y0, tw, th, "F")
				d.f.SetTextColor(c[0], c[1], c[2])
				d.f.Text(b.x0+0.6, b.y1-0.7, txt)
				break
			}
		}
	}
	d.f.SetTextColor(0, 0, 0)
}
