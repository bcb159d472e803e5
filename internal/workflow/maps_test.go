package workflow

import (
	"image/color"
	"testing"

	"github.com/paulmach/orb"

	"github.com/waspada-id/waspada/geo/mapimage"
)

// A translucent fill tints what is under it: the operation area's light
// orange over the land colour stays orange and light (it once came out solid
// magenta from a non-premultiplied colour).
func TestTranslucentFillTints(t *testing.T) {
	m, err := mapimage.New(orb.Bound{Min: orb.Point{0, 0}, Max: orb.Point{1, 1}}, 100, 100, 0, rgb(246, 244, 238))
	if err != nil {
		t.Fatal(err)
	}
	sq := orb.Polygon{{{0.2, 0.2}, {0.8, 0.2}, {0.8, 0.8}, {0.2, 0.8}, {0.2, 0.2}}}
	m.Geometry(sq, mapimage.Style{Fill: rgba(255, 200, 0, 40)})
	got := color.RGBAModel.Convert(m.Image().At(50, 50)).(color.RGBA)
	if got.R < 240 || got.G < 225 || got.B > 220 || got.B < 180 || !(int(got.R) >= int(got.G) && int(got.G) > int(got.B)) {
		t.Errorf("area fill over land = %v, want a light orange tint of (246,244,238)", got)
	}
}
