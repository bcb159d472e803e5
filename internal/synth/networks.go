package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"github.com/waspada-id/waspada/geo/sample"
)

// Processes are the incident processes Generate can draw from: "latent"
// (the default: a log-linear intensity per village of the layers' own
// distances and kabupaten indicators) and "networks" (recruiter networks:
// see data/README.md, "Second incident process"). The layers (residents,
// worksites, ports, hotels, indicators) are the same for both.
func Processes() []string { return []string{"latent", "networks"} }

// CheckProcess rejects an unknown process name.
func CheckProcess(name string) error {
	if name == "" || slices.Contains(Processes(), name) {
		return nil
	}
	return fmt.Errorf("unknown incident process %q (want %s)", name, strings.Join(Processes(), " or "))
}

// Recruiter-network parameters (data/README.md).
const (
	netCasesPerHubT, netCasesPerHubP = 20.0, 40.0 // expected cases a hub yields, sets the hub count
	netReachKm                       = 6.0        // median recruiting radius
	netReachSigma                    = 0.5        // its log-normal spread
	netActivitySigma                 = 0.8        // hub activity, log-normal
	netLifeMin, netLifeMean          = 4.0, 12.0  // months a hub is active: minimum plus an exponential
	netExitScaleKm                   = 200.0      // a hub's route goes to exit e with weight W·exp(−d/200 km)
	netOffspring                     = 0.35       // mean follow-up cases one case uncovers (self-excitation)
	netOffspringDays                 = 20.0       // mean delay of a follow-up case
	netOffspringKm                   = 1.5        // its distance from the case that uncovered it
)

type hub struct {
	vil      int // village index (in g.w.Villages)
	p        orb.Point
	reachKm  float64
	activity float64
	from, to int // active months [from, to] of the history (may start before it)
	exit     int // index into lat.exits
	vils     []int
	pick     *sample.Picker // recruits' villages, power-law in distance
}

// networkHubs seeds recruiter hubs for both kinds in poor villages, gives
// each a recruiting reach, a lifetime and an exit route, and sets the
// villages' long-run intensity (lat.etaT, lat.etaP) from them, which is
// where the desa binaan are then sited (officers go where the recruiting is).
func (g *gen) networkHubs() (map[string][]hub, error) {
	rng := rngFor(g.seed, stNetworks)
	lat := g.lat
	pos := map[int]int{} // village -> position in lat.vil
	for i, v := range lat.vil {
		pos[v] = i
	}
	// Where recruiters settle: poor kabupaten (poverty squared, not a form
	// the factor table has) and a random local propensity of their own.
	w := make([]float64, len(lat.vil))
	for i, v := range lat.vil {
		pov := lat.kab[g.w.VilKab[v]].poverty / 10
		w[i] = pov * pov * expNorm(rng, 1)
	}
	out := map[string][]hub{}
	for _, kind := range []string{"pmi", "tppo"} {
		n := int(math.Max(10, math.Round(float64(g.cfg.PMI)/netCasesPerHubP)))
		if kind == "tppo" {
			n = int(math.Max(10, math.Round(float64(g.cfg.TPPO)/netCasesPerHubT)))
		}
		pk := sample.NewPicker(w)
		eta := make([]float64, len(lat.vil))
		for range n {
			v := lat.vil[pk.Pick(rng)]
			h := hub{vil: v, p: g.w.Villages[v].Point, reachKm: netReachKm * math.Exp(netReachSigma*rng.NormFloat64()),
				activity: expNorm(rng, netActivitySigma)}
			h.from = rng.IntN(Months+12) - 12
			h.to = h.from + int(netLifeMin+rng.ExpFloat64()*netLifeMean)
			ew := make([]float64, len(lat.exits))
			for i, e := range lat.exits {
				ew[i] = e.W * math.Exp(-sample.DistKm(h.p, e.P)/netExitScaleKm)
			}
			h.exit = sample.NewPicker(ew).Pick(rng)
			// Recruits come from villages within 4 reaches, weight (1 + (d/r)²)^−1.5.
			dLat := 4 * h.reachKm / 111.0
			dLon := dLat / math.Max(0.2, math.Cos(h.p[1]*math.Pi/180))
			var vw []float64
			for _, u := range lat.vil {
				q := g.w.Villages[u].Point
				if math.Abs(q[1]-h.p[1]) > dLat || math.Abs(q[0]-h.p[0]) > dLon {
					continue
				}
				d := sample.DistKm(h.p, q)
				if d > 4*h.reachKm {
					continue
				}
				h.vils = append(h.vils, u)
				vw = append(vw, math.Pow(1+(d/h.reachKm)*(d/h.reachKm), -1.5))
			}
			h.pick = sample.NewPicker(vw)
			life := float64(min(h.to, Months-1)-max(h.from, 0)) + 1
			for j, u := range h.vils {
				if life > 0 {
					eta[pos[u]] += h.activity * life * vw[j] / h.pick.Total()
				}
			}
			out[kind] = append(out[kind], h)
		}
		for i := range eta {
			eta[i] = math.Log(1e-3 + eta[i])
		}
		if kind == "tppo" {
			lat.etaT = eta
		} else {
			lat.etaP = eta
		}
	}
	return out, nil
}

