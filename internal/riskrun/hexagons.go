package riskrun

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"

	"github.com/jackc/pgx/v5"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/internal/pgcopy"
)

// ensureHexagons writes into risk_hexagon the hexagon of every cell of every
// level that has none yet (migrations/008_risk_hexagon.sql). A hexagon
// depends on its H3 index alone, so this is the whole grid on a database's
// first compute and nothing after it; the grid cache remembers that it is
// done. Returns the hexagons written.
func (e *Engine) ensureHexagons(ctx context.Context, levels []*levelGrid) (int64, error) {
	var total int64
	added := false
	for _, lg := range levels {
		var none bool
		if err := e.pool.QueryRow(ctx, e.q.Get("hexagons_none"), int16(lg.res)).Scan(&none); err != nil {
			return total, fmt.Errorf("risk: hexagons at res %d: %w", lg.res, err)
		}
		if none {
			n, err := e.loadHexagons(ctx, lg.res, lg.grid.Cells)
			if err != nil {
				return total, err
			}
			total += n
			continue
		}
		ids := make([]int64, len(lg.grid.Cells))
		for i, c := range lg.grid.Cells {
			ids[i] = int64(c)
		}
		rows, err := e.pool.Query(ctx, e.q.Get("hexagons_missing"), int16(lg.res), ids)
		if err != nil {
			return total, fmt.Errorf("risk: hexagons at res %d: %w", lg.res, err)
		}
		missing, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return total, fmt.Errorf("risk: hexagons at res %d: %w", lg.res, err)
		}
		if len(missing) == 0 {
			continue
		}
		cells := make([]h3.Cell, len(missing))
		for i, v := range missing {
			cells[i] = h3.Cell(v)
		}
		n, err := pgcopy.CopyFrom(ctx, e.pool, "risk_hexagon", hexagonColumns, &hexagonSource{res: int16(lg.res), cells: cells})
		if err != nil {
			return total, fmt.Errorf("risk: write hexagons at res %d: %w", lg.res, err)
		}
		total += n
		added = true
	}
	// Hexagons added to a partition that had some: fresh statistics for the
	// tile query's plan, once (a swapped-in partition is analysed as it is
	// published).
	if added {
		if _, err := e.pool.Exec(ctx, e.q.Get("hexagons_analyze")); err != nil {
			return total, fmt.Errorf("risk: analyze hexagons: %w", err)
		}
	}
	return total, nil
}

// loadHexagons writes the first hexagons of a resolution: into a table of
// their own, indexed in one pass, then swapped in for the empty partition
// (migrations/008_risk_hexagon.sql).
func (e *Engine) loadHexagons(ctx context.Context, res int, cells []h3.Cell) (int64, error) {
	var table string
	if err := e.pool.QueryRow(ctx, e.q.Get("hexagons_stage"), int16(res)).Scan(&table); err != nil {
		return 0, fmt.Errorf("risk: stage hexagons at res %d: %w", res, err)
	}
	n, err := pgcopy.CopyFrom(ctx, e.pool, table, hexagonColumns, &hexagonSource{res: int16(res), cells: cells})
	if err != nil {
		return 0, fmt.Errorf("risk: write hexagons at res %d: %w", res, err)
	}
	if _, err := e.pool.Exec(ctx, e.q.Get("hexagons_publish"), int16(res)); err != nil {
		return 0, fmt.Errorf("risk: publish hexagons at res %d: %w", res, err)
	}
	return n, nil
}

// hexagonColumns are the columns hexagonSource writes.
var hexagonColumns = []string{"res", "h3", "geom_3857"}

// hexagonSource streams risk_hexagon rows.
type hexagonSource struct {
	res   int16
	cells []h3.Cell
	i     int
	ewkb  []byte
}

func (s *hexagonSource) Append(buf []byte) ([]byte, bool, error) {
	if s.i >= len(s.cells) {
		return buf, false, nil
	}
	c := s.cells[s.i]
	s.i++
	s.ewkb = cellEWKB(c, s.ewkb[:0])
	return pgcopy.Begin(buf, 3).Int16(s.res).Int64(int64(c)).Raw(s.ewkb).Bytes(), true, nil
}

// cellEWKB encodes a cell's hexagon (or pentagon) as an EWKB polygon in
// EPSG:3857. Passing EWKB through COPY's binary format costs PostGIS only a
// parse, no projection or text parsing; the risk tiles then read it as stored
// (internal/tiles) and only round it to the tile grid.
func cellEWKB(c h3.Cell, b []byte) []byte {
	bd := c.Boundary()
	n := len(bd) + 1
	b = append(b, 1)                                      // little endian
	b = binary.LittleEndian.AppendUint32(b, 3|0x20000000) // polygon with SRID
	b = binary.LittleEndian.AppendUint32(b, 3857)
	b = binary.LittleEndian.AppendUint32(b, 1) // one ring
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	const r = 6378137.0
	for k := 0; k < n; k++ {
		ll := bd[k%len(bd)]
		x := r * ll.Lng * math.Pi / 180
		y := r * math.Log(math.Tan(math.Pi/4+ll.Lat*math.Pi/360))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(y))
	}
	return b
}
