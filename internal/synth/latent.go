package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/paulmach/orb"

	"github.com/waspada-id/waspada/geo/sample"
)

// Latent-process coefficients (documented in data/README.md, "Synthetic
// data"). The risk engine never reads them: it must learn from the data.
const (
	coefPovT, coefDepT, coefInfT, coefExitT, coefHotelT, coefFWT, coefZT, coefEpsT = 0.9, 0.30, 1.2, 0.8, 0.25, 0.20, 0.7, 0.35
	coefDepP, coefPovP, coefUnempP, coefInfP, coefExitP, coefZP, coefEpsP          = 0.9, 0.5, 0.3, 1.0, 0.6, 0.7, 0.35
	coefPop                                                                        = 0.7 // elasticity to village population
	infScaleKm, exitScaleKm                                                        = 15.0, 40.0
	binaanFactor                                                                   = 0.75 // intensity once a village is desa binaan
	seasonAmp, monthNoise                                                          = 0.15, 0.08
	overstayFound                                                                  = 0.25 // share of overstayers found by an inspection
)

// hidden province effects (log scale): NTT's irregular migration and
// trafficking are far above what its procedural departures suggest.
func provEffect(kind, prov string) float64 {
	t := map[string]float64{"53": 2.0, "52": 0.7, "61": 0.5, "65": 0.5, "21": 0.3, "18": 0.2}
	p := map[string]float64{"53": 2.9, "52": 0.6, "61": 0.4, "65": 0.4, "18": 0.2}
	if kind == "tppo" {
		return t[prov]
	}
	return p[prov]
}

type kabInd struct {
	poverty, unemp, depMonth, popK float64
}

type exitPoint struct {
	P        orb.Point
	Kab      int
	Name     string
	W        float64
	Informal bool
}

type latent struct {
	kab            []kabInd
	vil            []int // eligible origin villages (centroid inside their kabupaten)
	etaT, etaP     []float64
	exits          []exitPoint
	binaanSince    map[int]time.Time // village -> established
	fieldT, fieldP *sample.Field
}

// season is the calendar effect on incidents (peaks mid-year), identical
// every year so the process is stationary.
func season(t time.Time) float64 {
	return 1 + seasonAmp*math.Cos(2*math.Pi*float64(int(t.Month())-7)/12)
}

