package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/waspada-id/waspada/geo/sample"
)

// Shares of the residences file.
const (
	residenceShare = 0.35 // rows that are residences; the rest are hotel stays
	workerShare    = 0.45 // of residences outside Jambi, rows sponsored by a worksite
	jambiWorker    = 0.40 // chance a Jambi resident works at a Jambi worksite (when there is one)
)

type natWeight struct {
	Code string
	W    float64
}

func natsIndustrial() []natWeight { // smelters and mines: mostly Chinese crews
	return []natWeight{{"CHN", 85}, {"KOR", 2}, {"IND", 3}, {"PHL", 3}, {"AUS", 2}, {"JPN", 1}, {"RUS", 1}, {"USA", 1}, {"MYS", 1}, {"TWN", 1}}
}

func natsWorkers() []natWeight {
	return []natWeight{{"CHN", 35}, {"JPN", 12}, {"KOR", 12}, {"IND", 8}, {"MYS", 6}, {"SGP", 5}, {"TWN", 4}, {"AUS", 4}, {"USA", 4}, {"GBR", 3}, {"PHL", 3}, {"DEU", 2}, {"NLD", 1}, {"FRA", 1}}
}

func natsResidents() []natWeight {
	return []natWeight{{"AUS", 12}, {"USA", 8}, {"GBR", 6}, {"NLD", 5}, {"DEU", 5}, {"FRA", 4}, {"JPN", 8}, {"KOR", 8}, {"CHN", 10}, {"IND", 5}, {"MYS", 8}, {"SGP", 6}, {"RUS", 4}, {"PHL", 3}, {"TLS", 2}, {"ITA", 2}, {"CAN", 2}, {"NZL", 2}}
}

func natsTourists() []natWeight {
	return []natWeight{{"AUS", 18}, {"CHN", 12}, {"MYS", 12}, {"SGP", 8}, {"IND", 6}, {"JPN", 4}, {"KOR", 4}, {"USA", 5}, {"GBR", 5}, {"FRA", 4}, {"DEU", 4}, {"NLD", 3}, {"RUS", 5}, {"TWN", 2}, {"PHL", 2}, {"TLS", 1}, {"CAN", 2}, {"ITA", 2}, {"NZL", 1}}
}

type natPicker struct {
	codes []string
	p     *sample.Picker
}

func newNatPicker(ws []natWeight) natPicker {
	np := natPicker{}
	w := make([]float64, len(ws))
	for i, x := range ws {
		np.codes = append(np.codes, x.Code)
		w[i] = x.W
	}
	np.p = sample.NewPicker(w)
	return np
}

func (np natPicker) pick(rng *rand.Rand) string { return np.codes[np.p.Pick(rng)] }

