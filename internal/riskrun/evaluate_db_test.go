package riskrun_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/waspada-id/waspada/internal/riskrun"
)

// TestExportAndEvaluateHeldOut runs the README's evaluation: the demo
// scenario fitted with the last three months held out, at the default
// resolution; both kinds must beat the kernel-density baseline's PAI at the
// top 10 % (the acceptance figure). The export of the same run must
// have the documented columns, one row per cell, and each row's
// contributions must add up to the log of its score.
func TestExportAndEvaluateHeldOut(t *testing.T) {
	pool := demoDB(t)
	e := engine(t, pool)
	ctx := context.Background()
	until := time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)
	run, err := e.Compute(ctx, riskrun.Options{Until: until})
	if err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if err := e.Export(ctx, &out, "pmi", 6); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	if strings.Join(head[:5], ",") != "h3,score,gi_z,gi_bin,kabupaten_code" || len(head) < 10 || !strings.HasPrefix(head[5], "contrib_") {
		t.Fatalf("export header %v", head)
	}
	var cells int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM risk_cell WHERE run_id = $1 AND kind = 'pmi' AND res = 6`, run.RunID).Scan(&cells); err != nil {
		t.Fatal(err)
	}
	if len(recs)-1 != cells || cells == 0 {
		t.Errorf("export has %d rows for %d res-6 cells", len(recs)-1, cells)
	}
	for _, r := range recs[1:] {
		score, _ := strconv.ParseFloat(r[1], 64)
		var sum float64
		for _, v := range r[5:] {
			c, _ := strconv.ParseFloat(v, 64)
			sum += c
		}
		// contributions are stored as float32: a few 1e-6 of relative error each
		if math.Abs(sum-math.Log(score)) > 1e-3*math.Max(1, math.Abs(sum)) {
			t.Fatalf("cell %s: contributions sum to %.6f, log(score) %.6f", r[0], sum, math.Log(score))
		}
	}

	from, to := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)
	for _, kind := range riskrun.Kinds() {
		ev, err := e.Evaluate(ctx, kind, from, to, 5)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		ev.Print(&b)
		t.Logf("\n%s", b.String())
		if ev.RunID != run.RunID || ev.Incidents < 30 || len(ev.Model) != 2 || len(ev.Baseline) != 2 {
			t.Fatalf("%s: %+v", kind, ev)
		}
		for i, c := range append(ev.Model, ev.Baseline...) {
			if c.HitRate < 0 || c.HitRate > 1 || c.PAI < 0 {
				t.Errorf("%s capture %d: %+v", kind, i, c)
			}
		}
		if ev.Model[1].HitRate < ev.Model[0].HitRate {
			t.Errorf("%s: top 20%% catches fewer than top 10%%: %+v", kind, ev.Model)
		}
		if ev.Model[0].PAI <= ev.Baseline[0].PAI || !strings.Contains(b.String(), "model beats the KDE baseline") {
			t.Errorf("%s: model PAI %.2f does not beat the KDE baseline's %.2f at the top 10%%", kind, ev.Model[0].PAI, ev.Baseline[0].PAI)
		}
	}
	if _, err := e.Evaluate(ctx, "tppo", to, from, 5); err == nil {
		t.Error("a window ending before it starts was evaluated")
	}
	if err := e.Export(ctx, &out, "smuggling", 0); err == nil {
		t.Error("an unknown kind was exported")
	}
}
