package present

import (
	"math/rand"
	"slices"
	"testing"
	"time"
)

func TestChangeOf(t *testing.T) {
	for _, c := range []struct {
		ratio float64
		l     Lang
		text  string
		arrow string
	}{
		{-0.262, ID, "−26,2\u00a0%", "▼"}, // Kota Batam: 469 -> 346
		{0.4891, ID, "+48,9\u00a0%", "▲"}, // a ratio, not an absolute difference
		{0.4891, EN, "+48.9\u00a0%", "▲"},
		{-0.00049, ID, "±0,0\u00a0%", ""}, // rounds to zero: no sign, no arrow
		{12.5, ID, "+1.250,0\u00a0%", "▲"},
	} {
		got := ChangeOf(c.ratio, c.l)
		if got.Text != c.text || got.Arrow != c.arrow {
			t.Errorf("ChangeOf(%v, %s) = %q %q, want %q %q", c.ratio, c.l, got.Text, got.Arrow, c.text, c.arrow)
		}
	}
}

func TestNumberScoreRank(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Number(13662.55, 2, ID), "13.662,55"},
		{Number(13662.55, 2, EN), "13,662.55"},
		{Number(-0.004, 2, ID), "0,00"},
		{Number(-1234, 0, ID), "−1.234"},
		{Score(4.2, ID), "4,2\u00a0× rata-rata nasional"},
		{Score(1479.3, ID), "1.479\u00a0× rata-rata nasional"},
		{Score(9.96, EN), "10\u00a0× national average"},
		{Rank(7, 514, ID), "7 dari 514"},
		{Rank(10, 60557, ID), "10 dari 60.557"},
		{Rank(10, 60557, EN), "10 of 60,557"},
		{Km2(46.44, ID), "46,4\u00a0km²"},
		{MonthShort(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), ID), "Okt 2026"},
		{MonthShort(time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), ID), "Agu 2026"},
		{Month(time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), ID), "Oktober 2026"},
		{Permit("VISIT", ID), "Visa kunjungan"},
		{Nationality("CHN", ID), "Tiongkok"},
		{Nationality("XXY", ID), "XXY"},
		{FactorValue("landing_informal", 1, ID), "ya, dalam 8\u00a0km"},
		{FactorValue("landing_informal", 0, EN), "no, none within 8\u00a0km"},
		{FactorValue("poverty_rate", 19.52, ID), "19,5\u00a0%"},
		{FactorValue("pmi_departures", 1234, ID), "1.234 per bulan"},
		{FactorValue("foreign_residents", 12, ID), "12 WNA dalam 3\u00a0km"},
		{FactorValue("prior_tppo", 7.4, EN), "7.4 cases within 5\u00a0km"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestLevelOfRank(t *testing.T) {
	for _, c := range []struct{ rank, n, want int }{
		{1, 514, 5}, {6, 514, 5}, {7, 514, 4}, {26, 514, 4}, {27, 514, 3}, {52, 514, 3},
		{53, 514, 2}, {129, 514, 2}, {130, 514, 1}, {257, 514, 1}, {258, 514, 0}, {514, 514, 0},
		{1, 1, 5}, {0, 10, 0},
	} {
		if got := LevelOfRank(c.rank, c.n); got != c.want {
			t.Errorf("LevelOfRank(%d, %d) = %d, want %d", c.rank, c.n, got, c.want)
		}
	}
}

// Breaks and LevelOfScore must give every member the class of its rank, ties
// included: the map colours by score, the card by rank.
func TestBreaksAgreeWithRanks(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, n := range []int{1, 2, 7, 100, 514, 5000} {
		scores := make([]float64, n)
		for i := range scores {
			scores[i] = float64(rng.Intn(n/3 + 2)) // many ties
		}
		slices.Sort(scores)
		br := Breaks(scores)
		if len(br) != len(Classes())-1 || !slices.IsSorted(br) {
			t.Fatalf("n=%d: breaks %v", n, br)
		}
		for _, s := range scores {
			higher := n - func() int {
				i, _ := slices.BinarySearch(scores, s)
				j := i
				for j < n && scores[j] == s {
					j++
				}
				return j
			}()
			if a, b := LevelOfScore(s, br), LevelOfRank(higher+1, n); a != b {
				t.Fatalf("n=%d score %v: level by score %d, by rank %d", n, s, a, b)
			}
		}
	}
}

func TestClassTable(t *testing.T) {
	cs := Classes()
	for i, c := range cs {
		if c.Level != len(cs)-1-i || ClassByLevel(c.Level).ID != c.ID {
			t.Errorf("class %d: level %d", i, c.Level)
		}
		if r, g, b := c.RGB(); r == 0 && g == 0 && b == 0 {
			t.Errorf("class %s colour %q", c.ID, c.Colour)
		}
	}
	if cs[0].TopPercent != 1 || cs[0].LabelID != "Sangat tinggi" || cs[len(cs)-1].TopPercent != 100 {
		t.Errorf("class table %+v", cs)
	}
}