// personName draws a plausible name and passport number for a nationality.
func personName(rng *rand.Rand, nat string) (string, string) {
	var first, last []string
	lastFirst := false
	prefix := "A"
	digits := 7
	switch nat {
	case "CHN", "TWN":
		last = []string{"Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma", "Hu", "Guo"}
		first = []string{"Wei", "Jun", "Hao", "Lei", "Jian", "Ming", "Yan", "Xin", "Tao", "Bo", "Fang", "Qiang", "Lin", "Yong", "Jie"}
		lastFirst, prefix, digits = true, "E", 8
	case "KOR":
		last = []string{"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"}
		first = []string{"Minjun", "Seoyeon", "Jihoon", "Hyejin", "Dongwoo", "Sunghee", "Jiwoo", "Yuna"}
		lastFirst, prefix, digits = true, "M", 8
	case "JPN":
		last = []string{"Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi"}
		first = []string{"Hiroshi", "Yuki", "Takeshi", "Aiko", "Kenji", "Naoko", "Daiki", "Haruka"}
		lastFirst, prefix, digits = true, "TK", 7
	case "IND":
		first = []string{"Rahul", "Priya", "Amit", "Sunita", "Vikram", "Anjali", "Arjun", "Deepa", "Sanjay", "Kavita"}
		last = []string{"Sharma", "Patel", "Singh", "Kumar", "Gupta", "Reddy", "Nair", "Iyer", "Das"}
		prefix = "Z"
	case "MYS", "SGP":
		first = []string{"Ahmad", "Nur", "Siti", "Muhammad", "Aisyah", "Hafiz", "Mei Ling", "Wei Jie", "Ravi", "Farah"}
		last = []string{"bin Abdullah", "binti Hassan", "Tan", "Lim", "Ng", "Rahman", "Ismail", "Wong", "Teo"}
		prefix, digits = "K", 8
	case "PHL":
		first = []string{"Jose", "Maria", "Mark", "Angelica", "John", "Kristine", "Paolo", "Jasmine"}
		last = []string{"Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza", "Ramos"}
		prefix = "P"
	case "RUS":
		first = []string{"Ivan", "Olga", "Dmitry", "Anna", "Sergei", "Elena", "Alexei", "Natalia"}
		last = []string{"Ivanov", "Smirnova", "Petrov", "Kuznetsova", "Volkov", "Popova", "Sokolov"}
		prefix, digits = "75", 7
	case "TLS":
		first = []string{"João", "Maria", "António", "Ana", "Domingos", "Rosa"}
		last = []string{"da Silva", "Soares", "Guterres", "Pereira", "Belo", "Ximenes"}
		prefix = "TL"
	case "NLD", "DEU", "FRA", "ITA":
		first = []string{"Jan", "Anke", "Lukas", "Marie", "Pierre", "Camille", "Marco", "Giulia", "Sophie", "Thomas"}
		last = []string{"de Vries", "Jansen", "Müller", "Schmidt", "Dubois", "Moreau", "Rossi", "Bianchi", "Bakker", "Fischer"}
		prefix, digits = "C", 8
	default: // AUS, USA, GBR, CAN, NZL
		first = []string{"James", "Emma", "Oliver", "Sophie", "Jack", "Olivia", "William", "Charlotte", "Thomas", "Mia", "Daniel", "Grace"}
		last = []string{"Smith", "Brown", "Wilson", "Taylor", "Johnson", "Williams", "Jones", "Martin", "Anderson", "Thompson", "White"}
		prefix, digits = "PA", 7
	}
	f, l := pickStr(rng, first), pickStr(rng, last)
	name := f + " " + l
	if lastFirst {
		name = l + " " + f
	}
	var b strings.Builder
	b.WriteString(prefix)
	for range digits {
		b.WriteByte(byte('0' + rng.IntN(10)))
	}
	return name, b.String()
}

// validity is a permit's usual length in days.
func validity(permit string) int {
	switch permit {
	case "ITAS":
		return 365
	case "ITAP":
		return 1825
	case "VISIT":
		return 60
	case "VOA":
		return 30
	default:
		return 180
	}
}

