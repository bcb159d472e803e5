package tiles

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/geojson"
	"github.com/uber/h3-go/v4"

	"github.com/waspada-id/waspada/geo/tilemath"
	"github.com/waspada-id/waspada/internal/access"
	"github.com/waspada-id/waspada/internal/store"
)

// MVT geometry parameters, the same in SQL (tiles.sql) and Go.
const (
	extent = 4096
	buffer = 64
	// riskMinCellPx: a risk hexagon is drawn at least this many pixels wide, so
	// the chosen resolution puts at most about 1,500 cells in a land tile
	// (512²/(0.87·14²)); the next zoom doubles the width, so 14–37 px.
	riskMinCellPx = 14
	// When even the coarsest stored resolution is narrower than this, the risk
	// layer is empty at that zoom: thousands of specks cost 200 ms a tile and show
	// nothing the kabupaten choropleth does not.
	riskFloorPx = riskMinCellPx / 2
)

// aggregateResolutions are the H3 resolutions aggregate layers can count at:
// parents of the stored resolution-9 cells.
func aggregateResolutions() []int { return []int{5, 6, 7, 8, 9} }

// snapshot is the data version tiles are rendered from; it changes when a risk
// run completes or an import lands, and each change purges the cache.
type snapshot struct {
	Gen      uint64
	RunID    int64
	ImportID int64
	RiskRes  []int // H3 resolutions present in the run
}

// renderer turns (tileset, tile, principal, snapshot) into MVT bytes.
type renderer struct {
	pool *pgxpool.Pool
	q    store.Named
}

// visible reports whether layer l is part of tile z for principal p.
func visible(l *Layer, z uint32, p access.Principal) bool {
	if z < l.MinZoom || z > l.MaxZoom {
		return false
	}
	personal := p.MayUsePersonalAnywhere()
	if l.Personal && !personal {
		return false
	}
	if l.Cells != nil && personal && z >= l.Cells.PersonalFrom {
		return false
	}
	return true
}

// render builds the tile. SQL layers go to PostGIS in one batch (one round trip);
// cell-count layers are counted in SQL and encoded here. The result is the
// concatenation of the layers in tileset order, empty when no layer has features.
func (r *renderer) render(ctx context.Context, ts *Tileset, t tilemath.Tile, p access.Principal, snap *snapshot) ([]byte, error) {
	scope := p.ScopeCodes() // nil = national; an empty scope matches nothing
	parts := make([][]byte, len(ts.Layers))
	batch := &pgx.Batch{}
	for i := range ts.Layers {
		l := &ts.Layers[i]
		if !visible(l, t.Z, p) || l.Cells != nil {
			continue
		}
		args := []any{int32(t.Z), int32(t.X), int32(t.Y)}
		switch l.Args {
		case argsScope:
			args = append(args, scope)
		case argsRun:
			args = append(args, scope, snap.RunID)
		case argsRisk:
			if snap.RunID == 0 {
				continue
			}
			res, ok := tilemath.ResolutionForZoom(t.Z, snap.RiskRes, riskMinCellPx)
			if !ok || tilemath.CellPixels(res, t.Z) < riskFloorPx {
				continue
			}
			args = append(args, scope, snap.RunID, int16(res))
		}
		dst := &parts[i]
		name := l.Name
		batch.Queue(r.q.Get(l.Query), args...).QueryRow(func(row pgx.Row) error {
			if err := row.Scan(dst); err != nil {
				return fmt.Errorf("layer %s: %w", name, err)
			}
			return nil
		})
	}
	if batch.Len() > 0 {
		if err := r.pool.SendBatch(ctx, batch).Close(); err != nil {
			return nil, fmt.Errorf("tile %s/%s: %w", ts.Name, t, err)
		}
	}
	for i := range ts.Layers {
		l := &ts.Layers[i]
		if l.Cells == nil || !visible(l, t.Z, p) {
			continue
		}
		b, err := r.renderCells(ctx, l, t, scope, p.MayUsePersonalAnywhere())
		if err != nil {
			return nil, fmt.Errorf("tile %s/%s: layer %s: %w", ts.Name, t, l.Name, err)
		}
		parts[i] = b
	}
	n := 0
	for _, b := range parts {
		n += len(b)
	}
	out := make([]byte, 0, n)
	for _, b := range parts {
		out = append(out, b...)
	}
	return out, nil
}

// renderCells counts points per H3 cell and emits one point per cell at the
// cell's centre. Each cell belongs to the tile (or its buffer) that holds its
// centre, and the query box is grown by a cell's width so such a cell is
// counted whole, never the part of it that happens to fall in the tile.
// Without personal-data rights, counts from 1 to MinPublishedCount-1 are not
// published and only the total is given (per-kind counts would let a reader
// subtract their way to a small number).
func (r *renderer) renderCells(ctx context.Context, l *Layer, t tilemath.Tile, scope []string, personal bool) ([]byte, error) {
	res, _ := tilemath.ResolutionForZoom(t.Z, aggregateResolutions(), l.Cells.MinCellPx)
	b := t.Buffered3857(buffer, extent)
	minLon, minLat := tilemath.MercatorToLonLat(b.MinX, b.MinY)
	maxLon, maxLat := tilemath.MercatorToLonLat(b.MaxX, b.MaxY)
	// Degrees per km are about 1/111 in latitude and 1/(111·cos φ) in longitude;
	// Indonesia lies within 11° of the equator (cos ≥ 0.98).
	m := 2 * tilemath.H3EdgeKm(res) / 111.0 / 0.97
	rows, err := r.pool.Query(ctx, r.q.Get(l.Query), minLon-m, minLat-m, maxLon+m, maxLat+m, scope, int32(res))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	fds := rows.FieldDescriptions()
	names := make([]string, len(fds))
	for i, fd := range fds {
		names[i] = fd.Name
	}
	vals := make([]int64, len(fds))
	dst := make([]any, len(fds))
	for i := range vals {
		dst[i] = &vals[i]
	}
	layer := &mvt.Layer{Name: l.Name, Version: 2, Extent: extent}
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return nil, err
		}
		cell := h3.Cell(vals[0])
		count := vals[1]
		if !cell.IsValid() || count <= 0 {
			continue
		}
		if !personal && count < access.MinPublishedCount {
			continue
		}
		ll := cell.LatLng()
		x, y := tilemath.LonLatToMercator(ll.Lng, ll.Lat)
		if x < b.MinX || x >= b.MaxX || y < b.MinY || y >= b.MaxY {
			continue
		}
		tx, ty := t.ToTileSpace(x, y, extent)
		props := geojson.Properties{"h3": cell.String(), "res": res, "count": count}
		if personal {
			for i := 2; i < len(vals); i++ {
				props[names[i]] = vals[i]
			}
		}
		f := geojson.NewFeature(orb.Point{float64(tx), float64(ty)})
		f.ID = uint64(cell)
		f.Properties = props
		layer.Features = append(layer.Features, f)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(layer.Features) == 0 {
		return nil, nil
	}
	return mvt.Marshal(mvt.Layers{layer})
}