// networkIncidents draws the cases of the hubs month by month: each case is
// a recruit from a village near the hub, intercepted at home, on the way
// (somewhere between home and the hub's exit, where it is on land), at the
// exit or, for trafficking, at a destination hotel; every case then uncovers
// a Poisson number of follow-up cases nearby and soon after (a raid finds
// the shelter, the shelter names the agent), which uncover more.
func (g *gen) networkIncidents(hubs map[string][]hub) error {
	rng := rngFor(g.seed, stIncidents)
	lat := g.lat
	t0 := Today()
	hotelPick, err := g.hotelPicker()
	if err != nil {
		return err
	}
	var out []Incident
	for _, kind := range []string{"pmi", "tppo"} {
		target := float64(g.cfg.PMI)
		if kind == "tppo" {
			target = float64(g.cfg.TPPO)
		}
		var active float64
		for _, h := range hubs[kind] {
			for m := max(h.from, 0); m <= min(h.to, Months-1); m++ {
				active += h.activity * season(monthStart(m))
			}
		}
		if active == 0 {
			return fmt.Errorf("no %s recruiter hub is active in the history", kind)
		}
		c := target * (1 - netOffspring) / active // follow-ups make up the rest
		var first []Incident
		for m := range Months {
			ms := monthStart(m)
			days := ms.AddDate(0, 1, 0).Sub(ms).Hours() / 24
			for _, h := range hubs[kind] {
				if m < h.from || m > h.to || len(h.vils) == 0 {
					continue
				}
				for range sample.Poisson(rng, c*h.activity*season(ms)) {
					v := h.vils[h.pick.Pick(rng)]
					on := minDate(day(ms, rng.IntN(int(days))), t0)
					first = append(first, g.recruitAt(rng, kind, v, h, on, hotelPick))
				}
			}
		}
		// Follow-ups, generation by generation.
		gen := first
		for len(gen) > 0 {
			out = append(out, gen...)
			var next []Incident
			for _, p := range gen {
				for range sample.Poisson(rng, netOffspring) {
					on := p.On.AddDate(0, 0, int(rng.ExpFloat64()*netOffspringDays))
					if on.After(t0) {
						continue
					}
					ch := p
					ch.On = on
					if p.HasP {
						ch.P = g.place(rng, p.Kab, p.P, netOffspringKm)
					}
					ch.Note = "temuan lanjutan: " + p.Note
					next = append(next, ch)
				}
			}
			gen = next
		}
	}
	out = append(out, g.overstayFindings(rng)...)
	slices.SortStableFunc(out, func(a, b Incident) int { return a.On.Compare(b.On) })
	for i := range out {
		out[i].ID = fmt.Sprintf("INC-%06d", i+1)
	}
	g.ds.Incidents = out
	_ = lat
	return nil
}

// recruitAt places one recruit of hub h from village v.
func (g *gen) recruitAt(rng *rand.Rand, kind string, v int, h hub, on time.Time, hotels *sample.Picker) Incident {
	lat := g.lat
	home := g.w.Villages[v].Point
	k := g.w.VilKab[v]
	in := Incident{Kind: kind, On: on, Origin: v, DesaCode: g.w.Villages[v].Code}
	if kind == "pmi" {
		in.Victims = 1 + sample.Poisson(rng, 1.5)
	} else {
		in.Victims = 1 + int(rng.ExpFloat64()*2)
	}
	atHome, onRoute, atExit := 0.35, 0.55, 1.0
	if kind == "tppo" {
		atHome, onRoute, atExit = 0.30, 0.45, 0.75
	}
	e := lat.exits[h.exit]
	u := rng.Float64()
	switch {
	case u < atHome:
		in.P, in.HasP, in.Kab = g.place(rng, k, home, 2), true, k
		in.Note = pickStr(rng, []string{"dicegah sebelum berangkat", "penampungan calon PMI digerebek", "laporan Pimpasa"})
	case u < onRoute:
		f := 0.15 + 0.7*rng.Float64()
		q := orb.Point{home[0] + f*(e.P[0]-home[0]), home[1] + f*(e.P[1]-home[1])}
		if kq := g.w.Index.Locate(q); kq >= 0 {
			in.P, in.HasP, in.Kab = g.place(rng, kq, q, 3), true, kq
			in.Note = "dicegah dalam perjalanan ke " + e.Name
			break
		}
		fallthrough // the way is at sea: intercepted at the exit
	case u < atExit:
		sigma := 0.5
		if !e.Informal {
			sigma = 1.5
		}
		in.P, in.HasP, in.Kab = g.place(rng, e.Kab, e.P, sigma), true, e.Kab
		in.Note = "dicegah di " + e.Name
	default:
		ht := &g.ds.Hotels[hotels.Pick(rng)]
		in.P, in.HasP, in.Kab = g.place(rng, ht.Kab, ht.P, 1), true, ht.Kab
		in.Note = "korban dieksploitasi di " + g.w.Kabs[ht.Kab].Name
	}
	return in
}
