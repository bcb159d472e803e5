package synth

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"

	"github.com/waspada-id/waspada/geo/sample"
)

func expNorm(rng *rand.Rand, sigma float64) float64 { return math.Exp(sigma * rng.NormFloat64()) }

func pow1(x, p float64) float64 {
	if p == 1 {
		return x
	}
	return math.Pow(x, p)
}

func pickStr(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

// baseKabWeight is a kabupaten's size proxy: the square root of its village
// count (villages are many and small in Java, few and large in Papua).
func baseKabWeight(kb *Kab) float64 { return math.Sqrt(float64(len(kb.AllVillages))) }

// worksites places the named estates at their published locations, then
// the rest by sector, province and industrial hotspot.
func (g *gen) worksites() error {
	rng := rngFor(g.seed, stWorksites)
	g.kabWorksites = make([][]int, len(g.w.Kabs))
	add := func(ws Worksite) {
		ws.ID = fmt.Sprintf("WS-%05d", len(g.ds.Worksites)+1)
		g.kabWorksites[ws.Kab] = append(g.kabWorksites[ws.Kab], len(g.ds.Worksites))
		g.ds.Worksites = append(g.ds.Worksites, ws)
	}
	for _, e := range estates() {
		k, err := g.w.KabByName(e.Kab)
		if err != nil {
			return fmt.Errorf("estate %s: %w", e.Name, err)
		}
		p := g.place(rng, k, g.w.anchor(k, orb.Point{e.Lon, e.Lat}), 1)
		add(Worksite{Name: e.Name, Company: e.Company, Sector: e.Sector, Foreign: e.Foreign, Local: e.Local, P: p, Kab: k})
	}
	rest := g.cfg.Worksites - len(g.ds.Worksites)
	if rest < 0 {
		return fmt.Errorf("size %s asks for %d worksites, fewer than the %d named estates", g.cfg.Name, g.cfg.Worksites, len(g.ds.Worksites))
	}
	mix := sectorMix()
	shares := make([]float64, len(mix))
	for i, s := range mix {
		shares[i] = s.Share
	}
	counts := sample.Allocate(rest, shares)
	hot := worksiteHotspots()
	for si, s := range mix {
		urban := s.Sector == "manufacturing" || s.Sector == "construction" || s.Sector == "other" || s.Sector == "energy"
		w, err := g.kabWeights(func(_ int, kb *Kab) float64 {
			pw, ok := s.Prov[kb.Prov]
			if !ok {
				pw = 0.15
			}
			x := pw * baseKabWeight(kb)
			if kb.Kota && urban {
				x *= 2
			} else if kb.Kota {
				x *= 0.3 // mines and plantations are not in cities
			}
			return x
		}, hot)
		if err != nil {
			return err
		}
		// Spread each province weight over its kabupaten: divide by the
		// province's summed base so big provinces do not win twice.
		provSum := map[string]float64{}
		for i, kb := range g.w.Kabs {
			provSum[kb.Prov] += baseKabWeight(&g.w.Kabs[i])
		}
		for i, kb := range g.w.Kabs {
			w[i] /= provSum[kb.Prov]
		}
		pick := sample.NewPicker(w)
		sigma := 2.0
		if !urban {
			sigma = 5
		}
		for range counts[si] {
			k := pick.Pick(rng)
			kb := &g.w.Kabs[k]
			v := kb.Villages[g.villagePicker(k, 1).Pick(rng)]
			fw := max(1, int(math.Round(s.MedFW*expNorm(rng, 1))))
			local := int(math.Round(float64(fw) * s.LocalRatio * expNorm(rng, 0.5)))
			vname := g.w.Villages[v].Name
			add(Worksite{
				Name:    sectorPlace(rng, s.Sector) + " " + vname,
				Company: companyName(rng),
				Sector:  s.Sector, Foreign: fw, Local: local,
				P: g.place(rng, k, g.w.Villages[v].Point, sigma), Kab: k,
			})
		}
	}
	return nil
}

func sectorPlace(rng *rand.Rand, sector string) string {
	switch sector {
	case "mining":
		return pickStr(rng, []string{"Tambang", "Site Tambang", "IUP"})
	case "smelter":
		return pickStr(rng, []string{"Smelter", "Pabrik Pemurnian"})
	case "plantation":
		return pickStr(rng, []string{"Kebun", "Pabrik Kelapa Sawit", "Perkebunan"})
	case "manufacturing":
		return pickStr(rng, []string{"Pabrik", "Kawasan Industri", "Gudang"})
	case "construction":
		return pickStr(rng, []string{"Proyek", "Proyek Gedung", "Proyek Jalan"})
	case "energy":
		return pickStr(rng, []string{"PLTU", "PLTA", "Terminal LNG", "PLTS"})
	case "fishery":
		return pickStr(rng, []string{"Pelabuhan Perikanan", "Cold Storage", "Tambak"})
	case "tourism":
		return pickStr(rng, []string{"Resort", "Villa", "Dive Centre"})
	default:
		return pickStr(rng, []string{"Kantor", "Sekolah Internasional", "Klinik"})
	}
}

func companyName(rng *rand.Rand) string {
	a := []string{"Sinar", "Mitra", "Karya", "Bumi", "Nusa", "Cahaya", "Harapan", "Prima", "Global", "Surya", "Samudra", "Makmur", "Jaya", "Indo", "Tirta", "Mega"}
	b := []string{"Abadi", "Sejahtera", "Mandiri", "Utama", "Perkasa", "Lestari", "Sentosa", "Persada", "Gemilang", "Industri", "Resources", "Energi", "Raya", "Pacific", "Metal"}
	return "PT " + pickStr(rng, a) + " " + pickStr(rng, b) + " " + pickStr(rng, []string{"Indonesia", "Nusantara", "Internasional", "Group", "Tbk", ""})
}

// tourismWeights: hotel-stay weight per kabupaten.
func (g *gen) tourismWeights() ([]float64, error) {
	provSum := map[string]float64{}
	for i := range g.w.Kabs {
		provSum[g.w.Kabs[i].Prov] += baseKabWeight(&g.w.Kabs[i])
	}
	return g.kabWeights(func(_ int, kb *Kab) float64 {
		x := g.prov[kb.Prov].TourW * baseKabWeight(kb) / provSum[kb.Prov]
		if kb.Kota {
			x *= 4
		}
		return x
	}, tourismHotspots())
}

// hotels places hotels where tourists go: counts per kabupaten follow the
// tourism weight, positions cluster in each kabupaten's busiest villages.
func (g *gen) hotels() error {
	rng := rngFor(g.seed, stHotels)
	tw, err := g.tourismWeights()
	if err != nil {
		return err
	}
	// Every kabupaten gets at least a share of a hotel in expectation; the
	// allocation is deterministic so the calibration does not drift by seed.
	counts := sample.Allocate(g.cfg.Hotels, tw)
	g.kabHotels = make([][]int, len(g.w.Kabs))
	for k, n := range counts {
		if n == 0 {
			continue
		}
		vp := g.villagePicker(k, 2)
		kb := &g.w.Kabs[k]
		for range n {
			v := kb.Villages[vp.Pick(rng)]
			g.kabHotels[k] = append(g.kabHotels[k], len(g.ds.Hotels))
			g.ds.Hotels = append(g.ds.Hotels, Hotel{
				Name: hotelName(rng, g.w.Villages[v].Name),
				P:    g.place(rng, k, g.w.Villages[v].Point, 0.7),
				Kab:  k,
				W:    expNorm(rng, 1),
			})
		}
	}
	return nil
}

func hotelName(rng *rand.Rand, village string) string {
	switch rng.IntN(4) {
	case 0:
		return "Hotel " + pickStr(rng, []string{"Pantai", "Bintang", "Mutiara", "Permata", "Grand", "Puri", "Sari", "Indah"}) + " " + village
	case 1:
		return pickStr(rng, []string{"Villa", "Resort", "Cottage", "Homestay", "Guest House"}) + " " + village
	case 2:
		return pickStr(rng, []string{"Grand", "Swiss", "Royal", "Golden", "Ocean", "Amanda", "Harbour"}) + " " + pickStr(rng, []string{"Hotel", "Inn", "Resort", "Suites"}) + " " + village
	default:
		return "Penginapan " + village
	}
}

// landing places informal landing points on the coasts and land borders of
// the exit-route kabupaten: at polygon vertices where a probe 2 km outward
// is in no kabupaten (sea or a neighbouring country) and a village is near,
// nudged a few hundred metres inland.
func (g *gen) landing() error {
	rng := rngFor(g.seed, stLanding)
	ex := exitKabs()
	ks := make([]int, len(ex))
	w := make([]float64, len(ex))
	for i, e := range ex {
		k, err := g.w.KabByName(e.Name)
		if err != nil {
			return err
		}
		ks[i], w[i] = k, e.Mult
	}
	counts := sample.Allocate(g.cfg.Landing, w)
	notes := []string{"laporan Pimpasa", "patroli gabungan", "informasi masyarakat", "hasil pengawasan TIMPORA", "laporan Polairud"}
	for i, k := range ks {
		kb := &g.w.Kabs[k]
		cands := g.edgeVertices(k)
		if len(cands) == 0 {
			return fmt.Errorf("kabupaten %s has no coastal or border vertex near a village", kb.Name)
		}
		for range counts[i] {
			c := cands[rng.IntN(len(cands))]
			p, ok := sample.Near(rng, kb.Region, c.p, 0.3, 50)
			if !ok {
				p = g.place(rng, k, g.w.Villages[c.village].Point, 0.5)
			}
			vname := g.w.Villages[c.village].Name
			name := pickStr(rng, []string{"Pantai ", "Dermaga Rakyat ", "Tangkahan ", "Jalur ", "Pelabuhan Tikus "}) + vname
			if c.land {
				name = pickStr(rng, []string{"Jalur Setapak ", "Jalan Tikus ", "Perlintasan "}) + vname
			}
			m := monthStart(rng.IntN(Months))
			g.ds.Ports = append(g.ds.Ports, Port{
				ID:   fmt.Sprintf("JT-%04d", len(g.ds.Ports)+1),
				Name: name, Kind: "informal",
				Note: fmt.Sprintf("%s %s", pickStr(rng, notes), m.Format("2006-01")),
				P:    p, Kab: k,
			})
		}
	}
	return nil
}

type edgeVertex struct {
	p       orb.Point
	village int
	land    bool // outward is a neighbouring country's land, judged by "no sea-like gap"
}

// edgeVertices lists a kabupaten's outer-ring vertices on the national edge
// with an inside village within 15 km.
func (g *gen) edgeVertices(k int) []edgeVertex {
	kb := &g.w.Kabs[k]
	vpts := make([]orb.Point, len(kb.Villages))
	for i, v := range kb.Villages {
		vpts[i] = g.w.Villages[v].Point
	}
	near := sample.NewPoints(vpts, 0.05)
	var out []edgeVertex
	for _, ring := range kb.Region.OuterRings() {
		stride := max(1, len(ring)/400)
		for i := 0; i < len(ring)-1; i += stride {
			p := ring[i]
			dx, dy := 2/sample.KmX(p[1]), 2/sample.KmPerDegLat
			outside := 0
			for _, d := range [][2]float64{{dx, 0}, {-dx, 0}, {0, dy}, {0, -dy}} {
				if g.w.Index.Locate(orb.Point{p[0] + d[0], p[1] + d[1]}) < 0 {
					outside++
				}
			}
			if outside == 0 {
				continue
			}
			vi, km := near.Nearest(p)
			if km > 15 {
				continue
			}
			// A land border runs through a landlocked kabupaten; the only
			// ones on our exit list are the Kalimantan and Timor border
			// kabupaten without a coast in the probe's reach.
			out = append(out, edgeVertex{p: p, village: kb.Villages[vi], land: landlocked(kb.Code)})
		}
	}
	return out
}

// landlocked names the exit kabupaten whose national edge is a land border.
func landlocked(code string) bool {
	switch code {
	case "61.03", "61.06": // Sanggau, Kapuas Hulu
		return true
	}
	return false
}
