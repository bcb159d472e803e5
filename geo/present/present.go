// Package present is the one place where risk numbers become words and
// colours: the risk classes (national percentile classes with their labels
// and colours), the plain-language score, change as a signed percentage,
// ranks, Indonesian and English number and month formats, and names for the
// codes the data carries (permit types, nationalities). The JSON API sends
// these strings as display fields, the PDFs print them and the web map reads
// the class table from the API, so that no two surfaces can disagree.
//
// Pure formatting: no I/O, no state.
package present

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Lang is a display language.
type Lang string

// The display languages: Bahasa Indonesia first, English as a switch.
const (
	ID Lang = "id"
	EN Lang = "en"
)

// Langs lists the display languages in the order the API sends them.
func Langs() []Lang { return []Lang{ID, EN} }

// NBSP keeps a number and its unit on one line.
const NBSP = "\u00a0"

// Minus is the typographic minus sign of display strings.
const Minus = "\u2212"

// Class is one national risk class. A class holds the cells (or kabupaten)
// whose national rank is within the top TopPercent of their population; the
// lowest class has TopPercent 100.
type Class struct {
	Level      int     `json:"level"` // 0 lowest .. 5 highest
	ID         string  `json:"id"`
	LabelID    string  `json:"label_id"`
	LabelEN    string  `json:"label_en"`
	TopPercent float64 `json:"top_percent"`
	Colour     string  `json:"colour"` // #rrggbb
}

// Classes is the class table, highest first. Colours: ColorBrewer YlOrRd, 6
// classes (colour-blind safe, readable on a projector and in print).
func Classes() []Class {
	return []Class{
		{5, "sangat_tinggi", "Sangat tinggi", "Very high", 1, "#bd0026"},
		{4, "tinggi", "Tinggi", "High", 5, "#f03b20"},
		{3, "cukup_tinggi", "Cukup tinggi", "Elevated", 10, "#fd8d3c"},
		{2, "sedang", "Sedang", "Medium", 25, "#feb24c"},
		{1, "rendah", "Rendah", "Low", 50, "#fed976"},
		{0, "sangat_rendah", "Sangat rendah", "Very low", 100, "#ffffb2"},
	}
}

// ClassByLevel returns the class of a level (clamped to the table).
func ClassByLevel(level int) Class {
	cs := Classes()
	level = max(0, min(len(cs)-1, level))
	return cs[len(cs)-1-level]
}

// Label is the class name in a language.
func (c Class) Label(l Lang) string {
	if l == EN {
		return c.LabelEN
	}
	return c.LabelID
}

// RGB is the class colour's components.
func (c Class) RGB() (r, g, b uint8) {
	v, err := strconv.ParseUint(strings.TrimPrefix(c.Colour, "#"), 16, 32)
	if err != nil {
		return 0, 0, 0
	}
	return uint8(v >> 16), uint8(v >> 8), uint8(v)
}

// topCount is how many of n members fall in the top pct percent (at least one
// when n > 0, so the highest class is never empty).
func topCount(pct float64, n int) int {
	if n <= 0 {
		return 0
	}
	return max(1, int(math.Ceil(pct/100*float64(n)-1e-9)))
}

// LevelOfRank is the class level of national rank (1 = highest) among n.
func LevelOfRank(rank, n int) int {
	if rank < 1 || n < 1 {
		return 0
	}
	for _, c := range Classes() {
		if c.TopPercent < 100 && rank <= topCount(c.TopPercent, n) {
			return c.Level
		}
	}
	return 0
}

// Breaks are the lowest scores of classes 1..5, ascending, from a
// population's scores sorted ascending: a score s is in level
// LevelOfScore(s, breaks). For every member this equals LevelOfRank of its
// rank (1 + the number of higher scores), ties included.
func Breaks(sortedAsc []float64) []float64 {
	n := len(sortedAsc)
	if n == 0 {
		return nil
	}
	cs := Classes()
	out := make([]float64, 0, len(cs)-1)
	for i := len(cs) - 2; i >= 0; i-- { // lowest threshold first
		k := topCount(cs[i].TopPercent, n)
		out = append(out, sortedAsc[n-k])
	}
	return out
}

