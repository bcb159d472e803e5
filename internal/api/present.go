package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/waspada-id/waspada/geo/present"
	"github.com/waspada-id/waspada/internal/access"
)

// Display strings: the API formats its figures once, with geo/present, in
// both languages, so that the map shows what the brief PDF prints. Clients
// show these and keep the raw numbers for sorting and charts.

// figures is one language's display strings of a kabupaten's (or cell's) risk.
type figures struct {
	Score   string          `json:"score"`          // "4,2 × rata-rata nasional"
	Value   string          `json:"value"`          // the raw score, rounded ("13.662,55"): technical detail
	Class   string          `json:"class"`          // "Sangat tinggi"
	Rank    string          `json:"rank,omitempty"` // national: "7 dari 514"
	RankIn  string          `json:"rank_in,omitempty"`
	Change  *present.Change `json:"change,omitempty"`
	Percent string          `json:"top,omitempty"` // "1 % teratas nasional"
}

type display map[present.Lang]figures

// classOf is the national class of a ranked member; -1 when unranked.
func classOf(rank *int32, of int64) int {
	if rank == nil || *rank < 1 || of < 1 {
		return -1
	}
	return present.LevelOfRank(int(*rank), int(of))
}

func topText(level int, l present.Lang) string {
	if level < 0 {
		return ""
	}
	c := present.ClassByLevel(level)
	if c.TopPercent >= 100 {
		if l == present.EN {
			return "bottom 50 % nationally"
		}
		return "50 % terbawah nasional"
	}
	p := present.Number(c.TopPercent, 0, l) + present.NBSP + "%"
	if l == present.EN {
		return "top " + p + " nationally"
	}
	return p + " teratas nasional"
}

// kabDisplay formats a kabupaten's score, national rank and change.
func kabDisplay(score float64, rankNat *int32, ofNation int64, rankIn *int32, ofIn int64, change *num) display {
	level := classOf(rankNat, ofNation)
	out := display{}
	for _, l := range present.Langs() {
		f := figures{Score: present.Score(score, l), Value: present.Number(score, 2, l), Percent: topText(level, l)}
		if level >= 0 {
			f.Class = present.ClassByLevel(level).Label(l)
			f.Rank = present.Rank(int64(*rankNat), ofNation, l)
		}
		if rankIn != nil && *rankIn > 0 && ofIn > 0 {
			f.RankIn = present.Rank(int64(*rankIn), ofIn, l)
		}
		if change != nil {
			c := present.ChangeOf(float64(*change), l)
			f.Change = &c
		}
		out[l] = f
	}
	return out
}

// cellDisplay formats a cell's score and ranks.
func cellDisplay(score float64, level int, rankNat, ofNat, rankKab, ofKab int64) display {
	out := display{}
	for _, l := range present.Langs() {
		f := figures{Score: present.Score(score, l), Value: present.Number(score, 2, l),
			Class: present.ClassByLevel(level).Label(l), Percent: topText(level, l)}
		if ofNat > 0 {
			f.Rank = present.Rank(rankNat, ofNat, l)
		}
		if ofKab > 0 {
			f.RankIn = present.Rank(rankKab, ofKab, l)
		}
		out[l] = f
	}
	return out
}

// factorDisplay is a factor value as what it is ("ya, dalam 8 km", "19,5 %").
func factorDisplay(name string, v float64) map[present.Lang]string {
	out := map[present.Lang]string{}
	for _, l := range present.Langs() {
		out[l] = present.FactorValue(name, v, l)
	}
	return out
}

type presentationJSON struct {
	Classes []present.Class `json:"classes"` // highest first
	RunID   int64           `json:"run_id"`
	Kind    string          `json:"kind"`
	// Breaks per H3 resolution: the lowest score of classes 1..5 among the
	// run's cells of that resolution (the hexagon fill's steps).
	Breaks map[string][]num `json:"breaks"`
}

// presentation serves the class table and the latest run's class breaks.
func (h *handler) presentation(w http.ResponseWriter, r *http.Request, _ access.Principal) error {
	kind, err := kindParam(r.URL.Query().Get("kind"))
	if err != nil {
		return err
	}
	ctx := r.Context()
	rn, err := h.latest(ctx)
	if err != nil {
		return err
	}
	h.ranks.seeRun(rn.ID, int(rn.Resolution))
	out := presentationJSON{Classes: present.Classes(), RunID: rn.ID, Kind: kind, Breaks: map[string][]num{}}
	for res := 5; res <= int(rn.Resolution); res++ {
		s, err := h.ranks.sorted(ctx, rankKey{rn.ID, kind, int16(res)})
		if err != nil {
			return fmt.Errorf("class breaks: %w", err)
		}
		if len(s) == 0 {
			continue
		}
		var b []num
		for _, v := range present.Breaks(s) {
			b = append(b, num(v))
		}
		out.Breaks[strconv.Itoa(res)] = b
	}
	return writeJSON(w, out)
}
