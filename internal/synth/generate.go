package synth

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/waspada-id/waspada/geo/sample"
)

// Today returns the scenario's reference date, 2026-10-31: every generated date is on or
// before it (except permit expiries), incidents cover the Months calendar
// months ending with its month, and "overstaying" means a permit that
// expired before it. Fixed, so that output does not depend on the clock.
func Today() time.Time { return time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC) }

// Months is the length of the incident and indicator history.
const Months = 24

// OverstayTarget is the share of present foreigners (every residence, and
// hotel guests not yet checked out) whose permit expired before Today.
const OverstayTarget = 0.03

// Config sizes one generation run.
type Config struct {
	Name      string
	Residents int // rows in residences.csv (residences + hotel stays)
	Worksites int // including the named estates
	Hotels    int
	Landing   int // informal landing points
	TPPO, PMI int // expected incident counts over Months
	// Process is the incident process (Processes; "" is "latent").
	Process string
}

// Sizes lists the named sizes in increasing order.
func Sizes() []Config {
	return []Config{
		{Name: "demo", Residents: 50_000, Worksites: 1_000, Hotels: 800, Landing: 200, TPPO: 500, PMI: 2_000},
		{Name: "national", Residents: 1_000_000, Worksites: 20_000, Hotels: 8_000, Landing: 600, TPPO: 2_500, PMI: 10_000},
	}
}

// SizeByName returns a named size.
func SizeByName(name string) (Config, error) {
	var names []string
	for _, c := range Sizes() {
		if c.Name == name {
			return c, nil
		}
		names = append(names, c.Name)
	}
	return Config{}, fmt.Errorf("unknown size %q (want %s)", name, strings.Join(names, " or "))
}

// Dataset is one generated scenario, held in memory until written.
type Dataset struct {
	Config     Config
	Seed       uint64
	Worksites  []Worksite
	Residents  []Resident
	Ports      []Port
	DesaBinaan []DesaBinaan
	Incidents  []Incident
	Indicators []Indicator
	// Hotels are not a file of their own: they appear as hotel stays.
	Hotels []Hotel
}

// Worksite is one row of worksites.csv; Kab is where the generator put it.
type Worksite struct {
	ID, Name, Company, Sector string
	Foreign, Local            int
	P                         orb.Point
	Kab                       int
}

// Hotel is a place of hotel stays.
type Hotel struct {
	Name string
	P    orb.Point
	Kab  int
	W    float64 // popularity
}

// Resident is one row of residences.csv.
type Resident struct {
	ID, Nationality, Permit string
	Expiry, Arrival         time.Time
	Hotel                   bool
	HotelName               string
	CheckIn, CheckOut       time.Time // zero when empty
	Reported                time.Time
	WorksiteID              string
	FullName, Passport      string
	P                       orb.Point
	Kab                     int
}

// Present reports whether the foreigner is still reported present on Today:
// every residence, and a hotel guest who has not checked out.
func (r *Resident) Present() bool { return !r.Hotel || r.CheckOut.IsZero() }

// Overstaying reports a present foreigner whose permit expired before Today.
func (r *Resident) Overstaying() bool { return r.Present() && r.Expiry.Before(Today()) }

// Port is one row of ports.csv (informal landing points).
type Port struct {
	ID, Name, Kind, Note string
	P                    orb.Point
	Kab                  int
}

// DesaBinaan is one row of desa-binaan.csv.
type DesaBinaan struct {
	Code        string
	Village     int
	Established time.Time
	Note        string
}

// Incident is one row of incidents.csv. Origin is the village of origin
// (-1 when none); HasP says whether lat/lon is written, Kab is the
// kabupaten containing P.
type Incident struct {
	ID, Kind string
	On       time.Time
	Victims  int
	Origin   int
	DesaCode string
	P        orb.Point
	HasP     bool
	Kab      int
	Note     string
}

// Indicator is one row of indicators.csv.
type Indicator struct {
	Kab       string
	Period    string // YYYY-MM
	Name      string
	Value     float64
	Precision int // decimals written
}

// rngFor gives each stage its own PCG stream derived from the seed, so that
// changing one stage does not reshuffle the others.
func rngFor(seed uint64, stage uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15^stage*0xbf58476d1ce4e5b9))
}

// Stages, in generation order.
const (
	stVillages = iota + 1
	stWorksites
	stHotels
	stResidents
	stLanding
	stIndicators
	stLatent
	stDesaBinaan
	stIncidents
	stNetworks
)

