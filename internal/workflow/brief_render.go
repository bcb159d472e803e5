package workflow

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/go-pdf/fpdf"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/mapimage"
	"github.com/waspada-id/waspada/geo/present"
	"github.com/waspada-id/waspada/internal/access"
)

// The brief prints every figure through geo/present, the formatter the JSON
// API's display fields use: a kabupaten's change, score and national rank
// read the same on paper as on the screen, and its colour is the same class.

const id = present.ID

// neighbour is a country around the province, clipped to the map.
type neighbour struct {
	name    string
	country bool // a neighbouring country; else another Indonesian province
	geom    orb.Geometry
	label   orb.Point
}

// briefMapBound is the province's box with a margin, so that the land around
// it (a neighbouring province or country) shows.
func briefMapBound(b orb.Bound) orb.Bound {
	dx, dy := (b.Max[0]-b.Min[0])*0.06+0.02, (b.Max[1]-b.Min[1])*0.06+0.02
	return orb.Bound{Min: orb.Point{b.Min[0] - dx, b.Min[1] - dy}, Max: orb.Point{b.Max[0] + dx, b.Max[1] + dy}}
}

func (h *handlers) neighbours(ctx context.Context, b orb.Bound, tol float64, prov string) ([]neighbour, error) {
	rows, err := h.db.Query(ctx, h.q.Get("brief_neighbours"), b.Min[0], b.Min[1], b.Max[0], b.Max[1], tol, prov)
	if err != nil {
		return nil, fmt.Errorf("neighbours: %w", err)
	}
	defer rows.Close()
	var out []neighbour
	for rows.Next() {
		var n neighbour
		var g []byte
		if err := rows.Scan(&n.name, &n.country, &g, &n.label[0], &n.label[1]); err != nil {
			return nil, err
		}
		if n.geom, err = wkb.Unmarshal(g); err != nil {
			return nil, fmt.Errorf("neighbour %s: %w", n.name, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

func classRGB(level int) (int, int, int) {
	r, g, b := present.ClassByLevel(level).RGB()
	return int(r), int(g), int(b)
}

// riskMap draws one kind's cells in the national classes of the web map,
// over the land around the province (neighbouring provinces and countries),
// with kabupaten outlines and desa binaan.
func riskMap(bd *briefData, k int) (*mapimage.Map, []byte, error) {
	m, err := mapimage.New(briefMapBound(bd.rg.Box), 1400, 1050, 10, rgb(201, 221, 232))
	if err != nil {
		return nil, nil, err
	}
	for _, n := range bd.neighbours {
		fill := rgb(226, 223, 214) // a neighbouring country
		if !n.country {
			fill = rgb(235, 232, 224) // another province
		}
		m.Geometry(n.geom, mapimage.Style{Fill: fill, Stroke: rgb(160, 155, 145), StrokePx: 1})
	}
	for _, o := range bd.outlines {
		m.Geometry(o.geom, mapimage.Style{Fill: rgb(243, 240, 232)})
	}
	cells := bd.cells[k]
	// Draw low to high so hot cells end on top.
	order := make([]h3.Cell, 0, len(cells))
	for c := range cells {
		order = append(order, c)
	}
	slices.SortFunc(order, func(a, b h3.Cell) int {
		if cells[a] != cells[b] {
			if cells[a] < cells[b] {
				return -1
			}
			return 1
		}
		if a < b {
			return -1
		}
		return 1
	})
	for _, c := range order {
		r, g, b := classRGB(present.LevelOfScore(cells[c], bd.breaks[k]))
		m.Geometry(cellPolygon(c), mapimage.Style{Fill: rgb(uint8(r), uint8(g), uint8(b))})
	}
	for _, o := range bd.outlines {
		m.Geometry(o.geom, mapimage.Style{Stroke: rgb(70, 70, 70), StrokePx: 1.3})
	}
	for _, b := range bd.binaanIn {
		m.Marker(b, 4, mapimage.Style{Fill: rgb(26, 152, 80), Stroke: rgb(255, 255, 255), StrokePx: 1.2})
	}
	png, err := pngBytes(m)
	return m, png, err
}

// shortName drops the "Kabupaten " prefix for map labels ("Kota" stays: it
// tells the city from the regency of the same name).
func shortName(s string) string { return strings.TrimPrefix(s, "Kabupaten ") }

type rect struct{ x0, y0, x1, y1 float64 }

func (a rect) overlaps(b rect) bool { return a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1 }

// mapOverlay writes place names, a scale bar and a north arrow over a map
// placed at (x, y) with s mm per pixel.
func mapOverlay(d *doc, bd *briefData, m *mapimage.Map, x, y, s float64) {
	wpx, hpx := m.Size()
	w, hgt := float64(wpx)*s, float64(hpx)*s
	var placed []rect
	label := func(p orb.Point, txt string, bold bool, size float64, r, g, b int) {
		px, py := m.Pixel(p)
		cx, cy := x+px*s, y+py*s
		if cx < x+2 || cx > x+w-2 || cy < y+3 || cy > y+hgt-2 {
			return
		}
		style := ""
		if bold {
			style = "B"
		}
		d.f.SetFont("Helvetica", style, size)
		t := d.tr(txt)
		tw := d.f.GetStringWidth(t)
		box := rect{cx - tw/2 - 0.8, cy - size*0.3 - 0.6, cx + tw/2 + 0.8, cy + size*0.12 + 0.6}
		if box.x0 < x || box.x1 > x+w {
			return
		}
		for _, o := range placed {
			if o.overlaps(box) {
				return
			}
		}
		placed = append(placed, box)
		d.f.SetAlpha(0.8, "Normal")
		d.f.SetFillColor(255, 255, 255)
		d.f.Rect(box.x0, box.y0, box.x1-box.x0, box.y1-box.y0, "F")
		d.f.SetAlpha(1, "Normal")
		d.f.SetTextColor(r, g, b)
		d.f.Text(cx-tw/2, cy+size*0.1, t)
		d.f.SetTextColor(0, 0, 0)
	}
	// The scale bar and north arrow first: names must not cover them.
	placed = append(placed, rect{x, y + hgt - 12, x + 46, y + hgt}, rect{x + w - 12, y, x + w, y + 16})
	// Kabupaten by the ranking's order: where labels collide, the higher risk keeps its name.
	byCode := map[string]outline{}
	for _, o := range bd.outlines {
		byCode[o.code] = o
	}
	for _, r := range bd.ranking {
		if o, ok := byCode[r.code]; ok {
			label(o.label, shortName(o.name), false, 6.5, 40, 40, 40)
			delete(byCode, r.code)
		}
	}
	for _, o := range bd.outlines {
		if _, ok := byCode[o.code]; ok {
			label(o.label, shortName(o.name), false, 6.5, 40, 40, 40)
		}
	}
	for _, n := range bd.neighbours {
		if n.country {
			label(n.label, strings.ToUpper(n.name), true, 7, 110, 105, 95)
		} else {
			label(n.label, "Prov. "+n.name, false, 6.5, 120, 115, 105)
		}
	}

	// Scale bar: a round length near a fifth of the map width.
	mid := (bd.rg.Box.Min[1] + bd.rg.Box.Max[1]) / 2
	x0, _ := m.Pixel(orb.Point{0, mid})
	x1, _ := m.Pixel(orb.Point{1, mid})
	mmPerKm := (x1 - x0) * s / (111.32 * math.Cos(mid*math.Pi/180))
	km := niceLength(w / 5 / mmPerKm)
	bar := km * mmPerKm
	bx, by := x+4, y+hgt-5
	d.f.SetFillColor(255, 255, 255)
	d.f.Rect(bx-2, by-5.5, bar+16, 8, "F")
	d.f.SetFillColor(40, 40, 40)
	d.f.Rect(bx, by-1.2, bar/2, 1.2, "F")
	d.f.SetDrawColor(40, 40, 40)
	d.f.Rect(bx, by-1.2, bar, 1.2, "D")
	d.f.SetFont("Helvetica", "", 6.5)
	d.f.Text(bx, by-2.2, "0")
	lbl := d.tr(present.Km(km, id))
	d.f.Text(bx+bar-d.f.GetStringWidth(lbl)/2, by-2.2, lbl)
	// North arrow.
	nx, ny := x+w-6, y+3
	d.f.SetFillColor(255, 255, 255)
	d.f.Rect(nx-4, ny-1, 8, 13, "F")
	d.f.SetFillColor(40, 40, 40)
	d.f.Polygon([]fpdf.PointType{{X: nx, Y: ny}, {X: nx + 2.6, Y: ny + 7}, {X: nx, Y: ny + 5.4}, {X: nx - 2.6, Y: ny + 7}}, "F")
	d.f.SetFont("Helvetica", "B", 7)
	d.f.Text(nx-d.f.GetStringWidth("U")/2, ny+10.8, "U")
	d.f.SetDrawColor(0, 0, 0)
}

// niceLength rounds v down to 1, 2 or 5 times a power of ten.
func niceLength(v float64) float64 {
	if v <= 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, f := range []float64{5, 2, 1} {
		if f*p <= v {
			return f * p
		}
	}
	return p
}

// classLegend draws the class swatches in one or two rows.
func classLegend(d *doc) {
	d.f.SetFont("Helvetica", "B", 7.5)
	x, y := d.f.GetX(), d.f.GetY()
	d.f.Text(x, y+3, d.tr("Kelas risiko nasional:"))
	x += 32
	d.f.SetFont("Helvetica", "", 7.5)
	for _, c := range present.Classes() {
		r, g, b := classRGB(c.Level)
		share := "50 % terbawah"
		if c.TopPercent < 100 {
			share = present.Number(c.TopPercent, 0, id) + " % teratas"
		}
		txt := d.tr(c.LabelID + " (" + share + ")")
		tw := d.f.GetStringWidth(txt)
		if x+7+tw > marginL+bodyW {
			x, y = marginL+32, y+5
		}
		d.f.SetFillColor(r, g, b)
		d.f.Rect(x, y, 5, 4, "F")
		d.f.Text(x+6, y+3, txt)
		x += 6 + tw + 4
	}
	d.f.SetY(y + 6)
}

// mapKey is the line under the legend for the point and line symbols.
func mapKey(d *doc) {
	d.f.SetFont("Helvetica", "", 7.5)
	x, y := d.f.GetX(), d.f.GetY()
	d.f.SetFillColor(26, 152, 80)
	d.f.Circle(x+1.8, y+1.8, 1.3, "F")
	d.f.Text(x+4.5, y+3, d.tr("Desa binaan"))
	x += 26
	d.f.SetDrawColor(70, 70, 70)
	d.f.Line(x, y+1.8, x+5, y+1.8)
	d.f.Text(x+6.5, y+3, d.tr("Batas kabupaten/kota"))
	x += 38
	d.f.SetFillColor(226, 223, 214)
	d.f.Rect(x, y, 5, 4, "F")
	d.f.Text(x+6.5, y+3, d.tr("Provinsi dan negara tetangga (konteks)"))
	d.f.SetDrawColor(0, 0, 0)
	d.f.SetY(y + 6)
}

// recommendations are facts from the data that call for attention: largest
// rises, kabupaten newly in a high class, high-risk cells no desa binaan
// reaches, and where that coverage is thinnest. Not advice invented here.
func recommendations(bd *briefData) []string {
	var out []string
	names := map[string]string{}
	for _, r := range bd.ranking {
		names[r.code] = r.name
	}
	labels := []string{"TPPO", "PMI nonprosedural"}
	for k := range kinds() {
		// Largest rises (at least +10 %).
		type rise struct {
			name string
			c    float64
		}
		var rs []rise
		for _, r := range bd.ranking {
			if r.hasChange[k] && present.ChangeOf(r.change[k], id).Pct >= 10 {
				rs = append(rs, rise{r.name, r.change[k]})
			}
		}
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].c > rs[j].c })
		if len(rs) > 0 {
			var parts []string
			for _, r := range rs[:min(3, len(rs))] {
				parts = append(parts, fmt.Sprintf("%s (%s)", r.name, present.ChangeOf(r.c, id).Text))
			}
			out = append(out, fmt.Sprintf("Kenaikan risiko %s terbesar dibanding %s: %s. Periksa penyebabnya pada kartu skor di aplikasi.",
				labels[k], present.Month(bd.run.period.AddDate(0, -1, 0), id), strings.Join(parts, ", ")))
		}
		// Newly in a high class.
		var fresh []string
		for _, r := range bd.ranking {
			if !r.has[k] || r.ofNat[k] == 0 || r.prevLevel[k] < 0 {
				continue
			}
			if l := present.LevelOfRank(r.rankNat[k], r.ofNat[k]); l >= 4 && r.prevLevel[k] < 4 {
				fresh = append(fresh, fmt.Sprintf("%s (kini %s)", r.name, strings.ToLower(present.ClassByLevel(l).LabelID)))
			}
		}
		if len(fresh) > 0 {
			out = append(out, fmt.Sprintf("Baru masuk kelas Tinggi atau Sangat tinggi %s: %s.", labels[k], strings.Join(fresh, ", ")))
		}
		// Uncovered high-risk cells and thinnest coverage, per kabupaten.
		type kc struct {
			code            string
			high, uncovered int
			share           float64
		}
		var ks []kc
		for code, c := range bd.cover[k].perKab {
			if c.high > 0 {
				ks = append(ks, kc{code, c.high, c.high - c.covered, float64(c.covered) / float64(c.high)})
			}
		}
		sort.Slice(ks, func(i, j int) bool {
			if ks[i].uncovered != ks[j].uncovered {
				return ks[i].uncovered > ks[j].uncovered
			}
			return ks[i].code < ks[j].code
		})
		if len(ks) > 0 && ks[0].uncovered > 0 {
			var parts []string
			for _, x := range ks[:min(3, len(ks))] {
				if x.uncovered > 0 {
					parts = append(parts, fmt.Sprintf("%s (%s dari %s sel)", names[x.code], present.Int(int64(x.uncovered), id), present.Int(int64(x.high), id)))
				}
			}
			out = append(out, fmt.Sprintf("Sel risiko %s tinggi tanpa desa binaan dalam %s terbanyak di: %s. Calon lokasi desa binaan baru: gunakan Perencana Desa Binaan.",
				labels[k], present.Km(DefaultRadiusKm, id), strings.Join(parts, ", ")))
		}
		sort.Slice(ks, func(i, j int) bool {
			if ks[i].share != ks[j].share {
				return ks[i].share < ks[j].share
			}
			return ks[i].high > ks[j].high
		})
		if len(ks) > 1 && ks[0].high >= 3 {
			out = append(out, fmt.Sprintf("Cakupan desa binaan paling tipis (%s): %s, %s dari %s sel berisiko tinggi terjangkau.",
				labels[k], names[ks[0].code], present.Percent(100*ks[0].share, 0, id), present.Int(int64(ks[0].high), id)))
		}
	}
	if len(out) == 0 {
		out = append(out, "Tidak ada kenaikan berarti, kabupaten baru berisiko tinggi, atau sel berisiko tinggi tanpa desa binaan pada periode ini.")
	}
	return out
}

func (h *handlers) renderBrief(_ context.Context, bd *briefData) ([]byte, error) {
	now := h.now()
	const classification = "TERBATAS — data agregat, tanpa data pribadi"
	d := newDoc("Brief Kanwil "+bd.rg.Name, classification, now)
	letterhead(d, bd, classification, tanggal(now, true))

	d.heading("Pokok-pokok")
	var pts []string
	var total int64
	for _, c := range bd.permits {
		total += c.count
	}
	if len(bd.ranking) > 0 {
		var top []string
		for _, r := range bd.ranking[:min(3, len(bd.ranking))] {
			top = append(top, fmt.Sprintf("%s (%s)", r.name, present.Score(r.score[0], id)))
		}
		pts = append(pts, "Risiko TPPO tertinggi: "+strings.Join(top, ", ")+".")
	}
	for k, label := range []string{"TPPO", "PMI nonprosedural"} {
		c := bd.cover[k]
		if c.highCells > 0 {
			pts = append(pts, fmt.Sprintf("Desa binaan (%d di provinsi) menjangkau %s dari %s sel berisiko %s tinggi (kelas Cukup tinggi ke atas) dalam radius %s.",
				c.binaan, present.Percent(100*float64(c.covered)/float64(c.highCells), 1, id), present.Int(int64(c.highCells), id), label, present.Km(DefaultRadiusKm, id)))
		}
	}
	if bd.foreigners > 0 {
		pts = append(pts, fmt.Sprintf("Orang asing tercatat pada periode ini: sedikitnya %s orang (jumlah sel peta yang dipublikasikan; sel di bawah %d orang tidak dihitung).",
			present.Int(bd.foreigners, id), access.MinPublishedCount))
	}
	if len(pts) == 0 {
		pts = append(pts, "Belum ada data risiko untuk provinsi ini pada periode ini.")
	}
	for _, s := range pts {
		d.para("•  " + s)
	}
	d.heading("Catatan dan rekomendasi")
	for _, s := range recommendations(bd) {
		d.para("•  " + s)
	}

	labels := []string{"TPPO (perdagangan orang)", "PMI nonprosedural"}
	for k := range kinds() {
		if bd.mapRes[k] < 0 || len(bd.cells[k]) == 0 {
			continue
		}
		m, png, err := riskMap(bd, k)
		if err != nil {
			return nil, err
		}
		wpx, hpx := m.Size()
		// The map takes what is left of the page when that is enough for a
		// readable map (75 mm), so no page ends a third empty.
		_, pageH := d.f.GetPageSize()
		const extra = 6.5 + 11 + 6 + 10 + 4 // heading, legend, key, note
		left := pageH - 18 - d.f.GetY() - extra
		if left < 75 {
			d.f.AddPage()
			left = pageH - 18 - d.f.GetY() - extra
		}
		w := bodyW
		if hmm := w * float64(hpx) / float64(wpx); hmm > min(left, 165) {
			w = min(left, 165) * float64(wpx) / float64(hpx)
		}
		d.heading("Peta risiko " + labels[k])
		x, y, s := d.image(fmt.Sprintf("risk%d", k), png, wpx, hpx, w)
		mapOverlay(d, bd, m, x, y, s)
		classLegend(d)
		mapKey(d)
		d.note("Warna: kelas risiko nasional sel (persentil skor di antara semua sel Indonesia pada resolusi yang sama), sama dengan legenda peta di aplikasi. " +
			"Skor 1 = rata-rata nasional. Negara tetangga: Natural Earth 1:10m, hanya sebagai konteks.")
	}

	d.headingKeep("Peringkat kabupaten/kota", 32)
	var rows [][]string
	var levels []int
	for i, r := range bd.ranking {
		rows = append(rows, []string{fmt.Sprint(i + 1), r.name,
			classCell(r, 0), scoreCell(r, 0), changeCell(r, 0), rankCell(r, 0),
			scoreCell(r, 1), changeCell(r, 1), rankCell(r, 1)})
		l := -1
		if r.ofNat[0] > 0 {
			l = present.LevelOfRank(r.rankNat[0], r.ofNat[0])
		}
		levels = append(levels, l)
	}
	if len(rows) == 0 {
		d.para("Tidak ada rekap risiko per kabupaten untuk periode ini.")
	} else {
		d.table([]column{{"No", 10, "R"}, {"Kabupaten/Kota", 41, "L"}, {"Kelas TPPO", 21, "L"}, {"TPPO", 14, "R"}, {"Perubahan", 17, "R"}, {"Pkt. nasional", 22, "R"},
			{"PMI", 14, "R"}, {"Perubahan", 17, "R"}, {"Pkt. nasional", 26, "R"}}, rows, func(i int) (int, int, int, bool) {
			if levels[i] < 0 {
				return 0, 0, 0, false
			}
			r, g, b := classRGB(levels[i])
			return r, g, b, true
		})
		d.note("Skor: risiko relatif tertimbang per kabupaten/kota, dalam kelipatan rata-rata nasional (1 × = rata-rata). Perubahan: dibanding " +
			present.Month(bd.run.period.AddDate(0, -1, 0), id) + ". Pkt. nasional: peringkat di antara semua kabupaten/kota yang dinilai. " +
			"Kelas: persentil nasional (Sangat tinggi = 1 % teratas, Tinggi = 5 %, Cukup tinggi = 10 %, Sedang = 25 %, Rendah = 50 %).")
	}

	for k := range kinds() {
		d.headingKeep("Titik rawan "+labels[k], 32)
		if len(bd.hotspots[k]) == 0 {
			d.para("Tidak ada sel risiko.")
			continue
		}
		var hr [][]string
		var hl []int
		for i, hs := range bd.hotspots[k] {
			ll := hs.cell.LatLng()
			pattern := "-"
			switch hs.giBin {
			case 3:
				pattern = "Titik panas (99 %)"
			case 2:
				pattern = "Titik panas (95 %)"
			case 1:
				pattern = "Titik panas (90 %)"
			}
			near := hs.desa
			if hs.kec != "" {
				near += ", Kec. " + hs.kec
			}
			l := present.LevelOfScore(hs.score, bd.runBreaks[k])
			hl = append(hl, l)
			hr = append(hr, []string{fmt.Sprint(i + 1), near, hs.kabName, present.ClassByLevel(l).LabelID,
				present.Multiple(hs.score, id) + " ×", pattern, fmt.Sprintf("%.4f, %.4f", ll.Lat, ll.Lng)})
		}
		d.table([]column{{"No", 10, "R"}, {"Dekat desa", 47, "L"}, {"Kabupaten/Kota", 34, "L"}, {"Kelas", 22, "L"}, {"Skor", 13, "R"},
			{"Pola sekitar", 27, "L"}, {"Koordinat", 29, "L"}}, hr, func(i int) (int, int, int, bool) {
			r, g, b := classRGB(hl[i])
			return r, g, b, true
		})
	}
	d.note("Titik rawan: sel analisis dengan skor tertinggi di provinsi, satu per desa terdekat. Pola sekitar: titik panas bila sel dan tetangganya bersama-sama tinggi (statistik Gi*, tingkat keyakinan).")

	d.heading("Jangkauan desa binaan di wilayah berisiko tinggi")
	var cr [][]string
	for k := range kinds() {
		c := bd.cover[k]
		share := "-"
		if c.highCells > 0 {
			share = present.Percent(100*float64(c.covered)/float64(c.highCells), 1, id)
		}
		cr = append(cr, []string{labels[k], present.Int(int64(c.binaan), id), present.Int(int64(c.highCells), id), present.Int(int64(c.covered), id), share})
	}
	d.table([]column{{"Jenis risiko", 52, "L"}, {"Desa binaan", 28, "R"}, {"Sel risiko tinggi", 36, "R"}, {"Terjangkau", 32, "R"}, {"Cakupan", 34, "R"}}, cr, nil)
	d.note(fmt.Sprintf("Sel risiko tinggi: sel analisis kelas Cukup tinggi ke atas (10 %% teratas nasional). Terjangkau: pusat sel berada dalam %s dari pusat desa binaan.",
		present.Km(DefaultRadiusKm, id)))

	d.heading("Orang asing menurut jenis izin")
	if len(bd.permits) == 0 {
		d.para("Tidak ada angka yang dapat dipublikasikan (semua sel di bawah 10 orang atau tidak ada data).")
	} else {
		var pr [][]string
		for _, c := range bd.permits {
			pr = append(pr, []string{present.Permit(c.key, id), present.Int(c.count, id)})
		}
		pr = append(pr, []string{"Jumlah (yang dipublikasikan)", present.Int(total, id)})
		d.table([]column{{"Jenis izin", 120, "L"}, {"Orang", 62, "R"}}, pr, nil)
	}
	d.heading("Orang asing menurut kewarganegaraan")
	if len(bd.nations) == 0 {
		d.para("Tidak ada angka yang dapat dipublikasikan.")
	} else {
		var nr [][]string
		var rest int64
		for i, c := range bd.nations {
			if i < briefTopNations {
				nr = append(nr, []string{present.Nationality(c.key, id), present.Int(c.count, id)})
			} else {
				rest += c.count
			}
		}
		if rest > 0 {
			nr = append(nr, []string{"Lainnya", present.Int(rest, id)})
		}
		d.table([]column{{"Kewarganegaraan", 120, "L"}, {"Orang", 62, "R"}}, nr, nil)
	}
	d.note(fmt.Sprintf("Perlindungan data pribadi: orang asing dihitung per sel peta (heksagon H3 resolusi %d, sekitar 5 km²); sel, atau bagian sel "+
		"menurut jenis izin atau kewarganegaraan, dengan kurang dari %d orang tidak ditampilkan dan tidak ikut dijumlahkan. Angka provinsi adalah jumlah "+
		"sel yang dipublikasikan, sehingga bisa lebih kecil dari jumlah sebenarnya.", access.DisclosureBaseRes, access.MinPublishedCount))
	d.note(fmt.Sprintf("Detail teknis: model risiko perhitungan #%d, sel H3 resolusi %d (peta: resolusi %d/%d).",
		bd.run.id, bd.run.res, bd.mapRes[0], bd.mapRes[1]))
	return d.bytes()
}

// letterhead is the block a head of office expects at the top: issuer,
// office, province, period, classification and date.
func letterhead(d *doc, bd *briefData, classification, made string) {
	f := d.f
	f.SetFont("Helvetica", "B", 9)
	f.SetTextColor(60, 60, 60)
	f.CellFormat(bodyW, 4.5, d.tr("DIREKTORAT JENDERAL IMIGRASI"), "", 1, "L", false, 0, "")
	f.SetFont("Helvetica", "B", 13)
	f.SetTextColor(0, 0, 0)
	f.CellFormat(bodyW, 6.5, d.tr("Kantor Wilayah Provinsi "+bd.rg.Name), "", 1, "L", false, 0, "")
	f.SetFont("Helvetica", "", 10.5)
	f.CellFormat(bodyW, 5.5, d.tr("Brief risiko TPPO dan PMI nonprosedural untuk Rapat Koordinasi Tim Pengawasan Orang Asing (Rakor Timpora)"), "", 1, "L", false, 0, "")
	y := f.GetY() + 1
	f.SetDrawColor(30, 30, 30)
	f.SetLineWidth(0.6)
	f.Line(marginL, y, marginL+bodyW, y)
	f.SetLineWidth(0.2)
	f.SetY(y + 1.5)
	rows := [][2]string{
		{"Provinsi", bd.rg.Name + " (" + bd.rg.Code + ")"},
		{"Periode", present.Month(bd.run.period, id)},
		{"Klasifikasi", classification},
		{"Dibuat", made + " oleh Waspada"},
	}
	for _, r := range rows {
		f.SetFont("Helvetica", "B", 8.5)
		f.CellFormat(26, 4.4, d.tr(r[0]), "", 0, "L", false, 0, "")
		f.SetFont("Helvetica", "", 8.5)
		f.CellFormat(bodyW-26, 4.4, d.tr(": "+r[1]), "", 1, "L", false, 0, "")
	}
	y = f.GetY() + 1
	f.SetLineWidth(0.2)
	f.Line(marginL, y, marginL+bodyW, y)
	f.SetDrawColor(0, 0, 0)
	f.SetY(y + 3)
}

func classCell(r rankRow, k int) string {
	if !r.has[k] || r.ofNat[k] == 0 {
		return "-"
	}
	return present.ClassByLevel(present.LevelOfRank(r.rankNat[k], r.ofNat[k])).LabelID
}

func scoreCell(r rankRow, k int) string {
	if !r.has[k] {
		return "-"
	}
	return present.Multiple(r.score[k], id) + " ×"
}

// changeCell is the stored ratio change as a signed percentage: the same
// text as the API's display change.
func changeCell(r rankRow, k int) string {
	if !r.has[k] || !r.hasChange[k] {
		return "-"
	}
	return present.ChangeOf(r.change[k], id).Text
}

func rankCell(r rankRow, k int) string {
	if !r.has[k] || r.ofNat[k] == 0 {
		return "-"
	}
	return present.Rank(int64(r.rankNat[k]), int64(r.ofNat[k]), id)
}