// LevelOfScore is the level of a score given Breaks.
func LevelOfScore(s float64, breaks []float64) int {
	l := 0
	for _, b := range breaks {
		if s >= b {
			l++
		}
	}
	return l
}

// ---------------------------------------------------------------- numbers

// Number formats v with exactly digits decimals and thousands grouping:
// "13.662,6" in Indonesian, "13,662.6" in English; negative numbers carry
// the typographic minus.
func Number(v float64, digits int, l Lang) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', digits, 64)
	ip, fp, _ := strings.Cut(s, ".")
	thou, dec := ".", ","
	if l == EN {
		thou, dec = ",", "."
	}
	var b strings.Builder
	for i, c := range ip {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteString(thou)
		}
		b.WriteRune(c)
	}
	out := b.String()
	if fp != "" {
		out += dec + fp
	}
	if v < 0 && strings.Trim(out, "0.,") != "" {
		out = Minus + out
	}
	return out
}

// Int formats a whole number with thousands grouping.
func Int(n int64, l Lang) string { return Number(float64(n), 0, l) }

// Percent formats a percentage value (19.5 -> "19,5 %").
func Percent(pct float64, digits int, l Lang) string {
	return Number(pct, digits, l) + NBSP + "%"
}

// Km formats a distance ("2,1 km").
func Km(v float64, l Lang) string {
	d := 1
	if math.Abs(v) >= 10 || v == math.Trunc(v) {
		d = 0
	}
	return Number(v, d, l) + NBSP + "km"
}

// Km2 formats an area ("46,4 km²").
func Km2(v float64, l Lang) string {
	d := 1
	if math.Abs(v) >= 100 {
		d = 0
	}
	return Number(v, d, l) + NBSP + "km²"
}

// Multiple rounds a relative-risk score for reading: one decimal under 10,
// whole numbers above ("4,2", "13", "1.479").
func Multiple(score float64, l Lang) string {
	if math.Abs(score) < 9.95 {
		return Number(score, 1, l)
	}
	return Number(score, 0, l)
}

// Score is the plain-language score: "4,2 × rata-rata nasional".
func Score(score float64, l Lang) string {
	if l == EN {
		return Multiple(score, l) + NBSP + "× national average"
	}
	return Multiple(score, l) + NBSP + "× rata-rata nasional"
}

// Rank is "7 dari 514" / "7 of 514".
func Rank(rank, of int64, l Lang) string {
	if l == EN {
		return Int(rank, l) + " of " + Int(of, l)
	}
	return Int(rank, l) + " dari " + Int(of, l)
}

// Change is a change between periods as people read it.
type Change struct {
	Pct   float64 `json:"pct"`   // rounded to one decimal
	Text  string  `json:"text"`  // "+48,9 %", "−26,2 %", "±0,0 %"
	Arrow string  `json:"arrow"` // "▲", "▼" or ""
	Dir   string  `json:"dir"`   // up, down, flat
}

// ChangeOf turns a ratio change (weighted/previous − 1, as the rollups store
// it: −0.262 is a fall of 26.2 %) into its display form.
func ChangeOf(ratio float64, l Lang) Change {
	pct := math.Round(ratio*1000) / 10
	if pct == 0 {
		pct = 0 // no negative zero
	}
	c := Change{Pct: pct}
	switch {
	case pct > 0:
		c.Text, c.Arrow, c.Dir = "+"+Percent(pct, 1, l), "▲", "up"
	case pct < 0:
		c.Text, c.Arrow, c.Dir = Percent(pct, 1, l), "▼", "down"
	default:
		c.Text, c.Dir = "±"+Percent(0, 1, l), "flat"
	}
	return c
}

// ---------------------------------------------------------------- dates

func months(l Lang) [12]string {
	if l == EN {
		return [12]string{"January", "February", "March", "April", "May", "June", "July", "August",
			"September", "October", "November", "December"}
	}
	return [12]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
		"September", "Oktober", "November", "Desember"}
}

// Month is a period in full: "Oktober 2026".
func Month(t time.Time, l Lang) string {
	return months(l)[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// MonthShort is a period in short: "Okt 2026" / "Oct 2026", as the map's
// period selector writes it.
func MonthShort(t time.Time, l Lang) string {
	return months(l)[t.Month()-1][:3] + " " + strconv.Itoa(t.Year())
}
