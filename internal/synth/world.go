// Package synth generates realistic, reproducible synthetic operational data
// (foreign residents and hotel stays, worksites, informal landing points,
// desa binaan, incidents and kabupaten indicators) on the real reference
// geography, in the import formats of data/README.md. A seed fully
// determines the output.
package synth

import (
	"fmt"
	"sort"
	"strings"

	"github.com/paulmach/orb"

	"github.com/waspada-id/waspada/geo/sample"
	"github.com/waspada-id/waspada/internal/refdata"
)

// Kab is one kabupaten/kota of the reference geography.
type Kab struct {
	Code, Name, Prov string
	Kota             bool // code suffix >= 71
	Region           *sample.Region
	// Villages lists (indexes into World.Villages) the villages whose
	// published centroid lies inside this kabupaten's polygon: only those
	// are used as anchors, so jitter around them starts on land.
	Villages []int
	// AllVillages lists every village coded under this kabupaten.
	AllVillages []int
}

// World is the reference geography the generator places things on.
type World struct {
	Kabs     []Kab // sorted by code
	Villages []refdata.Village
	VilKab   []int // kabupaten index per village (-1 if its code has none)
	Ports    []refdata.Port
	PortKab  []int // kabupaten containing each register port (-1 offshore)
	Index    *sample.Index
	// NoVillages lists kabupaten without a village centroid inside their
	// polygon (the published data has a few); nothing is placed there.
	NoVillages []string
	kabByID    map[string]int
	kabByNm    map[string]int
}

// LoadWorld reads the kabupaten polygons, village centroids and port
// register from the reference data folder.
func LoadWorld(dir string) (*World, error) {
	if err := refdata.Check(dir); err != nil {
		return nil, err
	}
	areas, err := refdata.Areas(dir, refdata.KabupatenFile)
	if err != nil {
		return nil, fmt.Errorf("load kabupaten: %w", err)
	}
	sort.Slice(areas, func(i, j int) bool { return areas[i].Code < areas[j].Code })
	vil, err := refdata.Villages(dir)
	if err != nil {
		return nil, fmt.Errorf("load villages: %w", err)
	}
	sort.Slice(vil, func(i, j int) bool { return vil[i].Code < vil[j].Code })
	ports, err := refdata.Ports(dir)
	if err != nil {
		return nil, fmt.Errorf("load ports: %w", err)
	}
	w := &World{Villages: vil, Ports: ports, kabByID: map[string]int{}, kabByNm: map[string]int{}}
	regions := make([]*sample.Region, 0, len(areas))
	for _, a := range areas {
		if _, dup := w.kabByID[a.Code]; dup {
			return nil, fmt.Errorf("kabupaten %s appears twice in the reference data", a.Code)
		}
		r := sample.NewRegion(a.Geometry)
		if r.Empty() {
			return nil, fmt.Errorf("kabupaten %s (%s) has no usable polygon", a.Code, a.Name)
		}
		prov, _, _ := strings.Cut(a.Code, ".")
		w.kabByID[a.Code] = len(w.Kabs)
		w.kabByNm[strings.ToLower(a.Name)] = len(w.Kabs)
		w.Kabs = append(w.Kabs, Kab{Code: a.Code, Name: a.Name, Prov: prov, Kota: a.Code[len(a.Code)-2:] >= "71", Region: r})
		regions = append(regions, r)
	}
	w.Index = sample.NewIndex(regions, 0.1)
	w.VilKab = make([]int, len(vil))
	for i, v := range vil {
		k, ok := w.kabByID[kabOf(v.Code)]
		if !ok {
			w.VilKab[i] = -1
			continue
		}
		w.VilKab[i] = k
		kb := &w.Kabs[k]
		kb.AllVillages = append(kb.AllVillages, i)
		if kb.Region.Contains(sample.Round6(v.Point)) {
			kb.Villages = append(kb.Villages, i)
		}
	}
	for i := range w.Kabs {
		if len(w.Kabs[i].Villages) == 0 {
			w.NoVillages = append(w.NoVillages, w.Kabs[i].Code)
		}
	}
	w.PortKab = make([]int, len(ports))
	for i, p := range ports {
		w.PortKab[i] = w.Index.Locate(p.Point)
	}
	return w, nil
}

// kabOf returns the kabupaten part ("19.04") of a longer code.
func kabOf(code string) string {
	if i := strings.IndexByte(code, '.'); i >= 0 {
		if j := strings.IndexByte(code[i+1:], '.'); j >= 0 {
			return code[:i+1+j]
		}
	}
	return code
}

// Kab returns the index of a kabupaten by code.
func (w *World) Kab(code string) (int, bool) {
	i, ok := w.kabByID[code]
	return i, ok
}

// KabByName finds a kabupaten by its exact published name ("Kabupaten
// Morowali", "Kota Batam"); calibration tables name places so a wrong name
// is caught here rather than silently dropped.
func (w *World) KabByName(name string) (int, error) {
	if i, ok := w.kabByNm[strings.ToLower(name)]; ok {
		return i, nil
	}
	return -1, fmt.Errorf("no kabupaten named %q in the reference data", name)
}

// anchor returns p when it lies inside kabupaten k, else the centroid of
// the inside village nearest to p: a landmark's published coordinates may
// be offshore or a little outside the simplified polygon.
func (w *World) anchor(k int, p orb.Point) orb.Point {
	kb := &w.Kabs[k]
	if kb.Region.Contains(sample.Round6(p)) {
		return p
	}
	best, bestKm := kb.Villages[0], -1.0
	for _, v := range kb.Villages {
		if d := sample.DistKm(p, w.Villages[v].Point); bestKm < 0 || d < bestKm {
			best, bestKm = v, d
		}
	}
	return w.Villages[best].Point
}
