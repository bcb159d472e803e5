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
	"github.com/waspada-id/waspada/geo/mclp"
	"github.com/waspada-id/waspada/geo/present"
	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/audit"
)

// Bounds of the brief.
const (
	briefMapMaxCells = 40000 // cells drawn per map: the finest resolution under this
	briefHotspots    = 10
	briefTopNations  = 12
	briefHighLevel   = 3 // "high risk" in the brief: class Cukup tinggi and above (national top 10 %)
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
	rankNat    [2]int // national rank and ranked population, this period
	ofNat      [2]int
	change     [2]float64 // the stored ratio change (weighted / previous - 1)
	hasChange  [2]bool
	prevLevel  [2]int // national class level last period; -1 unknown
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
	perKab                     map[string]*kabCover
}

// kabCover is one kabupaten's high-risk cells and those a desa binaan reaches.
type kabCover struct{ high, covered int }

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
	breaks     [2][]float64 // national class breaks at mapRes (geo/present)
	runBreaks  [2][]float64 // and at the run's resolution (high-risk cells)
	outlines   []outline
	neighbours []neighbour // countries around the province, for context
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
		var rank, rankNat *int
		var cells, ofNat int
		var change *float64
		if err := rows.Scan(&code, &name, &kind, &period, &ws, &prevW, &rank, &cells, &rankNat, &change, &ofNat); err != nil {
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
			rr = &rankRow{code: code, name: name, prevLevel: [2]int{-1, -1}}
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
			if change != nil {
				rr.change[k], rr.hasChange[k] = *change, true
			}
			if rankNat != nil {
				rr.rankNat[k], rr.ofNat[k] = *rankNat, ofNat
			}
		} else {
			rr.prevRank[k] = rk
			if rankNat != nil {
				rr.prevLevel[k] = present.LevelOfRank(*rankNat, ofNat)
			}
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
		// Coverage of high-risk analysis cells by existing desa binaan. High
		// risk is the map's own classes: "Cukup tinggi" and above, the
		// national top 10 % of cells.
		cells, kabOf, err := h.cellsWithKabupaten(ctx, run.id, kind, run.res, rg.Kabs)
		if err != nil {
			return nil, err
		}
		if bd.runBreaks[k], err = h.classBreaks(ctx, run.id, kind, run.res); err != nil {
			return nil, err
		}
		cv := coverage{binaan: inProv, perKab: map[string]*kabCover{}}
		if len(cells) > 0 && len(bd.runBreaks[k]) >= briefHighLevel {
			cv.threshold = bd.runBreaks[k][briefHighLevel-1]
			var demand []mclp.Demand
			var demandKab []string
			for c, s := range cells {
				if s < cv.threshold {
					continue
				}
				ll := c.LatLng()
				demand = append(demand, mclp.Demand{Point: mclp.Point{Lat: ll.Lat, Lon: ll.Lng}, Weight: s})
				demandKab = append(demandKab, kabOf[c])
			}
			cov := coveredBy(demand, fixed, DefaultRadiusKm)
			for i := range demand {
				kc := cv.perKab[demandKab[i]]
				if kc == nil {
					kc = &kabCover{}
					cv.perKab[demandKab[i]] = kc
				}
				cv.highCells++
				kc.high++
				if cov[i] {
					cv.covered++
					kc.covered++
				}
			}
		}
		bd.cover[k] = cv
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
		if mapRes >= 0 {
			if bd.breaks[k], err = h.classBreaks(ctx, run.id, kind, mapRes); err != nil {
				return nil, err
			}
		}
		if mapRes == run.res {
			bd.cells[k] = cells
		} else if mapRes >= 0 {
			if bd.cells[k], err = h.cells(ctx, run.id, kind, mapRes, rg.Kabs); err != nil {
				return nil, err
			}
		}
		// Hot spots.
		// Three times as many as listed: cells next to each other share their
		// nearest village, and a village is listed once (its highest cell).
		rows, err = h.db.Query(ctx, h.q.Get("brief_hotspots"), run.id, kind, run.res, rg.Kabs, 3*briefHotspots)
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
			if len(bd.hotspots[k]) < briefHotspots && !slices.ContainsFunc(bd.hotspots[k], func(o hotspot) bool {
				return o.desa == hs.desa && o.kec == hs.kec && o.kab == hs.kab
			}) {
				bd.hotspots[k] = append(bd.hotspots[k], hs)
			}
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
	if bd.neighbours, err = h.neighbours(ctx, briefMapBound(rg.Box), tol, rg.Code); err != nil {
		return nil, err
	}
	return bd, nil
}

// classBreaks are the national class breaks of a kind at a resolution: the
// same population and the same rule as the API's /api/presentation.
func (h *handlers) classBreaks(ctx context.Context, run int64, kind string, res int) ([]float64, error) {
	rows, err := h.db.Query(ctx, h.q.Get("brief_class_scores"), run, kind, res)
	if err != nil {
		return nil, fmt.Errorf("class scores: %w", err)
	}
	s, err := pgx.CollectRows(rows, pgx.RowTo[float64])
	if err != nil {
		return nil, fmt.Errorf("class scores: %w", err)
	}
	return present.Breaks(s), nil
}

// cellsWithKabupaten is cells with each cell's kabupaten, in one read.
func (h *handlers) cellsWithKabupaten(ctx context.Context, run int64, kind string, res int, kabs []string) (map[h3.Cell]float64, map[h3.Cell]string, error) {
	rows, err := h.db.Query(ctx, h.q.Get("brief_cell_kabupaten"), run, kind, res, kabs)
	if err != nil {
		return nil, nil, fmt.Errorf("cell kabupaten: %w", err)
	}
	defer rows.Close()
	scores, kabOf := map[h3.Cell]float64{}, map[h3.Cell]string{}
	for rows.Next() {
		var c int64
		var s float64
		var kab string
		if err := rows.Scan(&c, &s, &kab); err != nil {
			return nil, nil, err
		}
		scores[h3.Cell(c)], kabOf[h3.Cell(c)] = s, kab
	}
	return scores, kabOf, rows.Err()
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