// indicators writes poverty_rate, unemployment_rate and pmi_departures for
// every kabupaten and month of the history.
func (g *gen) indicators() error {
	rng := rngFor(g.seed, stIndicators)
	n := len(g.w.Kabs)
	lat := &latent{kab: make([]kabInd, n)}
	g.lat = lat
	pmiW, err := g.kabWeights(func(_ int, kb *Kab) float64 {
		x := float64(len(kb.AllVillages))
		if kb.Kota {
			x *= 0.3
		}
		return x
	}, pmiHotspots())
	if err != nil {
		return err
	}
	provVil := map[string]float64{}
	for i := range g.w.Kabs {
		provVil[g.w.Kabs[i].Prov] += float64(len(g.w.Kabs[i].AllVillages))
	}
	for _, p := range g.provs {
		ks := g.byProv[p]
		pf := g.prov[p]
		pov := make([]float64, len(ks))
		un := make([]float64, len(ks))
		pw := make([]float64, len(ks))
		var sPov, sUn, sPW float64
		for i, k := range ks {
			kb := &g.w.Kabs[k]
			pov[i] = expNorm(rng, 0.3)
			un[i] = expNorm(rng, 0.25)
			if kb.Kota {
				pov[i] *= 0.6
				un[i] *= 1.3
			}
			sPov += pov[i]
			sUn += un[i]
			pw[i] = pmiW[k] * expNorm(rng, 0.3)
			sPW += pw[i]
		}
		// The kabupaten's unweighted mean equals the province figure.
		for i, k := range ks {
			lat.kab[k] = kabInd{
				poverty:  pf.Poverty * pov[i] * float64(len(ks)) / sPov,
				unemp:    pf.Unemp * un[i] * float64(len(ks)) / sUn,
				depMonth: pf.PMIYear / 12 * pw[i] / sPW,
				popK:     pf.PopM * 1e6 * float64(len(g.w.Kabs[k].AllVillages)) / provVil[p],
			}
		}
	}
	// Per kabupaten and half-year release: small revisions around the base,
	// with a slow national decline of poverty (about 2% of the rate a year).
	for k, kb := range g.w.Kabs {
		ki := lat.kab[k]
		var povH, unH [6]float64
		for h := range povH {
			povH[h] = 1 + 0.03*rng.NormFloat64()
			unH[h] = 1 + 0.05*rng.NormFloat64()
		}
		for m := range Months {
			t := monthStart(m)
			// Poverty is released for March and September, unemployment
			// for February and August: a value holds until the next release.
			ph := halfYear(t, time.March)
			uh := halfYear(t, time.February)
			years := float64(m-Months/2) / 12
			period := t.Format("2006-01")
			g.ds.Indicators = append(g.ds.Indicators,
				Indicator{Kab: kb.Code, Period: period, Name: "poverty_rate", Value: round2(ki.poverty * (1 - 0.02*years) * povH[ph]), Precision: 2},
				Indicator{Kab: kb.Code, Period: period, Name: "unemployment_rate", Value: round2(ki.unemp * unH[uh]), Precision: 2},
				Indicator{Kab: kb.Code, Period: period, Name: "pmi_departures", Value: float64(sample.Poisson(rng, ki.depMonth*(1+0.2*math.Sin(2*math.Pi*float64(int(t.Month())-2)/12)))), Precision: 0},
			)
		}
	}
	return nil
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// halfYear numbers the half-year release periods (0..5) in force at t, for a
// statistic released in month first and first+6.
func halfYear(t time.Time, first time.Month) int {
	start := monthStart(0)
	months := (t.Year()-start.Year())*12 + int(t.Month()) - int(start.Month())
	// Shift so that a new period begins at each release month.
	off := (int(start.Month()) - int(first) + 12) % 6
	return min((months+off)/6, 5)
}

// latentSurface computes the log-intensity of TPPO and PMI incidents for
// every eligible origin village.
func (g *gen) latentSurface() error {
	rng := rngFor(g.seed, stLatent)
	lat := g.lat
	// Observable layers per kabupaten.
	hotelStays := make([]float64, len(g.w.Kabs))
	for i := range g.ds.Residents {
		if g.ds.Residents[i].Hotel {
			hotelStays[g.ds.Residents[i].Kab]++
		}
	}
	// Hotel stays per 1,000 rows of the national size, so the coefficient
	// means the same at every size.
	scale := 1_000_000 / float64(max(g.cfg.Residents, 1))
	fw := make([]float64, len(g.w.Kabs))
	for _, ws := range g.ds.Worksites {
		fw[ws.Kab] += float64(ws.Foreign)
	}
	// Exits: informal landing points and the official exits.
	var inf, off []orb.Point
	for _, p := range g.ds.Ports {
		lat.exits = append(lat.exits, exitPoint{P: p.P, Kab: p.Kab, Name: p.Name, W: 1, Informal: true})
		inf = append(inf, p.P)
	}
	for _, e := range officialExits() {
		k, err := g.w.KabByName(e.Kab)
		if err != nil {
			return fmt.Errorf("official exit %s: %w", e.Name, err)
		}
		p := g.w.anchor(k, orb.Point{e.Lon, e.Lat})
		lat.exits = append(lat.exits, exitPoint{P: p, Kab: k, Name: e.Name, W: e.Weight * 3})
		off = append(off, p)
	}
	infIx, offIx := sample.NewPoints(inf, 0.25), sample.NewPoints(off, 1)
	bound := orb.Bound{Min: orb.Point{94, -12}, Max: orb.Point{142, 7}}
	lat.fieldT = sample.NewField(rng, bound, 0.25, 60)
	lat.fieldP = sample.NewField(rng, bound, 0.25, 60)
	epsT := make([]float64, len(g.w.Kabs))
	epsP := make([]float64, len(g.w.Kabs))
	for k := range epsT {
		epsT[k], epsP[k] = rng.NormFloat64(), rng.NormFloat64()
	}
	provVil := map[string]float64{}
	for i := range g.w.Kabs {
		provVil[g.w.Kabs[i].Prov] += float64(len(g.w.Kabs[i].AllVillages))
	}
	for k := range g.w.Kabs {
		lat.vil = append(lat.vil, g.w.Kabs[k].Villages...)
	}
	slices.Sort(lat.vil)
	lat.etaT = make([]float64, len(lat.vil))
	lat.etaP = make([]float64, len(lat.vil))
	for i, v := range lat.vil {
		k := g.w.VilKab[v]
		kb := &g.w.Kabs[k]
		ki := lat.kab[k]
		pf := g.prov[kb.Prov]
		p := g.w.Villages[v].Point
		popV := pf.PopM * 1e6 / provVil[kb.Prov]
		_, dInf := infIx.Nearest(p)
		_, dExit := offIx.Nearest(p)
		rate := ki.depMonth / ki.popK * 1e5 // procedural departures per 100,000 people a month
		// Shared terms, then each kind's own.
		base := coefPop * math.Log(popV/3000)
		// The field mixes a shared and an own part so TPPO and PMI hot spots overlap but differ.
		zT := lat.fieldT.At(p)
		zP := 0.5*zT + math.Sqrt(0.75)*lat.fieldP.At(p)
		lat.etaT[i] = base + coefPovT*math.Log(ki.poverty/10) + coefDepT*math.Log1p(rate) +
			coefInfT*math.Exp(-dInf/infScaleKm) + coefExitT*math.Exp(-dExit/exitScaleKm) +
			coefHotelT*math.Log1p(hotelStays[k]*scale/1000) + coefFWT*math.Log1p(fw[k]/200) +
			provEffect("tppo", kb.Prov) + coefZT*zT + coefEpsT*epsT[k]
		lat.etaP[i] = base + coefDepP*math.Log1p(rate) + coefPovP*math.Log(ki.poverty/10) + coefUnempP*math.Log(ki.unemp/5) +
			coefInfP*math.Exp(-dInf/infScaleKm) + coefExitP*math.Exp(-dExit/exitScaleKm) +
			provEffect("pmi", kb.Prov) + coefZP*zP + coefEpsP*epsP[k]
	}
	return nil
}

// desaBinaan chooses the programme's villages where the risk is known to be
// high (officers go where trouble is), then dates them.
func (g *gen) desaBinaan() error {
	rng := rngFor(g.seed, stDesaBinaan)
	lat := g.lat
	lat.binaanSince = map[int]time.Time{}
	byProv := map[string][]int{} // positions in lat.vil
	for i, v := range lat.vil {
		p := g.w.Kabs[g.w.VilKab[v]].Prov
		byProv[p] = append(byProv[p], i)
	}
	from := time.Date(2023, 6, 1, 0, 0, 0, 0, time.UTC)
	span := int(time.Date(2026, 8, 31, 0, 0, 0, 0, time.UTC).Sub(from).Hours() / 24)
	var rows []DesaBinaan
	for _, pl := range desaBinaanPlan() {
		cand := byProv[pl.Prov]
		if len(cand) < pl.Count {
			return fmt.Errorf("province %s has %d villages, fewer than %d desa binaan", pl.Prov, len(cand), pl.Count)
		}
		w := make([]float64, len(cand))
		for j, i := range cand {
			w[j] = math.Exp(0.5 * (lat.etaT[i] + lat.etaP[i]))
		}
		chosen := map[int]bool{}
		for len(chosen) < pl.Count {
			pk := sample.NewPicker(w)
			j := pk.Pick(rng)
			chosen[j] = true
			w[j] = 0
		}
		js := make([]int, 0, len(chosen))
		for j := range chosen {
			js = append(js, j)
		}
		slices.Sort(js)
		for _, j := range js {
			v := lat.vil[cand[j]]
			est := day(from, rng.IntN(span+1))
			lat.binaanSince[v] = est
			rows = append(rows, DesaBinaan{Code: g.w.Villages[v].Code, Village: v, Established: est})
		}
	}
	slices.SortFunc(rows, func(a, b DesaBinaan) int {
		if a.Code < b.Code {
			return -1
		}
		if a.Code > b.Code {
			return 1
		}
		return 0
	})
	g.ds.DesaBinaan = rows
	return nil
}

// incidents draws TPPO and PMI incidents month by month from the latent
// intensities, then overstay findings from the overstaying residents.
func (g *gen) incidents() error {
	rng := rngFor(g.seed, stIncidents)
	lat := g.lat
	t0 := Today()
	hotelPick, err := g.hotelPicker()
	if err != nil {
		return err
	}
	var out []Incident
	monthly := make([]float64, Months)
	for m := range monthly {
		monthly[m] = season(monthStart(m)) * math.Exp(monthNoise*rng.NormFloat64())
	}
	for _, kind := range []string{"pmi", "tppo"} {
		eta, target := lat.etaP, g.cfg.PMI
		if kind == "tppo" {
			eta, target = lat.etaT, g.cfg.TPPO
		}
		weights := make([][]float64, Months)
		total := 0.0
		for m := range Months {
			ms := monthStart(m)
			w := make([]float64, len(eta))
			s := 0.0
			for i, e := range eta {
				w[i] = math.Exp(e)
				if since, ok := lat.binaanSince[lat.vil[i]]; ok && since.Before(ms) {
					w[i] *= binaanFactor
				}
				s += w[i]
			}
			weights[m] = w
			total += s * monthly[m]
		}
		c := float64(target) / total
		for m := range Months {
			pk := sample.NewPicker(weights[m])
			n := sample.Poisson(rng, c*monthly[m]*pk.Total())
			ms := monthStart(m)
			days := ms.AddDate(0, 1, 0).Sub(ms).Hours() / 24
			for range n {
				v := lat.vil[pk.Pick(rng)]
				on := minDate(day(ms, rng.IntN(int(days))), t0)
				out = append(out, g.incidentAt(rng, kind, v, on, hotelPick))
			}
		}
	}
	out = append(out, g.overstayFindings(rng)...)
	slices.SortStableFunc(out, func(a, b Incident) int { return a.On.Compare(b.On) })
	for i := range out {
		out[i].ID = fmt.Sprintf("INC-%06d", i+1)
	}
	g.ds.Incidents = out
	return nil
}

// overstayFindings: an inspection finds some overstayers at their address.
func (g *gen) overstayFindings(rng *rand.Rand) []Incident {
	t0 := Today()
	var out []Incident
	for i := range g.ds.Residents {
		r := &g.ds.Residents[i]
		if !r.Overstaying() || rng.Float64() >= overstayFound {
			continue
		}
		from := maxDate(day(r.Expiry, 1), monthStart(0))
		span := int(t0.Sub(from).Hours()/24) + 1
		out = append(out, Incident{Kind: "overstay", On: day(from, rng.IntN(span)), Origin: -1, P: r.P, HasP: true, Kab: r.Kab,
			Note: "overstay ditemukan saat pengawasan " + r.ID})
	}
	return out
}

// incidentAt places one incident of village-of-origin v: at home, at an exit
// (gravity: exit weight × exp(-distance/400 km)) or, for trafficking, at a
// destination hotel.
func (g *gen) incidentAt(rng *rand.Rand, kind string, v int, on time.Time, hotels *sample.Picker) Incident {
	lat := g.lat
	home := g.w.Villages[v].Point
	k := g.w.VilKab[v]
	in := Incident{Kind: kind, On: on, Origin: v, DesaCode: g.w.Villages[v].Code}
	if kind == "pmi" {
		in.Victims = 1 + sample.Poisson(rng, 1.5)
	} else {
		in.Victims = 1 + int(rng.ExpFloat64()*2)
	}
	u := rng.Float64()
	atHome, atExit := 0.45, 1.0
	if kind == "tppo" {
		atHome, atExit = 0.35, 0.65
	}
	switch {
	case u < atHome:
		if rng.Float64() < 0.25 {
			// Only the village is known: the importer uses its centroid.
			in.Note = pickStr(rng, []string{"laporan keluarga korban", "laporan Pimpasa", "informasi kepala desa"})
			return in
		}
		in.P, in.HasP, in.Kab = g.place(rng, k, home, 2), true, k
		in.Note = pickStr(rng, []string{"dicegah sebelum berangkat", "penampungan calon PMI digerebek", "laporan Pimpasa"})
	case u < atExit:
		w := make([]float64, len(lat.exits))
		for i, e := range lat.exits {
			w[i] = e.W * math.Exp(-sample.DistKm(home, e.P)/400)
		}
		e := lat.exits[sample.NewPicker(w).Pick(rng)]
		sigma := 0.5
		if !e.Informal {
			sigma = 1.5
		}
		in.P, in.HasP, in.Kab = g.place(rng, e.Kab, e.P, sigma), true, e.Kab
		in.Note = "dicegah di " + e.Name
	default:
		h := &g.ds.Hotels[hotels.Pick(rng)]
		in.P, in.HasP, in.Kab = g.place(rng, h.Kab, h.P, 1), true, h.Kab
		in.Note = "korban dieksploitasi di " + g.w.Kabs[h.Kab].Name
	}
	return in
}

// hotelPicker draws a destination hotel for a trafficking case, by its
// weight and its kabupaten's tourism, shared out among the kabupaten's hotels.
func (g *gen) hotelPicker() (*sample.Picker, error) {
	tw, err := g.tourismWeights()
	if err != nil {
		return nil, err
	}
	hw := make([]float64, len(g.ds.Hotels))
	for i, h := range g.ds.Hotels {
		hw[i] = h.W * tw[h.Kab] / float64(len(g.kabHotels[h.Kab]))
	}
	return sample.NewPicker(hw), nil
}
