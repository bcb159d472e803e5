package workflow

import (
	"bytes"
	"context"
	"fmt"
	"image/color"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"github.com/waspada-id/waspada/geo/mapimage"
)

type outline struct {
	code, name string
	geom       orb.Geometry
	label      orb.Point
}

// outlines reads simplified kabupaten outlines; tol is in degrees (about a
// pixel of the target image is plenty).
func (h *handlers) outlines(ctx context.Context, codes []string, tol float64) ([]outline, error) {
	rows, err := h.db.Query(ctx, h.q.Get("kabupaten_outlines"), codes, tol)
	if err != nil {
		return nil, fmt.Errorf("kabupaten outlines: %w", err)
	}
	defer rows.Close()
	var out []outline
	for rows.Next() {
		var o outline
		var b []byte
		if err := rows.Scan(&o.code, &o.name, &b, &o.label[0], &o.label[1]); err != nil {
			return nil, err
		}
		g, err := wkb.Unmarshal(b)
		if err != nil {
			return nil, fmt.Errorf("outline %s: %w", o.code, err)
		}
		o.geom = g
		out = append(out, o)
	}
	return out, rows.Err()
}

func rgb(r, g, b uint8) color.RGBA { return color.RGBA{r, g, b, 255} }

// rgba is a colour of straight (not premultiplied) r, g, b at opacity a. Go's
// color.RGBA is alpha-premultiplied: RGBA{255, 200, 0, 40} is not a light
// orange but an invalid value that drew the operation area solid magenta.
func rgba(r, g, b, a uint8) color.RGBA {
	return color.RGBAModel.Convert(color.NRGBA{r, g, b, a}).(color.RGBA)
}
func pngBytes(m *mapimage.Map) ([]byte, error) {
	var buf bytes.Buffer
	if err := m.PNG(&buf); err != nil {
		return nil, fmt.Errorf("encode map image: %w", err)
	}
	return buf.Bytes(), nil
}

// operationMap draws the area, the kabupaten around it, and each team's
// stops and path in the team's colour.
func (h *handlers) operationMap(ctx context.Context, plan *OperationPlan, widthPx, heightPx int) (*mapimage.Map, []byte, error) {
	bb := plan.Area.BBox
	if bb == ([4]float64{}) {
		return nil, nil, nil
	}
	b := orb.Bound{Min: orb.Point{bb[0], bb[1]}, Max: orb.Point{bb[2], bb[3]}}
	// 8% margin so stops on the edge are not cut.
	dx, dy := math.Max(0.01, (b.Max[0]-b.Min[0])*0.08), math.Max(0.01, (b.Max[1]-b.Min[1])*0.08)
	b.Min[0], b.Min[1], b.Max[0], b.Max[1] = b.Min[0]-dx, b.Min[1]-dy, b.Max[0]+dx, b.Max[1]+dy
	m, err := mapimage.New(b, widthPx, heightPx, 8, rgb(214, 230, 240)) // sea
	if err != nil {
		return nil, nil, err
	}
	tol := (b.Max[0] - b.Min[0]) / float64(widthPx)
	ol, err := h.outlines(ctx, plan.Area.Kabupaten, tol)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range ol {
		m.Geometry(o.geom, mapimage.Style{Fill: rgb(246, 244, 238), Stroke: rgb(150, 150, 150), StrokePx: 1})
	}
	if plan.geom != nil {
		m.Geometry(plan.geom, mapimage.Style{Fill: rgba(255, 200, 0, 40), Stroke: rgb(200, 120, 0), StrokePx: 2.5})
	}
	for g, t := range plan.Teams {
		c := mapimage.TeamColour(g)
		var ls orb.LineString
		if s := plan.Request.Start; s != nil {
			ls = append(ls, orb.Point{s.Lon, s.Lat})
		}
		for _, s := range t.Stops {
			ls = append(ls, orb.Point{s.Lon, s.Lat})
		}
		if len(ls) > 1 {
			m.Path(ls, 3, rgba(c.R, c.G, c.B, 210))
		}
		for _, s := range t.Stops {
			r := 8.0
			if s.Kind == kindWorksite || s.Kind == kindHotel {
				r = 12
			}
			m.Marker(orb.Point{s.Lon, s.Lat}, r, mapimage.Style{Fill: c, Stroke: rgb(255, 255, 255), StrokePx: 2})
		}
	}
	if s := plan.Request.Start; s != nil {
		m.Marker(orb.Point{s.Lon, s.Lat}, 12, mapimage.Style{Fill: rgb(0, 0, 0), Stroke: rgb(255, 255, 255), StrokePx: 3})
	}
	png, err := pngBytes(m)
	return m, png, err
}
