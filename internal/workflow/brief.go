package workflow

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/disclosure"
	"github.com/waspada-id/waspada/geo/mapimage"
	"github.com/waspada-id/waspada/geo/mclp"
	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/audit"
)

// Bounds of the brief.
const (
	briefMapMaxCells = 40000 // cells drawn per map: the finest resolution under this
	briefHotspots    = 10
	briefTopNations  = 12
)

func (h *handlers) briefPeriods(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	rows, err := h.db.Query(r.Context(), h.q.Get("periods"))
	if err != nil {
		return err
	}
	ps, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
	if err != nil {
		return err
	}
	out := make([]string, len(ps))
	for i, t := range ps {
		out[i] = t.Format("2006-01")
	}
	return writeJSON(w, map[string]any{"periods": out})
}

type briefRun struct {
	id     int64
	period time.Time
	res    int
}

type rankRow struct {
	code, name string
	score      [2]float64 // tppo, pmi (weighted score)
	prev       [2]float64
	hasPrev    [2]bool
	rank       [2]int
	prevRank   [2]int
	has        [2]bool
}

type hotspot struct {
	cell                    h3.Cell
	score, giZ              float64
	giBin                   int
	kab, kabName, desa, kec string
}

type coverage struct {
	binaan, highCells, covered int
	threshold                  float64
}

type briefData struct {
	rg         region
	run        briefRun
	ranking    []rankRow
	hotspots   [2][]hotspot
	cover      [2]coverage
	permits    []countRow
	nations    []countRow
	foreigners int64       // sum of the published base cells
	binaan     []orb.Point // in and just around the province (coverage)
	binaanIn   []orb.Point // in the province (drawn)
	cells      [2]map[h3.Cell]float64
	mapRes     [2]int
	outlines   []outline
}

type countRow struct {
	key   string
	count int64
}

func kinds() [2]string { return [2]string{"tppo", "pmi"} }

func (h *handlers) briefPDF(w http.ResponseWriter, r *http.Request, p access.Principal) error {
	q := r.URL.Query()
	prov := q.Get("province")
	if !provinceRe().MatchString(prov) {
		return badRequest("province must be a province code like 53, got %q", prov)
	}
	if !p.ProvinceInScope(prov) {
		return forbidden("province %s is outside your area: the kanwil brief covers a whole province", prov)
	}
	ctx := r.Context()
	rg, err := h.loadRegion(ctx, p, prov)
	if err != nil {
		return err
	}
	var run briefRun
	if v := q.Get("period"); v != "" {
		t, perr := time.Parse("2006-01", v)
		if perr != nil {
			return badRequest("period must be a month like 2026-03, got %q", v)
		}
		err = h.db.QueryRow(ctx, h.q.Get("run_for_period"), t).Scan(&run.id, &run.period, &run.res)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("no complete risk run for %s", v)
		}
	} else {
		err = h.db.QueryRow(ctx, h.q.Get("latest_run")).Scan(&run.id, &run.period, &run.res)
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound("no complete risk run yet")
		}
	}
	if err != nil {
		return fmt.Errorf("risk run: %w", err)
	}
	bd, err := h.gatherBrief(ctx, rg, run)
	if err != nil {
		return err
	}
	pdf, err := h.renderBrief(ctx, bd)
	if err != nil {
		return err
	}
	if err := h.record(ctx, audit.Entry{Action: audit.Export, Layer: "kanwil_brief", Area: prov,
		Rows: int64(len(bd.ranking)), Detail: map[string]any{"format": "pdf", "period": run.period.Format("2006-01"), "run_id": run.id}}); err != nil {
		return err
	}
	download(w, "application/pdf", fmt.Sprintf("brief-kanwil-%s-%s.pdf", prov, run.period.Format("2006-01")), pdf)
	return nil
}

