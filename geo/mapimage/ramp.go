package mapimage

import (
	"image/color"
	"math"
)

// riskStops is a yellow-orange-red ramp (ColorBrewer YlOrRd, 5 classes),
// readable in print and by most colour-blind readers.
func riskStops() [5]color.RGBA {
	return [5]color.RGBA{
		{255, 255, 178, 255},
		{254, 204, 92, 255},
		{253, 141, 60, 255},
		{240, 59, 32, 255},
		{189, 0, 38, 255},
	}
}

// RiskColour maps t in [0,1] (e.g. a score's position between the region's
// low and high quantiles) onto the risk ramp, clamping outside.
func RiskColour(t float64) color.RGBA {
	if math.IsNaN(t) || t <= 0 {
		return riskStops()[0]
	}
	if t >= 1 {
		return riskStops()[4]
	}
	stops := riskStops()
	f := t * float64(len(stops)-1)
	i := int(f)
	u := f - float64(i)
	a, b := stops[i], stops[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + (float64(y)-float64(x))*u)) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 255}
}

// teamColours are distinct (Okabe-Ito plus extras), for team markers and
// paths; the web app uses the same list.
func teamColours() [10]color.RGBA {
	return [10]color.RGBA{
		{0, 114, 178, 255},   // blue
		{213, 94, 0, 255},    // vermillion
		{0, 158, 115, 255},   // bluish green
		{204, 121, 167, 255}, // reddish purple
		{230, 159, 0, 255},   // orange
		{86, 180, 233, 255},  // sky blue
		{120, 94, 240, 255},  // violet
		{100, 100, 100, 255}, // grey
		{240, 228, 66, 255},  // yellow
		{0, 0, 0, 255},       // black
	}
}

// TeamColour returns team i's colour (cycling beyond ten teams).
func TeamColour(i int) color.RGBA {
	c := teamColours()
	return c[((i%len(c))+len(c))%len(c)]
}
