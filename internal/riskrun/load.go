package riskrun

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/uber/h3-go/v4"
	"golang.org/x/sync/errgroup"

	"github.com/waspada-id/waspada/geo/disclosure"
	"github.com/waspada-id/waspada/geo/hexgrid"
	"github.com/waspada-id/waspada/geo/risk"
	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/store"
)

// month is a month counted from year 0 (year*12 + month-1), so that period
// arithmetic is integer arithmetic.
type month int32

func monthOf(t time.Time) month { return month(t.Year()*12 + int(t.Month()) - 1) }

func (m month) first() time.Time {
	return time.Date(int(m)/12, time.Month(int(m)%12+1), 1, 0, 0, 0, 0, time.UTC)
}

func (m month) last() time.Time { return (m + 1).first().AddDate(0, 0, -1) }

// span is a run of months [from, to] during which a layer point is present.
type span struct {
	cell     h3.Cell // at the analysis resolution
	from, to month
}

// layers holds every layer the factors need, for all periods of a run.
// Layers that count people or cases (stays, foreign workers, prior cases) are
// held on the disclosure base cells (access.DisclosureBaseRes) and reach the
// model only as published counts (geo/disclosure: a base cell under
// access.MinPublishedCount counts as empty), mapped to the analysis
// resolution afterwards; the rest are at the analysis resolution. So every
// score, factor value and contribution a run stores is a function of
// published base cells and public layers, and may be shown to any role.
type layers struct {
	res        int
	spans      map[string][]spanCount           // layer (resident|hotel) -> stays counted by span, sorted by base cell
	static     map[string][]risk.Point          // worksite, ports
	binaan     map[month]map[h3.Cell]float64    // established month -> cell -> count
	indicators map[string]map[string][]indValue // name -> kabupaten -> values by period
}

// spanCount is a span with the number of stays sharing it.
type spanCount struct {
	span
	n float64
}

type indValue struct {
	period month
	value  float64
}

// priorFrom..priorTo is the window of the prior-incident layers (the 12
// months before the training window); they do not change with the period.
//
// The residents (a million rows nationally) load on one connection while the
// other layers load on another.
func loadLayers(ctx context.Context, pool *pgxpool.Pool, q store.Named, res int, lastPeriod month, indicatorNames []string, priorFrom, priorTo time.Time) (*layers, error) {
	l := &layers{res: res,
		static: map[string][]risk.Point{}, binaan: map[month]map[h3.Cell]float64{}, indicators: map[string]map[string][]indValue{}}
	var g errgroup.Group
	g.Go(func() error { return l.loadStays(ctx, pool, q) })
	g.Go(func() error { return l.loadOthers(ctx, pool, q, lastPeriod, indicatorNames, priorFrom, priorTo) })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return l, nil
}