// gen carries one run's state; it lives only inside Generate.
type gen struct {
	w      *World
	cfg    Config
	seed   uint64
	ds     *Dataset
	prov   map[string]provFigures
	attr   []float64 // village attractiveness (heavy-tailed), per village
	byProv map[string][]int
	provs  []string // sorted province codes that have kabupaten

	kabWorksites [][]int // worksite indexes per kabupaten
	kabHotels    [][]int // hotel indexes per kabupaten
	lat          *latent
}

// Generate builds a whole scenario. It is deterministic in (w, cfg, seed).
func Generate(w *World, cfg Config, seed uint64) (*Dataset, error) {
	g := &gen{w: w, cfg: cfg, seed: seed, ds: &Dataset{Config: cfg, Seed: seed}, prov: provinceTable(), byProv: map[string][]int{}}
	for i, k := range w.Kabs {
		if _, ok := g.prov[k.Prov]; !ok {
			return nil, fmt.Errorf("kabupaten %s: province %s has no calibration row", k.Code, k.Prov)
		}
		g.byProv[k.Prov] = append(g.byProv[k.Prov], i)
	}
	for p := range g.byProv {
		g.provs = append(g.provs, p)
	}
	sort.Strings(g.provs)
	rng := rngFor(seed, stVillages)
	g.attr = make([]float64, len(w.Villages))
	for i := range g.attr {
		// A heavy-tailed "how much happens here": residents, hotels and
		// worksites cluster in a few villages of each kabupaten.
		g.attr[i] = expNorm(rng, 1.3)
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{"worksites", g.worksites},
		{"hotels", g.hotels},
		{"residents", g.residents},
		{"landing points", g.landing},
		{"indicators", g.indicators},
		{"latent process", g.latentSurface},
		{"desa binaan", g.desaBinaan},
		{"incidents", g.incidents},
	}
	if err := CheckProcess(cfg.Process); err != nil {
		return nil, err
	}
	if cfg.Process == "networks" {
		var hubs map[string][]hub
		steps = append(steps[:len(steps)-2],
			struct {
				name string
				fn   func() error
			}{"recruiter networks", func() (err error) { hubs, err = g.networkHubs(); return err }},
			steps[len(steps)-2],
			struct {
				name string
				fn   func() error
			}{"incidents", func() error { return g.networkIncidents(hubs) }})
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return nil, fmt.Errorf("generate %s: %w", s.name, err)
		}
	}
	return g.ds, nil
}

// kabWeights evaluates f per kabupaten and applies name multipliers.
func (g *gen) kabWeights(f func(k int, kb *Kab) float64, mults []kabMult) ([]float64, error) {
	w := make([]float64, len(g.w.Kabs))
	for i := range g.w.Kabs {
		if len(g.w.Kabs[i].Villages) == 0 {
			continue // nowhere on land to anchor a point (see World.NoVillages)
		}
		w[i] = f(i, &g.w.Kabs[i])
	}
	for _, m := range mults {
		k, err := g.w.KabByName(m.Name)
		if err != nil {
			return nil, err
		}
		w[k] *= m.Mult
	}
	return w, nil
}

// villagePicker weights a kabupaten's inside villages by attractiveness^pow.
func (g *gen) villagePicker(k int, pow float64) *sample.Picker {
	vs := g.w.Kabs[k].Villages
	w := make([]float64, len(vs))
	for i, v := range vs {
		w[i] = pow1(g.attr[v], pow)
	}
	return sample.NewPicker(w)
}

// place draws a point near center inside kabupaten k, narrowing the jitter
// when it keeps leaving the polygon (narrow islands, coasts), and falls back
// to the nearest inside village centroid, which is always inside.
func (g *gen) place(rng *rand.Rand, k int, center orb.Point, sigmaKm float64) orb.Point {
	r := g.w.Kabs[k].Region
	for _, s := range []float64{sigmaKm, sigmaKm / 4, sigmaKm / 16} {
		if p, ok := sample.Near(rng, r, center, s, 20); ok {
			return p
		}
	}
	return sample.Round6(g.w.anchor(k, center))
}

func day(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

// monthStart returns the first day of history month m (0 = oldest).
func monthStart(m int) time.Time {
	t := Today()
	return time.Date(t.Year(), t.Month()-time.Month(Months-1-m), 1, 0, 0, 0, 0, time.UTC)
}
