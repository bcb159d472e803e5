// Package tilemath is the pure arithmetic of web-map tiles: parsing and
// validating z/x/y addresses, tile bounds in Web Mercator (EPSG:3857) and WGS84,
// projecting into tile space, and choosing the H3 resolution a zoom level shows.
// No I/O: the tile server and the load generator both build on it.
package tilemath

import (
	"errors"
	"fmt"
	"math"
)

// MaxZoom is the deepest zoom any layer may serve. 2^24 tiles per axis keeps x
// and y far inside uint32 and tile coordinates exact in float64.
const MaxZoom = 24

// Earth's radius as used by EPSG:3857, and half the projected world width.
const (
	earthRadius   = 6378137.0
	MercatorHalf  = math.Pi * earthRadius // 20037508.342789244
	MercatorWorld = 2 * MercatorHalf
	// MaxLat is the latitude where Web Mercator's square world ends.
	MaxLat = 85.05112877980659
)

// Tile is a slippy-map tile address (XYZ scheme: y grows southwards).
type Tile struct {
	Z, X, Y uint32
}

// ErrCoord is wrapped by every parse or range error so callers can map it to a 400.
var ErrCoord = errors.New("bad tile coordinate")

// Parse reads z, x and y as written in a URL. Only plain decimal digits are
// accepted (no sign, no spaces, no hex, at most 8 digits): strconv would accept
// "+3" or "0x1" in some modes, and every accepted spelling is one more cache key.
func Parse(zs, xs, ys string) (Tile, error) {
	z, err := parseUint("z", zs)
	if err != nil {
		return Tile{}, err
	}
	x, err := parseUint("x", xs)
	if err != nil {
		return Tile{}, err
	}
	y, err := parseUint("y", ys)
	if err != nil {
		return Tile{}, err
	}
	t := Tile{Z: z, X: x, Y: y}
	return t, t.Validate()
}

func parseUint(name, s string) (uint32, error) {
	if s == "" {
		return 0, fmt.Errorf("%w: %s is empty", ErrCoord, name)
	}
	if len(s) > 8 {
		return 0, fmt.Errorf("%w: %s has too many digits", ErrCoord, name)
	}
	// A leading zero is refused ("007") so that each tile has exactly one URL.
	if len(s) > 1 && s[0] == '0' {
		return 0, fmt.Errorf("%w: %s %q has a leading zero", ErrCoord, name, s)
	}
	var v uint32
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: %s %q is not a non-negative integer", ErrCoord, name, s)
		}
		v = v*10 + uint32(c-'0')
	}
	return v, nil
}

// Validate checks z against MaxZoom and x, y against the 2^z tiles of that zoom.
func (t Tile) Validate() error {
	if t.Z > MaxZoom {
		return fmt.Errorf("%w: zoom %d is above %d", ErrCoord, t.Z, MaxZoom)
	}
	n := uint32(1) << t.Z
	if t.X >= n || t.Y >= n {
		return fmt.Errorf("%w: x and y must be below %d at zoom %d (got %d/%d)", ErrCoord, n, t.Z, t.X, t.Y)
	}
	return nil
}

func (t Tile) String() string { return fmt.Sprintf("%d/%d/%d", t.Z, t.X, t.Y) }

// Bounds is an axis-aligned box.
type Bounds struct {
	MinX, MinY, MaxX, MaxY float64
}

// Size is the tile's width in Web Mercator metres at zoom z.
func Size(z uint32) float64 { return MercatorWorld / float64(uint64(1)<<z) }

// Bounds3857 is the tile's box in Web Mercator metres, computed the way PostGIS's
// ST_TileEnvelope does, so Go-side and SQL-side geometry agree to the bit.
func (t Tile) Bounds3857() Bounds {
	s := Size(t.Z)
	return Bounds{
		MinX: -MercatorHalf + float64(t.X)*s,
		MaxX: -MercatorHalf + float64(t.X+1)*s,
		MaxY: MercatorHalf - float64(t.Y)*s,
		MinY: MercatorHalf - float64(t.Y+1)*s,
	}
}

// Buffered3857 grows the tile box by buffer units of an extent-unit tile grid
// (e.g. 64 of 4096) on every side.
func (t Tile) Buffered3857(buffer, extent int) Bounds {
	b := t.Bounds3857()
	m := Size(t.Z) * float64(buffer) / float64(extent)
	return Bounds{b.MinX - m, b.MinY - m, b.MaxX + m, b.MaxY + m}
}

// Bounds4326 is the tile's box in longitude/latitude degrees.
func (t Tile) Bounds4326() Bounds {
	b := t.Bounds3857()
	minLon, minLat := MercatorToLonLat(b.MinX, b.MinY)
	maxLon, maxLat := MercatorToLonLat(b.MaxX, b.MaxY)
	return Bounds{minLon, minLat, maxLon, maxLat}
}

// LonLatToMercator projects WGS84 degrees to EPSG:3857 metres (latitude clamped to MaxLat).
func LonLatToMercator(lon, lat float64) (x, y float64) {
	lat = math.Max(-MaxLat, math.Min(MaxLat, lat))
	x = lon * math.Pi / 180 * earthRadius
	y = math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * earthRadius
	return x, y
}

// MercatorToLonLat is the inverse of LonLatToMercator.
func MercatorToLonLat(x, y float64) (lon, lat float64) {
	lon = x / earthRadius * 180 / math.Pi
	lat = (2*math.Atan(math.Exp(y/earthRadius)) - math.Pi/2) * 180 / math.Pi
	return lon, lat
}

// TileAt returns the tile of zoom z holding the point (lon, lat).
func TileAt(z uint32, lon, lat float64) Tile {
	x, y := LonLatToMercator(lon, lat)
	n := float64(uint64(1) << z)
	tx := math.Floor((x + MercatorHalf) / MercatorWorld * n)
	ty := math.Floor((MercatorHalf - y) / MercatorWorld * n)
	clamp := func(v float64) uint32 { return uint32(math.Max(0, math.Min(n-1, v))) }
	return Tile{Z: z, X: clamp(tx), Y: clamp(ty)}
}

// ToTileSpace maps a Web Mercator point into the tile's integer grid of the
// given extent (y down), rounding like ST_AsMVTGeom does.
func (t Tile) ToTileSpace(x, y float64, extent int) (int64, int64) {
	b := t.Bounds3857()
	s := float64(extent) / (b.MaxX - b.MinX)
	return int64(math.Round((x - b.MinX) * s)), int64(math.Round((b.MaxY - y) * s))
}