func (h *handlers) gatherBrief(ctx context.Context, rg region, run briefRun) (*briefData, error) {
	bd := &briefData{rg: rg, run: run}

	// Ranking, this month and the one before.
	rows, err := h.db.Query(ctx, h.q.Get("brief_ranking"), run.id, rg.Code, run.period)
	if err != nil {
		return nil, fmt.Errorf("ranking: %w", err)
	}
	byCode := map[string]*rankRow{}
	for rows.Next() {
		var code, name, kind string
		var period time.Time
		var ws float64
		var prevW *float64
		var rank *int
		var cells int
		if err := rows.Scan(&code, &name, &kind, &period, &ws, &prevW, &rank, &cells); err != nil {
			rows.Close()
			return nil, err
		}
		ks := kinds()
		k := slices.Index(ks[:], kind)
		if k < 0 {
			continue
		}
		rr := byCode[code]
		if rr == nil {
			rr = &rankRow{code: code, name: name}
			byCode[code] = rr
		}
		rk := 0
		if rank != nil {
			rk = *rank
		}
		if period.Equal(run.period) {
			rr.score[k], rr.rank[k], rr.has[k] = ws, rk, true
			if prevW != nil {
				rr.prev[k], rr.hasPrev[k] = *prevW, true
			}
		} else {
			rr.prevRank[k] = rk
			if !rr.hasPrev[k] {
				rr.prev[k], rr.hasPrev[k] = ws, true
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("ranking: %w", err)
	}
	for _, rr := range byCode {
		if rr.has[0] || rr.has[1] {
			bd.ranking = append(bd.ranking, *rr)
		}
	}
	sort.Slice(bd.ranking, func(i, j int) bool {
		a, b := bd.ranking[i], bd.ranking[j]
		if a.score[0] != b.score[0] {
			return a.score[0] > b.score[0]
		}
		return a.code < b.code
	})

	// Desa binaan of the province (and just beyond: they cover border cells).
	dLat := DefaultRadiusKm / 111.0
	rows, err = h.db.Query(ctx, h.q.Get("desa_binaan_in_box"), rg.Box.Min[0]-dLat, rg.Box.Min[1]-dLat, rg.Box.Max[0]+dLat, rg.Box.Max[1]+dLat)
	if err != nil {
		return nil, fmt.Errorf("desa binaan: %w", err)
	}
	inProv := 0
	for rows.Next() {
		var code, name, kab string
		var lon, lat float64
		if err := rows.Scan(&code, &name, &kab, &lon, &lat); err != nil {
			rows.Close()
			return nil, err
		}
		bd.binaan = append(bd.binaan, orb.Point{lon, lat})
		if strings.HasPrefix(kab, rg.Code+".") {
			inProv++
			bd.binaanIn = append(bd.binaanIn, orb.Point{lon, lat})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	fixed := make([]mclp.Point, len(bd.binaan))
	for i, b := range bd.binaan {
		fixed[i] = mclp.Point{Lat: b[1], Lon: b[0]}
	}

	for k, kind := range kinds() {
		// Coverage of high-risk analysis cells by existing desa binaan.
		cells, err := h.cells(ctx, run.id, kind, run.res, rg.Kabs)
		if err != nil {
			return nil, err
		}
		if len(cells) > 0 {
			demand := make([]mclp.Demand, 0, len(cells))
			for c, s := range cells {
				ll := c.LatLng()
				demand = append(demand, mclp.Demand{Point: mclp.Point{Lat: ll.Lat, Lon: ll.Lng}, Weight: s})
			}
			thr := percentile(demand, highRiskPercent)
			cov := coveredBy(demand, fixed, DefaultRadiusKm)
			cv := coverage{binaan: inProv, threshold: thr}
			for i, d := range demand {
				if d.Weight >= thr {
					cv.highCells++
					if cov[i] {
						cv.covered++
					}
				}
			}
			bd.cover[k] = cv
		} else {
			bd.cover[k] = coverage{binaan: inProv}
		}
		// Map resolution: the finest with at most briefMapMaxCells cells.
		rows, err := h.db.Query(ctx, h.q.Get("risk_cell_counts"), run.id, kind, rg.Kabs)
		if err != nil {
			return nil, fmt.Errorf("cell counts: %w", err)
		}
		mapRes := -1
		for rows.Next() {
			var res, n int
			if err := rows.Scan(&res, &n); err != nil {
				rows.Close()
				return nil, err
			}
			if n <= briefMapMaxCells || mapRes < 0 {
				mapRes = res
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		bd.mapRes[k] = mapRes
		if mapRes == run.res {
			bd.cells[k] = cells
		} else if mapRes >= 0 {
			if bd.cells[k], err = h.cells(ctx, run.id, kind, mapRes, rg.Kabs); err != nil {
				return nil, err
			}
		}
		// Hot spots.
		rows, err = h.db.Query(ctx, h.q.Get("brief_hotspots"), run.id, kind, run.res, rg.Kabs, briefHotspots)
		if err != nil {
			return nil, fmt.Errorf("hot spots: %w", err)
		}
		for rows.Next() {
			var hs hotspot
			var c int64
			var giZ *float64
			var giBin *int16
			if err := rows.Scan(&c, &hs.score, &giZ, &giBin, &hs.kab, &hs.kabName, &hs.desa, &hs.kec); err != nil {
				rows.Close()
				return nil, err
			}
			hs.cell = h3.Cell(c)
			hs.giZ = math.NaN()
			if giZ != nil {
				hs.giZ = *giZ
			}
			if giBin != nil {
				hs.giBin = int(*giBin)
			}
			bd.hotspots[k] = append(bd.hotspots[k], hs)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}

	// Foreigners present in the period, on the base cells of the resident
	// tiles (geo/disclosure): the total is the sum of the published cells
	// (the same figure the map's cells add up to), and each breakdown the
	// sum of its published (cell, permit type) or (cell, nationality) leaves.
	// Nothing says how much was withheld: that counter would itself depend
	// on the hidden cells.
	end := run.period.AddDate(0, 1, -1)
	rows, err = h.db.Query(ctx, h.q.Get("brief_foreigners"), rg.Code, run.period, end, access.DisclosureBaseRes)
	if err != nil {
		return nil, fmt.Errorf("foreigners: %w", err)
	}
	type leaf struct {
		cell int64
		key  string
	}
	perCell := map[int64]int64{}
	perPermit := map[leaf]int64{}
	perNation := map[leaf]int64{}
	for rows.Next() {
		var cell int64
		var permit, nat string
		var n int64
		if err := rows.Scan(&cell, &permit, &nat, &n); err != nil {
			rows.Close()
			return nil, err
		}
		perCell[cell] += n
		perPermit[leaf{cell, permit}] += n
		perNation[leaf{cell, nat}] += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	min := int64(access.MinPublishedCount)
	key := func(l leaf) string { return l.key }
	bd.foreigners = disclosure.Total(perCell, min)
	bd.permits = sortedCounts(disclosure.Rollup(perPermit, min, key))
	bd.nations = sortedCounts(disclosure.Rollup(perNation, min, key))

	tol := (rg.Box.Max[0] - rg.Box.Min[0]) / 1400
	if bd.outlines, err = h.outlines(ctx, rg.Kabs, tol); err != nil {
		return nil, err
	}
	return bd, nil
}

func (h *handlers) cells(ctx context.Context, run int64, kind string, res int, kabs []string) (map[h3.Cell]float64, error) {
	rows, err := h.db.Query(ctx, h.q.Get("risk_cells"), run, kind, res, kabs)
	if err != nil {
		return nil, fmt.Errorf("risk cells: %w", err)
	}
	defer rows.Close()
	out := map[h3.Cell]float64{}
	for rows.Next() {
		var c int64
		var s float64
		if err := rows.Scan(&c, &s); err != nil {
			return nil, err
		}
		out[h3.Cell(c)] = s
	}
	return out, rows.Err()
}

func sortedCounts(m map[string]int64) []countRow {
	out := make([]countRow, 0, len(m))
	for k, v := range m {
		out = append(out, countRow{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].count != out[j].count {
			return out[i].count > out[j].count
		}
		return out[i].key < out[j].key
	})
	return out
}

// riskMap draws one kind's cells coloured by their rank within the province
// (so the map shows where the province's own highest risk is, whatever the
// national level), kabupaten outlines and desa binaan.
func riskMap(bd *briefData, k int) (*mapimage.Map, []byte, []float64, error) {
	m, err := mapimage.New(bd.rg.Box, 1400, 1050, 10, rgb(214, 230, 240))
	if err != nil {
		return nil, nil, nil, err
	}
	for _, o := range bd.outlines {
		m.Geometry(o.geom, mapimage.Style{Fill: rgb(240, 240, 236)})
	}
	cells := bd.cells[k]
	scores := make([]float64, 0, len(cells))
	for _, s := range cells {
		scores = append(scores, s)
	}
	slices.Sort(scores)
	rank := func(s float64) float64 {
		if len(scores) < 2 {
			return 0.5
		}
		i, _ := slices.BinarySearch(scores, s)
		return float64(i) / float64(len(scores)-1)
	}
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
		col := mapimage.RiskColour(rank(cells[c]))
		m.Geometry(cellPolygon(c), mapimage.Style{Fill: col})
	}
	for _, o := range bd.outlines {
		m.Geometry(o.geom, mapimage.Style{Stroke: rgb(70, 70, 70), StrokePx: 1.3})
	}
	for _, b := range bd.binaanIn {
		m.Marker(b, 4, mapimage.Style{Fill: rgb(20, 90, 200), Stroke: rgb(255, 255, 255), StrokePx: 1.2})
	}
	png, err := pngBytes(m)
	// Legend breaks: the score at each fifth of the ranking.
	var breaks []float64
	if len(scores) > 0 {
		for q := 0; q <= 5; q++ {
			breaks = append(breaks, scores[min(len(scores)-1, q*(len(scores)-1)/5)])
		}
	}
	return m, png, breaks, err
}

func (h *handlers) renderBrief(_ context.Context, bd *briefData) ([]byte, error) {
	now := h.now()
	d := newDoc("Brief Kanwil "+bd.rg.Name, "TERBATAS — data agregat, tanpa data pribadi", now)
	d.title("Brief Kanwil untuk Rakor Timpora",
		fmt.Sprintf("Provinsi %s · Periode %s · Model risiko run #%d (resolusi H3 %d)", bd.rg.Name, periode(bd.run.period), bd.run.id, bd.run.res))

	// Key points.
	d.heading("Pokok-pokok")
	var pts []string
	if len(bd.ranking) > 0 {
		var top []string
		for _, r := range bd.ranking[:min(3, len(bd.ranking))] {
			top = append(top, r.name)
		}
		pts = append(pts, "Risiko TPPO tertinggi: "+strings.Join(top, ", ")+".")
		riser, best := "", 0.0
		for _, r := range bd.ranking {
			if r.hasPrev[0] && r.prev[0] > 0 {
				if c := r.score[0]/r.prev[0] - 1; c > best {
					riser, best = r.name, c
				}
			}
		}
		if riser != "" {
			pts = append(pts, fmt.Sprintf("Kenaikan risiko TPPO terbesar dibanding bulan lalu: %s (+%s).", riser, persen(best)))
		}
	}
	for k, label := range []string{"TPPO", "PMI non-prosedural"} {
		c := bd.cover[k]
		if c.highCells > 0 {
			pts = append(pts, fmt.Sprintf("Desa binaan (%d di provinsi) menjangkau %s sel berisiko tinggi %s dalam radius %s km.",
				c.binaan, persen(float64(c.covered)/float64(c.highCells)), label, desimal(DefaultRadiusKm, 0)))
		}
	}
	if bd.foreigners > 0 {
		pts = append(pts, fmt.Sprintf("Orang asing tercatat pada periode ini: sedikitnya %s orang (jumlah sel peta yang dipublikasikan; sel di bawah %d orang tidak dihitung).",
			angka(bd.foreigners), access.MinPublishedCount))
	}
	if len(pts) == 0 {
		pts = append(pts, "Belum ada data risiko untuk provinsi ini pada periode ini.")
	}
	for _, s := range pts {
		d.para("•  " + s)
	}

	labels := []string{"TPPO (perdagangan orang)", "PMI non-prosedural"}
	for k := range kinds() {
		if bd.mapRes[k] < 0 || len(bd.cells[k]) == 0 {
			continue
		}
		m, png, breaks, err := riskMap(bd, k)
		if err != nil {
			return nil, err
		}
		wpx, hpx := m.Size()
		w := bodyW
		if float64(hpx)/float64(wpx)*w > 150 { // tall provinces: keep the map on one page
			w = 150 * float64(wpx) / float64(hpx)
		}
		d.headingKeep("Peta risiko "+labels[k], 12+w*float64(hpx)/float64(wpx))
		x, y, s := d.image(fmt.Sprintf("risk%d", k), png, wpx, hpx, w)
		// Rank numbers at each kabupaten's label point.
		rankOf := map[string]int{}
		for i, r := range bd.ranking {
			rankOf[r.code] = i + 1
		}
		d.f.SetFont("Helvetica", "B", 7.5)
		for _, o := range bd.outlines {
			if n, ok := rankOf[o.code]; ok {
				px, py := m.Pixel(o.label)
				txt := fmt.Sprint(n)
				tw := d.f.GetStringWidth(txt)
				d.f.SetFillColor(255, 255, 255)
				d.f.Rect(x+px*s-tw/2-0.8, y+py*s-2.2, tw+1.6, 3.2, "F")
				d.f.Text(x+px*s-tw/2, y+py*s+0.3, txt)
			}
		}
		legendRow(d, breaks)
		d.note(fmt.Sprintf("Warna: peringkat skor risiko relatif sel H3 resolusi %d di dalam provinsi (kuning = rendah, merah tua = tertinggi). "+
			"Angka: peringkat kabupaten/kota (tabel di bawah, menurut skor TPPO). Titik biru: desa binaan.", bd.mapRes[k]))
	}

	d.heading("Peringkat kabupaten/kota")
	var rows [][]string
	for i, r := range bd.ranking {
		rows = append(rows, []string{fmt.Sprint(i + 1), r.name,
			scoreCell(r, 0), changeCell(r, 0), rankMove(r, 0),
			scoreCell(r, 1), changeCell(r, 1), rankMove(r, 1)})
	}
	if len(rows) == 0 {
		d.para("Tidak ada rekap risiko per kabupaten untuk periode ini.")
	} else {
		d.table([]column{{"No", 9, "R"}, {"Kabupaten/Kota", 55, "L"}, {"TPPO", 20, "R"}, {"Perubahan", 22, "R"}, {"Peringkat", 17, "C"},
			{"PMI", 20, "R"}, {"Perubahan", 22, "R"}, {"Peringkat", 17, "C"}}, rows, nil)
		d.note("Skor: rata-rata risiko relatif tertimbang per kabupaten/kota (1 = rata-rata nasional). Perubahan: dibanding " +
			periode(bd.run.period.AddDate(0, -1, 0)) + ". Peringkat: peringkat dalam provinsi bulan ini (dan bulan lalu).")
	}

	for k := range kinds() {
		d.heading("Titik rawan " + labels[k])
		if len(bd.hotspots[k]) == 0 {
			d.para("Tidak ada sel risiko.")
			continue
		}
		var hr [][]string
		for i, hs := range bd.hotspots[k] {
			ll := hs.cell.LatLng()
			gi := "-"
			if !math.IsNaN(hs.giZ) {
				gi = desimal(hs.giZ, 2)
				if hs.giBin == 3 {
					gi += " (99%)"
				} else if hs.giBin == 2 {
					gi += " (95%)"
				}
			}
			near := hs.desa
			if hs.kec != "" {
				near += ", Kec. " + hs.kec
			}
			hr = append(hr, []string{fmt.Sprint(i + 1), near, hs.kabName, desimal(hs.score, 2), gi, fmt.Sprintf("%.4f, %.4f", ll.Lat, ll.Lng)})
		}
		d.table([]column{{"No", 9, "R"}, {"Dekat desa", 58, "L"}, {"Kabupaten/Kota", 40, "L"}, {"Skor", 16, "R"}, {"Gi* z", 24, "R"}, {"Koordinat", 35, "L"}}, hr, nil)
	}

	d.heading("Jangkauan desa binaan di wilayah berisiko tinggi")
	var cr [][]string
	for k := range kinds() {
		c := bd.cover[k]
		share := "-"
		if c.highCells > 0 {
			share = persen(float64(c.covered) / float64(c.highCells))
		}
		cr = append(cr, []string{labels[k], angka(int64(c.binaan)), angka(int64(c.highCells)), angka(int64(c.covered)), share})
	}
	d.table([]column{{"Jenis risiko", 52, "L"}, {"Desa binaan", 28, "R"}, {"Sel risiko tinggi", 36, "R"}, {"Terjangkau", 32, "R"}, {"Cakupan", 34, "R"}}, cr, nil)
	d.note(fmt.Sprintf("Sel risiko tinggi: 10%% sel dengan skor tertinggi di provinsi (persentil ke-%d). Terjangkau: pusat sel berada dalam %s km dari pusat desa binaan. "+
		"Gunakan Perencana Desa Binaan di aplikasi Waspada untuk usulan lokasi baru.", highRiskPercent, desimal(DefaultRadiusKm, 0)))

	d.heading("Orang asing menurut jenis izin")
	if len(bd.permits) == 0 {
		d.para("Tidak ada angka yang dapat dipublikasikan (semua sel di bawah 10 orang atau tidak ada data).")
	} else {
		var pr [][]string
		for _, c := range bd.permits {
			pr = append(pr, []string{c.key, angka(c.count)})
		}
		var total int64
		for _, c := range bd.permits {
			total += c.count
		}
		pr = append(pr, []string{"Jumlah (yang dipublikasikan)", angka(total)})
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
				nr = append(nr, []string{c.key, angka(c.count)})
			} else {
				rest += c.count
			}
		}
		if rest > 0 {
			nr = append(nr, []string{"Lainnya", angka(rest)})
		}
		d.table([]column{{"Kewarganegaraan (ISO 3166)", 120, "L"}, {"Orang", 62, "R"}}, nr, nil)
	}
	d.note(fmt.Sprintf("Perlindungan data pribadi: orang asing dihitung per sel peta (heksagon H3 resolusi %d, sekitar 5 km²); sel, atau bagian sel "+
		"menurut jenis izin atau kewarganegaraan, dengan kurang dari %d orang tidak ditampilkan dan tidak ikut dijumlahkan. Angka provinsi adalah jumlah "+
		"sel yang dipublikasikan, sehingga bisa lebih kecil dari jumlah sebenarnya.", access.DisclosureBaseRes, access.MinPublishedCount))
	return d.bytes()
}

func legendRow(d *doc, breaks []float64) {
	if len(breaks) < 2 {
		return
	}
	d.f.SetFont("Helvetica", "", 7.5)
	x, y := d.f.GetX(), d.f.GetY()
	d.f.Text(x, y+3, d.tr("Skor relatif:"))
	x += 20
	for i := 0; i < len(breaks)-1; i++ {
		c := mapimage.RiskColour((float64(i) + 0.5) / float64(len(breaks)-1))
		d.f.SetFillColor(int(c.R), int(c.G), int(c.B))
		d.f.Rect(x, y, 6, 4, "F")
		d.f.Text(x+7, y+3, d.tr(desimal(breaks[i], 2)+"–"+desimal(breaks[i+1], 2)))
		x += 32
	}
	d.f.SetY(y + 6)
}

func scoreCell(r rankRow, k int) string {
	if !r.has[k] {
		return "-"
	}
	return desimal(r.score[k], 2)
}

func changeCell(r rankRow, k int) string {
	if !r.has[k] || !r.hasPrev[k] || r.prev[k] == 0 {
		return "-"
	}
	c := r.score[k]/r.prev[k] - 1
	s := persen(c)
	if c > 0 {
		s = "+" + s
	}
	return s
}

func rankMove(r rankRow, k int) string {
	if !r.has[k] || r.rank[k] == 0 {
		return "-"
	}
	if r.prevRank[k] == 0 {
		return fmt.Sprint(r.rank[k])
	}
	return fmt.Sprintf("%d (%d)", r.rank[k], r.prevRank[k])
}
