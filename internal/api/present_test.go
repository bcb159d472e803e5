package api

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/waspada-id/waspada/geo/present"
)

// idPercent formats 100*ratio with one decimal the Indonesian way, written
// out here independently of geo/present.
func idPercent(ratio float64) string {
	s := fmt.Sprintf("%+.1f", math.Round(ratio*1000)/10)
	s = strings.Replace(s, ".", ",", 1)
	s = strings.Replace(s, "-", "−", 1)
	if s == "+0,0" || s == "−0,0" {
		s = "±0,0"
	}
	return s + "\u00a0%"
}

// The display fields are the raw figures formatted once: change as a
// percentage of the previous score (not an absolute difference), national
// rank "N dari M", the class of that rank, and the same strings in the
// ranking and the scorecard.
func TestDisplayFields(t *testing.T) {
	f := newFixture(t, true)
	var rk struct {
		Rows []struct {
			Code         string  `json:"code"`
			Score        float64 `json:"score"`
			RankNational int     `json:"rank_national"`
			OfNation     int     `json:"of_nation"`
			Change       *float64
			Class        *int               `json:"class"`
			Display      map[string]figures `json:"display"`
		} `json:"rows"`
	}
	if code := f.get(t, admin, "/api/ranking?kind=tppo", &rk); code != 200 || len(rk.Rows) != len(seeded) {
		t.Fatalf("ranking: %d, %d rows", code, len(rk.Rows))
	}
	changes := 0
	for _, r := range rk.Rows {
		d := r.Display["id"]
		if r.OfNation != len(seeded) || r.Class == nil || *r.Class != present.LevelOfRank(r.RankNational, r.OfNation) {
			t.Errorf("%s: of_nation %d, class %v for rank %d", r.Code, r.OfNation, r.Class, r.RankNational)
		}
		if want := fmt.Sprintf("%d dari %d", r.RankNational, r.OfNation); d.Rank != want {
			t.Errorf("%s: rank %q, want %q", r.Code, d.Rank, want)
		}
		if !strings.HasSuffix(d.Score, "× rata-rata nasional") {
			t.Errorf("%s: score %q", r.Code, d.Score)
		}
		if r.Change != nil {
			changes++
			if d.Change == nil || d.Change.Text != idPercent(*r.Change) {
				t.Errorf("%s: change %v shown as %+v, want %s", r.Code, *r.Change, d.Change, idPercent(*r.Change))
			}
		}
		var k struct {
			Risks map[string]struct {
				Display map[string]figures `json:"display"`
			} `json:"risks"`
		}
		if code := f.get(t, admin, "/api/kabupaten/"+r.Code, &k); code != 200 {
			t.Fatalf("scorecard %s: %d", r.Code, code)
		}
		kd := k.Risks["tppo"].Display["id"]
		if kd.Score != d.Score || kd.Rank != d.Rank || fmt.Sprint(kd.Change) != fmt.Sprint(d.Change) || kd.Class != d.Class {
			t.Errorf("%s: scorecard %+v, ranking %+v", r.Code, kd, d)
		}
		if en := k.Risks["tppo"].Display["en"]; !strings.Contains(en.Rank, " of ") {
			t.Errorf("%s: English rank %q", r.Code, en.Rank)
		}
	}
	if changes == 0 {
		t.Fatal("no ranking row has a change")
	}

	// Hexagon fill (breaks per resolution) and cell card (class by rank) agree.
	var pr presentationJSON
	if code := f.get(t, admin, "/api/presentation?kind=tppo", &pr); code != 200 || len(pr.Classes) != 6 {
		t.Fatalf("presentation: %d %+v", code, pr.Classes)
	}
	breaks := pr.Breaks["7"]
	if len(breaks) != 5 {
		t.Fatalf("breaks at res 7: %v", pr.Breaks)
	}
	bf := make([]float64, len(breaks))
	for i, b := range breaks {
		bf[i] = float64(b)
	}
	levels := map[int]int{}
	for i, c := range f.cells {
		if i%7 != 0 {
			continue
		}
		var cell struct {
			Class   int                `json:"class"`
			Score   float64            `json:"score"`
			Display map[string]figures `json:"display"`
		}
		if code := f.get(t, admin, "/api/cells/tppo/"+hex(c), &cell); code != 200 {
			t.Fatalf("cell %s: %d", hex(c), code)
		}
		if l := present.LevelOfScore(cell.Score, bf); l != cell.Class {
			t.Errorf("cell %s score %v: fill level %d, card level %d", hex(c), cell.Score, l, cell.Class)
		}
		if cell.Display["id"].Class != present.ClassByLevel(cell.Class).LabelID {
			t.Errorf("cell %s: class %q", hex(c), cell.Display["id"].Class)
		}
		levels[cell.Class]++
	}
	if len(levels) < 3 {
		t.Errorf("cells fall in only %d classes: %v", len(levels), levels)
	}
	if code := f.get(t, admin, "/api/presentation?kind=xyz", nil); code != 400 {
		t.Errorf("bad kind: %d", code)
	}
}
