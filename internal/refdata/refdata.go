// Package refdata reads the public reference data set (../shared/data, or the
// folder named by WASPADA_DATA): Kemendagri boundaries and the port register.
// It only reads and decodes; repair and storage belong to the importer.
package refdata

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// Dir resolves the data folder: an explicit flag value, else $WASPADA_DATA, else
// ../shared/data relative to the working directory (the project root).
func Dir(flagValue string) string {
	switch {
	case flagValue != "":
		return flagValue
	case os.Getenv("WASPADA_DATA") != "":
		return os.Getenv("WASPADA_DATA")
	default:
		return filepath.Join("..", "shared", "data")
	}
}

// Check reports a clear error when dir does not look like the reference data set.
func Check(dir string) error {
	for _, f := range []string{"boundaries/kabupaten.geojson.gz", "ports/pelabuhan.geojson.gz"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("reference data not found in %s (set --data or WASPADA_DATA): %w", dir, err)
		}
	}
	return nil
}

// Area is one administrative unit as published.
type Area struct {
	Code     string
	Name     string
	Geometry orb.Geometry // Polygon or MultiPolygon, possibly invalid as published
	Centroid orb.Point    // the source's centroid when given (zero when absent)
}

// Village is one desa/kelurahan centroid.
type Village struct {
	Code, Name string
	Point      orb.Point
}

// Port is one entry of the transport ministry's port register.
type Port struct {
	Name, UNLocode, Category, Operator, Authority, Regency, Province string
	Point                                                            orb.Point
}

// Files of the data set, relative to its folder.
const (
	ProvinsiFile  = "boundaries/provinsi.geojson.gz"
	KabupatenFile = "boundaries/kabupaten.geojson.gz"
	KecamatanFile = "boundaries/kecamatan.geojson.gz"
	CentroidsFile = "boundaries/desa_centroids.csv.gz"
	PortsFile     = "ports/pelabuhan.geojson.gz"
	// NeighboursFile is optional: older copies of the data set lack it.
	NeighboursFile = "neighbours/countries_10m.geojson.gz"
)

// Neighbour is a country around Indonesia (map context only).
type Neighbour struct {
	ISO3, Name, NameID string
	Geometry           orb.Geometry // Polygon or MultiPolygon
}

// Neighbours reads the countries around Indonesia; none when the file is absent.
func Neighbours(dir string) ([]Neighbour, error) {
	path := filepath.Join(dir, NeighboursFile)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	fc, err := readCollection(path)
	if err != nil {
		return nil, err
	}
	out := make([]Neighbour, 0, len(fc.Features))
	for i, f := range fc.Features {
		s := func(k string) string { v, _ := f.Properties[k].(string); return v }
		n := Neighbour{ISO3: s("iso_a3"), Name: s("name"), NameID: s("name_id"), Geometry: f.Geometry}
		switch f.Geometry.(type) {
		case orb.Polygon, orb.MultiPolygon:
		default:
			return nil, fmt.Errorf("%s feature %d: geometry is %T, want a polygon", NeighboursFile, i, f.Geometry)
		}
		if len(n.ISO3) != 3 || n.Name == "" {
			return nil, fmt.Errorf("%s feature %d: missing iso_a3 or name", NeighboursFile, i)
		}
		if n.NameID == "" {
			n.NameID = n.Name
		}
		out = append(out, n)
	}
	return out, nil
}

func openGz(path string) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return struct {
		io.Reader
		io.Closer
	}{zr, f}, nil
}

func readCollection(path string) (*geojson.FeatureCollection, error) {
	r, err := openGz(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(b)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return fc, nil
}

// Areas reads a boundary file (one of the *File constants or a desa/ file).
func Areas(dir, file string) ([]Area, error) {
	fc, err := readCollection(filepath.Join(dir, file))
	if err != nil {
		return nil, err
	}
	out := make([]Area, 0, len(fc.Features))
	for i, f := range fc.Features {
		code, _ := f.Properties["code"].(string)
		name, _ := f.Properties["name"].(string)
		if code == "" || f.Geometry == nil {
			return nil, fmt.Errorf("%s feature %d: missing code or geometry", file, i)
		}
		a := Area{Code: code, Name: name, Geometry: f.Geometry}
		lat, okLat := f.Properties["centroid_lat"].(float64)
		lon, okLon := f.Properties["centroid_lon"].(float64)
		if okLat && okLon {
			a.Centroid = orb.Point{lon, lat}
		}
		out = append(out, a)
	}
	return out, nil
}

// VillageFiles lists the desa/ polygon files present (they cover a few provinces).
func VillageFiles(dir string) ([]string, error) {
	m, err := filepath.Glob(filepath.Join(dir, "boundaries", "desa", "*.geojson.gz"))
	if err != nil {
		return nil, err
	}
	sort.Strings(m)
	for i := range m {
		m[i], _ = filepath.Rel(dir, m[i])
	}
	return m, nil
}

// Villages reads the national village centroid list.
func Villages(dir string) ([]Village, error) {
	r, err := openGz(filepath.Join(dir, CentroidsFile))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	cr := csv.NewReader(r)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: header: %w", CentroidsFile, err)
	}
	if len(head) < 4 || head[0] != "code" || head[2] != "lat" || head[3] != "lon" {
		return nil, fmt.Errorf("%s: unexpected header %v", CentroidsFile, head)
	}
	var out []Village
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", CentroidsFile, line, err)
		}
		lat, err1 := strconv.ParseFloat(rec[2], 64)
		lon, err2 := strconv.ParseFloat(rec[3], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s line %d: bad coordinate %q,%q", CentroidsFile, line, rec[2], rec[3])
		}
		out = append(out, Village{Code: rec[0], Name: rec[1], Point: orb.Point{lon, lat}})
	}
	return out, nil
}

// Ports reads the port register.
func Ports(dir string) ([]Port, error) {
	fc, err := readCollection(filepath.Join(dir, PortsFile))
	if err != nil {
		return nil, err
	}
	out := make([]Port, 0, len(fc.Features))
	for i, f := range fc.Features {
		pt, ok := f.Geometry.(orb.Point)
		if !ok {
			return nil, fmt.Errorf("%s feature %d: geometry is %T, want Point", PortsFile, i, f.Geometry)
		}
		s := func(k string) string { v, _ := f.Properties[k].(string); return v }
		out = append(out, Port{Name: s("name"), UNLocode: s("unlocode_local"), Category: s("category"),
			Operator: s("operator"), Authority: s("authority"), Regency: s("regency_name"),
			Province: s("province_name"), Point: pt})
	}
	return out, nil
}