// loadStays fills l.spans from the residents, read in two halves of the
// table side by side (a million rows nationally: the longest load).
func (l *layers) loadStays(ctx context.Context, pool *pgxpool.Pool, q store.Named) error {
	var half int64
	if err := pool.QueryRow(ctx, q.Get("resident_blocks")).Scan(&half); err != nil {
		return fmt.Errorf("load residents: %w", err)
	}
	const lastBlock = 1<<32 - 1 // beyond any block number
	bounds := [][2]int64{{0, half}, {half, lastBlock}}
	parts := make([][2][]stay, len(bounds)) // per part: residences, hotels
	var g errgroup.Group
	for i, b := range bounds {
		g.Go(func() (err error) {
			parts[i], err = readStays(ctx, pool, q, access.DisclosureBaseRes, b[0], b[1])
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("load residents: %w", err)
	}
	// Sorted once and counted, so that each period's inputs are one linear
	// pass that yields points already sorted and unique by cell.
	l.spans = map[string][]spanCount{}
	for k, layer := range []string{risk.LayerResident, risk.LayerHotel} {
		var all []stay
		for _, p := range parts {
			all = append(all, p[k]...)
		}
		slices.SortFunc(all, func(a, b stay) int {
			if c := cmp.Compare(a.cell, b.cell); c != 0 {
				return c
			}
			if c := cmp.Compare(a.from, b.from); c != 0 {
				return c
			}
			return cmp.Compare(a.to, b.to)
		})
		var sc []spanCount
		for _, s := range all {
			if n := len(sc) - 1; n >= 0 && sc[n].span == s.span() {
				sc[n].n++
				continue
			}
			sc = append(sc, spanCount{s.span(), 1})
		}
		l.spans[layer] = sc
	}
	return nil
}

// stay is one resident's presence, by analysis cell and months.
type stay struct {
	cell     h3.Cell
	from, to month
}

func (s stay) span() span { return span{s.cell, s.from, s.to} }

// readStays reads the residents in table blocks [fromBlock, toBlock), split
// into residences and hotel stays. The four columns are decoded from pgx's
// raw binary values: Scan's per-value conversions were most of the load.
func readStays(ctx context.Context, pool *pgxpool.Pool, q store.Named, res int, fromBlock, toBlock int64) ([2][]stay, error) {
	var out [2][]stay
	rows, err := pool.Query(ctx, q.Get("residents"), fromBlock, toBlock)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for _, fd := range rows.FieldDescriptions() {
		if fd.Format != pgx.BinaryFormatCode {
			return out, fmt.Errorf("column %s not in binary format", fd.Name)
		}
	}
	for rows.Next() {
		v := rows.RawValues()
		if len(v) != 6 || len(v[0]) != 8 || len(v[1]) != 8 || len(v[2]) != 8 || len(v[3]) != 1 || len(v[4]) != 4 || len(v[5]) != 4 {
			return out, errors.New("unexpected row shape (a NULL date?)")
		}
		// People are counted on the disclosure base cells the tiles publish:
		// the resolution-res parent of the stored resolution-9 cell (for a
		// point near a cell's edge that may be the neighbour of the cell it
		// lies in; one partition for every published count matters more).
		c, ok := hexgrid.ParentAt(h3.Cell(binary.BigEndian.Uint64(v[0])), res)
		if !ok {
			continue
		}
		k := 0
		if v[3][0] != 0 {
			k = 1
		}
		from := monthOfDays(int32(binary.BigEndian.Uint32(v[4])))
		to := monthOfDays(int32(binary.BigEndian.Uint32(v[5])))
		out[k] = append(out[k], stay{c, from, to})
	}
	return out, rows.Err()
}

// monthOfDays is the month of the day d days after 2000-01-01 (negative
// before it): the civil-from-days algorithm of H. Hinnant, in integers.
func monthOfDays(d int32) month {
	z := int64(d) + 10957 + 719468 // days since 0000-03-01
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return month(y*12 + m - 1)
}

// loadOthers fills the static layers (worksites, ports, prior incidents),
// desa binaan and indicators.
func (l *layers) loadOthers(ctx context.Context, pool *pgxpool.Pool, q store.Named, lastPeriod month, indicatorNames []string, priorFrom, priorTo time.Time) error {
	res := l.res
	var lon, lat float64
	var from time.Time
	rows, err := pool.Query(ctx, q.Get("worksites"))
	if err != nil {
		return fmt.Errorf("load worksites: %w", err)
	}
	var workers int64
	for rows.Next() {
		if err := rows.Scan(&lon, &lat, &workers); err != nil {
			rows.Close()
			return fmt.Errorf("load worksites: %w", err)
		}
		if c, ok := pointCell(lon, lat, res); ok {
			// A worksite is public (the tiles show every one); its number of
			// foreign workers counts people and is published per site, as in
			// the worksites tile: under the minimum it weighs nothing.
			w, _ := disclosure.Publish(workers, access.MinPublishedCount)
			l.static[risk.LayerWorksite] = append(l.static[risk.LayerWorksite], risk.Point{Cell: c, Count: 1, Weight: float64(w)})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load worksites: %w", err)
	}

	rows, err = pool.Query(ctx, q.Get("ports"))
	if err != nil {
		return fmt.Errorf("load ports: %w", err)
	}
	var kind string
	for rows.Next() {
		if err := rows.Scan(&lon, &lat, &kind); err != nil {
			rows.Close()
			return fmt.Errorf("load ports: %w", err)
		}
		c, ok := pointCell(lon, lat, res)
		if !ok {
			continue
		}
		layer := risk.LayerPortOfficial
		switch kind {
		case "special_terminal", "private_terminal":
			layer = risk.LayerPortTerminal
		case "informal":
			layer = risk.LayerPortInformal
		}
		l.static[layer] = append(l.static[layer], risk.Point{Cell: c, Count: 1, Weight: 1})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load ports: %w", err)
	}

	rows, err = pool.Query(ctx, q.Get("incidents"), priorFrom, priorTo)
	if err != nil {
		return fmt.Errorf("load prior incidents: %w", err)
	}
	var day time.Time
	var cell int64
	for rows.Next() {
		if err := rows.Scan(&kind, &day, &lon, &lat, &cell); err != nil {
			rows.Close()
			return fmt.Errorf("load prior incidents: %w", err)
		}
		// Cases reach the model on the disclosure base cells, as in the tiles.
		if c, ok := hexgrid.ParentAt(h3.Cell(cell), access.DisclosureBaseRes); ok {
			layer := risk.LayerPriorTPPO
			if kind == "pmi" {
				layer = risk.LayerPriorPMI
			}
			l.static[layer] = append(l.static[layer], risk.Point{Cell: c, Count: 1, Weight: 1})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load prior incidents: %w", err)
	}
	for _, layer := range []string{risk.LayerPriorTPPO, risk.LayerPriorPMI} {
		pts := l.static[layer]
		sort.Slice(pts, func(i, j int) bool { return pts[i].Cell < pts[j].Cell })
		l.static[layer] = publishedAt(mergeCells(pts), res)
	}

	rows, err = pool.Query(ctx, q.Get("desa_binaan"))
	if err != nil {
		return fmt.Errorf("load desa binaan: %w", err)
	}
	for rows.Next() {
		if err := rows.Scan(&lon, &lat, &from); err != nil {
			rows.Close()
			return fmt.Errorf("load desa binaan: %w", err)
		}
		if c, ok := pointCell(lon, lat, res); ok {
			m := monthOf(from)
			if l.binaan[m] == nil {
				l.binaan[m] = map[h3.Cell]float64{}
			}
			l.binaan[m][c]++
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load desa binaan: %w", err)
	}

	rows, err = pool.Query(ctx, q.Get("indicators"), indicatorNames, lastPeriod.last())
	if err != nil {
		return fmt.Errorf("load indicators: %w", err)
	}
	var (
		code, name string
		period     time.Time
		value      float64
	)
	for rows.Next() {
		if err := rows.Scan(&code, &period, &name, &value); err != nil {
			rows.Close()
			return fmt.Errorf("load indicators: %w", err)
		}
		if l.indicators[name] == nil {
			l.indicators[name] = map[string][]indValue{}
		}
		l.indicators[name][code] = append(l.indicators[name][code], indValue{monthOf(period), value})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load indicators: %w", err)
	}
	return nil
}

// inputs is the state of every layer in month m: stays present at any time in
// the month, desa binaan established by its end, and each kabupaten's latest
// indicator value at or before m.
func (l *layers) inputs(m month) risk.Inputs {
	in := risk.Inputs{Points: map[string][]risk.Point{}, Indicators: map[string]map[string]float64{}}
	for layer, spans := range l.spans {
		var pts []risk.Point
		for _, s := range spans {
			if s.from > m || s.to < m {
				continue
			}
			if k := len(pts) - 1; k >= 0 && pts[k].Cell == s.cell {
				pts[k].Count += s.n
				pts[k].Weight += s.n
				continue
			}
			pts = append(pts, risk.Point{Cell: s.cell, Count: s.n, Weight: s.n})
		}
		in.Points[layer] = publishedAt(pts, l.res)
	}
	for layer, pts := range l.static {
		in.Points[layer] = pts
	}
	byCell := map[h3.Cell]float64{}
	for est, cells := range l.binaan {
		if est <= m {
			for c, n := range cells {
				byCell[c] += n
			}
		}
	}
	in.Points[risk.LayerDesaBinaan] = pointsOf(byCell)
	for name, byKab := range l.indicators {
		vals := map[string]float64{}
		for code, series := range byKab {
			// series is sorted by period; take the last one at or before m.
			i := sort.Search(len(series), func(i int) bool { return series[i].period > m })
			if i > 0 {
				vals[code] = series[i-1].value
			}
		}
		in.Indicators[name] = vals
	}
	return in
}

// mergeCells sums points sorted by cell into one point a cell.
func mergeCells(pts []risk.Point) []risk.Point {
	out := pts[:0:0]
	for _, p := range pts {
		if k := len(out) - 1; k >= 0 && out[k].Cell == p.Cell {
			out[k].Count += p.Count
			out[k].Weight += p.Weight
			continue
		}
		out = append(out, p)
	}
	return out
}

// publishedAt applies the disclosure rule to counts on base cells (sorted and
// unique by cell) and moves the published ones to the analysis resolution:
// summed into parents when it is coarser, at the centre child when it is
// finer (the published figure says nothing about where inside its base cell
// the people are, so neither may the model). The result is sorted by cell.
func publishedAt(base []risk.Point, res int) []risk.Point {
	out := make([]risk.Point, 0, len(base))
	for _, p := range base {
		n, ok := disclosure.Publish(int64(p.Count), access.MinPublishedCount)
		if !ok {
			continue
		}
		c := p.Cell
		switch {
		case res < access.DisclosureBaseRes:
			c, _ = hexgrid.ParentAt(c, res)
		case res > access.DisclosureBaseRes:
			c = c.CenterChild(res)
		}
		q := risk.Point{Cell: c, Count: float64(n), Weight: float64(n)}
		if k := len(out) - 1; k >= 0 && out[k].Cell == c {
			out[k].Count += q.Count
			out[k].Weight += q.Weight
			continue
		}
		out = append(out, q)
	}
	// Parents and centre children keep the order of their base cells (the
	// index bits above the resolution are the same), so out is sorted.
	return out
}

func pointsOf(byCell map[h3.Cell]float64) []risk.Point {
	out := make([]risk.Point, 0, len(byCell))
	for c, n := range byCell {
		out = append(out, risk.Point{Cell: c, Count: n, Weight: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Cell < out[j].Cell })
	return out
}

// gridEntry is the analysis grid with what the risk_grid cache knows of it.
type gridEntry struct {
	grid        *hexgrid.Grid
	prov        map[string]string // kabupaten code -> province code
	cached      bool              // read from the cache, not covered anew
	fingerprint string            // of the kabupaten boundaries it was made from
	hexagons    bool              // every hexagon of every level is in risk_hexagon
	nbr         []hexgrid.CSR     // cached neighbour lists per level (analysis resolution first), or nil
}

// loadGrid returns the analysis grid at res with its coastal band, and each
// kabupaten's province: from the risk_grid cache when the boundaries are
// those it was made from, else covered anew and cached.
func loadGrid(ctx context.Context, pool *pgxpool.Pool, q store.Named, res int, bandKm float64, giRings int) (*gridEntry, error) {
	ge := &gridEntry{prov: map[string]string{}}
	rows, err := pool.Query(ctx, q.Get("kabupaten_provinces"))
	if err != nil {
		return nil, fmt.Errorf("load kabupaten: %w", err)
	}
	var code, pcode string
	_, err = pgx.ForEachRow(rows, []any{&code, &pcode}, func() error { ge.prov[code] = pcode; return nil })
	if err != nil {
		return nil, fmt.Errorf("load kabupaten: %w", err)
	}
	if len(ge.prov) == 0 {
		return nil, fmt.Errorf("no kabupaten polygons: run `waspada import reference` first")
	}
	if err := pool.QueryRow(ctx, q.Get("kabupaten_fingerprint")).Scan(&ge.fingerprint); err != nil {
		return nil, fmt.Errorf("kabupaten fingerprint: %w", err)
	}
	var cellsB, areaB, bandB, nbrB []byte
	var codes []string
	var hexagons bool
	err = pool.QueryRow(ctx, q.Get("grid_get"), int16(res), bandKm, ge.fingerprint, nbrKey(giRings)).Scan(&cellsB, &areaB, &bandB, &codes, &hexagons, &nbrB)
	switch {
	case err == nil:
		if g, err := decodeGrid(res, cellsB, areaB, bandB, codes); err == nil {
			ge.grid, ge.cached, ge.hexagons = g, true, hexagons
			if nbrB != nil {
				// A damaged entry is found again (and rewritten) by the compute.
				ge.nbr, _ = decodeCSRs(nbrB)
			}
			return ge, nil
		}
		// A damaged cache entry is recomputed and overwritten below.
	case !errors.Is(err, pgx.ErrNoRows):
		return nil, fmt.Errorf("read grid cache: %w", err)
	}
	g, err := coverKabupaten(ctx, pool, q, res, bandKm)
	if err != nil {
		return nil, err
	}
	cellsB, areaB, bandB = encodeGrid(g)
	if _, err := pool.Exec(ctx, q.Get("grid_put"), int16(res), bandKm, ge.fingerprint, cellsB, areaB, bandB, g.Codes); err != nil {
		return nil, fmt.Errorf("write grid cache: %w", err)
	}
	ge.grid = g
	return ge, nil
}

func encodeGrid(g *hexgrid.Grid) (cells, area, band []byte) {
	cells = make([]byte, 0, 8*g.Len())
	area = make([]byte, 0, 4*g.Len())
	band = make([]byte, g.Len())
	for i, c := range g.Cells {
		cells = binary.LittleEndian.AppendUint64(cells, uint64(c))
		area = binary.LittleEndian.AppendUint32(area, uint32(g.Area[i]))
		if g.Band[i] {
			band[i] = 1
		}
	}
	return cells, area, band
}

func decodeGrid(res int, cellsB, areaB, bandB []byte, codes []string) (*hexgrid.Grid, error) {
	n := len(cellsB) / 8
	if len(cellsB) != 8*n || len(areaB) != 4*n || len(bandB) != n {
		return nil, fmt.Errorf("grid cache: %d, %d and %d bytes do not describe one set of cells", len(cellsB), len(areaB), len(bandB))
	}
	cells, area, band := make([]h3.Cell, n), make([]int32, n), make([]bool, n)
	for i := range cells {
		cells[i] = h3.Cell(binary.LittleEndian.Uint64(cellsB[8*i:]))
		area[i] = int32(binary.LittleEndian.Uint32(areaB[4*i:]))
		band[i] = bandB[i] == 1
	}
	return hexgrid.Restore(res, cells, area, codes, band)
}

// coverKabupaten covers every kabupaten polygon at res with a coastal band.
func coverKabupaten(ctx context.Context, pool *pgxpool.Pool, q store.Named, res int, bandKm float64) (*hexgrid.Grid, error) {
	rows, err := pool.Query(ctx, q.Get("kabupaten_polygons"))
	if err != nil {
		return nil, fmt.Errorf("load kabupaten: %w", err)
	}
	var parts []hexgrid.Part
	var code, pcode string
	var b []byte
	for rows.Next() {
		if err := rows.Scan(&code, &pcode, &b); err != nil {
			rows.Close()
			return nil, fmt.Errorf("load kabupaten: %w", err)
		}
		g, err := wkb.Unmarshal(b)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("kabupaten %s: %w", code, err)
		}
		if p, ok := g.(orb.Polygon); ok {
			parts = append(parts, hexgrid.Part{Code: code, Polygon: p})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("load kabupaten: %w", err)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("no kabupaten polygons: run `waspada import reference` first")
	}
	return hexgrid.Cover(parts, res, bandKm)
}

// nbrKey names the neighbour lists a grid cache entry holds: the format and
// the ring count. Another key (other rings, a future format) is a miss.
func nbrKey(rings int) string { return fmt.Sprintf("csr-v1 k=%d", rings) }

// encodeCSRs packs neighbour lists, level after level: cell count, neighbour
// count, then the offsets and the neighbours, little-endian 32-bit.
func encodeCSRs(cs []hexgrid.CSR) []byte {
	n := 0
	for _, c := range cs {
		n += 8 + 4*(len(c.Off)+len(c.Nbr))
	}
	b := make([]byte, 0, n)
	for _, c := range cs {
		b = binary.LittleEndian.AppendUint32(b, uint32(c.Len()))
		b = binary.LittleEndian.AppendUint32(b, uint32(len(c.Nbr)))
		for _, v := range c.Off {
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		}
		for _, v := range c.Nbr {
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		}
	}
	return b
}

// decodeCSRs unpacks encodeCSRs, checking that every list is well formed
// (offsets from 0 rising to the neighbour count, neighbours inside the level).
func decodeCSRs(b []byte) ([]hexgrid.CSR, error) {
	var out []hexgrid.CSR
	u32 := func() (int, error) {
		if len(b) < 4 {
			return 0, errors.New("neighbour cache: truncated")
		}
		v := binary.LittleEndian.Uint32(b)
		b = b[4:]
		return int(v), nil
	}
	for len(b) > 0 {
		cells, err := u32()
		if err != nil {
			return nil, err
		}
		nn, err := u32()
		if err != nil {
			return nil, err
		}
		if len(b) < 4*(cells+1+nn) {
			return nil, errors.New("neighbour cache: truncated")
		}
		c := hexgrid.CSR{Off: make([]int32, cells+1), Nbr: make([]int32, nn)}
		for i := range c.Off {
			c.Off[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
			if (i == 0 && c.Off[i] != 0) || (i > 0 && c.Off[i] < c.Off[i-1]) {
				return nil, errors.New("neighbour cache: offsets not rising from 0")
			}
		}
		b = b[4*len(c.Off):]
		if int(c.Off[cells]) != nn {
			return nil, errors.New("neighbour cache: offsets do not end at the neighbour count")
		}
		for i := range c.Nbr {
			v := int32(binary.LittleEndian.Uint32(b[4*i:]))
			if v < 0 || int(v) >= cells {
				return nil, errors.New("neighbour cache: neighbour outside the level")
			}
			c.Nbr[i] = v
		}
		b = b[4*nn:]
		out = append(out, c)
	}
	return out, nil
}