// residents writes residences (workers near their worksite, others near
// hotels, worksites and busy villages of their kabupaten) and hotel stays.
func (g *gen) residents() error {
	rng := rngFor(g.seed, stResidents)
	nRes := int(math.Round(residenceShare * float64(g.cfg.Residents)))
	nHotel := g.cfg.Residents - nRes

	jambi := jambiOffices()
	jambiTotal := 0
	isJambi := func(k int) bool { return g.w.Kabs[k].Prov == "15" }
	for _, o := range jambi {
		jambiTotal += o.Count
	}
	if nRes < 2*jambiTotal {
		return fmt.Errorf("size %s has too few residences (%d) for the Jambi calibration (%d)", g.cfg.Name, nRes, jambiTotal)
	}
	provSum := map[string]float64{}
	for i := range g.w.Kabs {
		provSum[g.w.Kabs[i].Prov] += baseKabWeight(&g.w.Kabs[i])
	}
	resW, err := g.kabWeights(func(_ int, kb *Kab) float64 {
		x := g.prov[kb.Prov].ResW * baseKabWeight(kb) / provSum[kb.Prov]
		if kb.Kota {
			x *= 4
		}
		return x
	}, residentHotspots())
	if err != nil {
		return err
	}
	type slot struct {
		kab, worksite int // worksite -1: not a worker
	}
	var slots []slot
	// Jambi: exact published counts per immigration office.
	for _, o := range jambi {
		ks := make([]int, len(o.Kabs))
		rw := make([]float64, len(o.Kabs))
		fwk := make([]float64, len(o.Kabs))
		var sumRW, sumFW float64
		for i, c := range o.Kabs {
			k, ok := g.w.Kab(c)
			if !ok {
				return fmt.Errorf("jambi office %s: kabupaten %s not in the reference data", o.Office, c)
			}
			ks[i] = k
			rw[i] = resW[k]
			sumRW += rw[i]
			for _, wi := range g.kabWorksites[k] {
				fwk[i] += float64(g.ds.Worksites[wi].Foreign)
			}
			sumFW += fwk[i]
		}
		// 75% follow where foreigners live (the city first), 25% where
		// the office area's worksites are.
		w := make([]float64, len(o.Kabs))
		for i := range w {
			w[i] = 0.75 * rw[i] / sumRW
			if sumFW > 0 {
				w[i] += 0.25 * fwk[i] / sumFW
			}
		}
		for i, n := range sample.Allocate(o.Count, w) {
			k := ks[i]
			wsW := make([]float64, len(g.kabWorksites[k]))
			for j, wi := range g.kabWorksites[k] {
				wsW[j] = float64(g.ds.Worksites[wi].Foreign)
			}
			wp := sample.NewPicker(wsW)
			for range n {
				ws := -1
				if len(wsW) > 0 && rng.Float64() < jambiWorker {
					ws = g.kabWorksites[k][wp.Pick(rng)]
				}
				slots = append(slots, slot{k, ws})
			}
		}
	}
	// Elsewhere: workers in proportion to each worksite's foreign workers,
	// other residents by the residence weight.
	rest := nRes - jambiTotal
	nWork := int(math.Round(workerShare * float64(rest)))
	fw := make([]float64, len(g.ds.Worksites))
	for i, ws := range g.ds.Worksites {
		if !isJambi(ws.Kab) {
			fw[i] = float64(ws.Foreign)
		}
	}
	for i, n := range sample.Allocate(nWork, fw) {
		for range n {
			slots = append(slots, slot{g.ds.Worksites[i].Kab, i})
		}
	}
	for k := range resW {
		if isJambi(k) {
			resW[k] = 0
		}
	}
	for k, n := range sample.Allocate(rest-nWork, resW) {
		for range n {
			slots = append(slots, slot{k, -1})
		}
	}
	// Shuffle so ids do not reveal the allocation order.
	rng.Shuffle(len(slots), func(i, j int) { slots[i], slots[j] = slots[j], slots[i] })

	t0 := Today()
	industrial, workers, others, tourists := newNatPicker(natsIndustrial()), newNatPicker(natsWorkers()), newNatPicker(natsResidents()), newNatPicker(natsTourists())
	villPick := make([]*sample.Picker, len(g.w.Kabs))
	workerPermits := newNatPicker([]natWeight{{"ITAS", 93}, {"VISIT", 5}, {"OTHER", 2}})
	otherPermits := newNatPicker([]natWeight{{"ITAS", 55}, {"ITAP", 25}, {"VISIT", 12}, {"OTHER", 8}})
	guestPermits := newNatPicker([]natWeight{{"VOA", 55}, {"VISIT", 25}, {"ITAS", 12}, {"OTHER", 8}})
	out := make([]Resident, 0, g.cfg.Residents)
	for _, s := range slots {
		r := Resident{Kab: s.kab}
		k := s.kab
		kb := &g.w.Kabs[k]
		if s.worksite >= 0 {
			ws := &g.ds.Worksites[s.worksite]
			r.WorksiteID = ws.ID
			if ws.Sector == "smelter" || ws.Sector == "mining" {
				r.Nationality = industrial.pick(rng)
			} else {
				r.Nationality = workers.pick(rng)
			}
			r.Permit = workerPermits.pick(rng)
			sigma := 3.0
			if ws.Foreign >= 1000 {
				sigma = 4
			}
			r.P = g.place(rng, k, ws.P, sigma)
		} else {
			r.Nationality = others.pick(rng)
			r.Permit = otherPermits.pick(rng)
			u := rng.Float64()
			switch {
			case u < 0.4 && len(g.kabHotels[k]) > 0:
				h := &g.ds.Hotels[g.kabHotels[k][rng.IntN(len(g.kabHotels[k]))]]
				r.P = g.place(rng, k, h.P, 1.5)
			case u < 0.55 && len(g.kabWorksites[k]) > 0:
				ws := &g.ds.Worksites[g.kabWorksites[k][rng.IntN(len(g.kabWorksites[k]))]]
				r.P = g.place(rng, k, ws.P, 3)
			default:
				if villPick[k] == nil {
					villPick[k] = g.villagePicker(k, 1.5)
				}
				v := kb.Villages[villPick[k].Pick(rng)]
				r.P = g.place(rng, k, g.w.Villages[v].Point, 1.2)
			}
		}
		// Permit dates: present on Today; a share OverstayTarget expired.
		L := validity(r.Permit)
		if rng.Float64() < OverstayTarget {
			r.Expiry = day(t0, -1-int(math.Min(rng.ExpFloat64()*75, 1000)))
			r.Arrival = day(r.Expiry, -1-rng.IntN(L))
		} else {
			r.Expiry = day(t0, 1+rng.IntN(L))
			r.Arrival = day(t0, -1-rng.IntN(maxStay(r.Permit)))
			if r.Permit == "VISIT" || r.Permit == "VOA" {
				// Short visas cannot run past arrival + validity.
				if lim := day(r.Arrival, L); r.Expiry.After(lim) {
					r.Expiry = lim
				}
				if r.Expiry.Before(t0) {
					r.Expiry = t0
				}
			}
		}
		r.Reported = minDate(day(r.Arrival, rng.IntN(4)), t0)
		r.FullName, r.Passport = personName(rng, r.Nationality)
		out = append(out, r)
	}

	// Hotel stays, by kabupaten tourism weight and hotel popularity.
	if len(g.ds.Hotels) == 0 && nHotel > 0 {
		return fmt.Errorf("size %s has hotel stays but no hotels", g.cfg.Name)
	}
	hw := make([]float64, len(g.ds.Hotels))
	tw, err := g.tourismWeights()
	if err != nil {
		return err
	}
	for i, h := range g.ds.Hotels {
		hw[i] = h.W * tw[h.Kab] / float64(len(g.kabHotels[h.Kab]))
	}
	hp := sample.NewPicker(hw)
	for range nHotel {
		h := &g.ds.Hotels[hp.Pick(rng)]
		r := Resident{Hotel: true, HotelName: h.Name, P: h.P, Kab: h.Kab}
		r.Nationality = tourists.pick(rng)
		r.Permit = guestPermits.pick(rng)
		L := validity(r.Permit)
		r.CheckIn = day(t0, -rng.IntN(365))
		nights := 1 + int(math.Min(rng.ExpFloat64()*3.5, 60))
		out0 := day(r.CheckIn, nights)
		if out0.After(t0) {
			// Still a guest on Today.
			if rng.Float64() < OverstayTarget {
				r.Expiry = day(t0, -1-int(math.Min(rng.ExpFloat64()*20, 300)))
				r.Arrival = day(r.Expiry, -L)
				r.CheckIn = day(r.Arrival, rng.IntN(L))
			} else {
				r.Arrival = day(r.CheckIn, -rng.IntN(4))
				r.Expiry = maxDate(day(r.Arrival, L), day(t0, 1+rng.IntN(30)))
			}
		} else {
			r.CheckOut = out0
			r.Arrival = day(r.CheckIn, -rng.IntN(6))
			r.Expiry = maxDate(day(r.Arrival, L), out0)
		}
		r.Reported = minDate(day(r.CheckIn, rng.IntN(2)), t0)
		r.FullName, r.Passport = personName(rng, r.Nationality)
		out = append(out, r)
	}
	// Interleave stays and residences so the file reads like an export
	// sorted by report date; ids follow that order.
	sortResidents(out)
	for i := range out {
		out[i].ID = fmt.Sprintf("RES-%07d", i+1)
	}
	g.ds.Residents = out
	return nil
}

// maxStay bounds how long ago a present holder of the permit arrived (days).
func maxStay(permit string) int {
	switch permit {
	case "ITAS":
		return 1800
	case "ITAP":
		return 3650
	case "VISIT":
		return 55
	case "VOA":
		return 25
	default:
		return 360
	}
}

// sortResidents orders rows by report date, stably.
func sortResidents(rs []Resident) {
	slices.SortStableFunc(rs, func(a, b Resident) int { return a.Reported.Compare(b.Reported) })
}

func minDate(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxDate(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
