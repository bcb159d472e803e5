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

	"github.com/waspada-id/waspada/geo/risk"
	"github.com/waspada-id/waspada/internal/riskrun"
)

// TestExportAndEvaluateHeldOut runs the README's evaluation: the demo
// scenario fitted with the last three months held out, at the default
// resolution; both kinds must beat the fixed 5 km kernel density's PAI at
// the top 10 % and match the kernel density whose bandwidth was tuned on the
// training window at the top 10 % and 20 %, on the held-out window and on
// the validation windows inside the training window. The export of the same run must
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
		n := len(riskrun.EvalShares)
		if ev.RunID != run.RunID || ev.Incidents < 30 || len(ev.Model) != n || len(ev.Baseline) != n || len(ev.Tuned) != n {
			t.Fatalf("%s: %+v", kind, ev)
		}
		for i, c := range append(append(ev.Model, ev.Baseline...), ev.Tuned...) {
			if c.HitRate < 0 || c.HitRate > 1 || c.PAI < 0 || c.PEI < 0 || c.PEI > 1+1e-9 {
				t.Errorf("%s capture %d: %+v", kind, i, c)
			}
		}
		if ev.Model[2].HitRate < ev.Model[1].HitRate || ev.Model[1].HitRate < ev.Model[0].HitRate {
			t.Errorf("%s: a larger share catches fewer: %+v", kind, ev.Model)
		}
		if ev.TunedKm < 1 || ev.TunedKm > 25 {
			t.Errorf("%s: tuned bandwidth %v km outside the candidates 1..25", kind, ev.TunedKm)
		}
		// [1] is the top 10 %. The model may use cases only through their
		// published base cells (internal/riskrun: pointsOfKind), so it is held
		// to the strongest kernel density built from the same: tuned on the
		// training window. The densities of every single case are printed
		// beside it: the gap is the price of disclosure control (README).
		if len(ev.Published) != n || !strings.Contains(b.String(), "published case cells") {
			t.Fatalf("%s: no published-cells baseline", kind)
		}
		for _, i := range []int{1, 2} {
			if ev.Model[i].PAI < ev.Published[i].PAI {
				t.Errorf("%s: model PAI %.2f below the tuned KDE of published case cells %.2f (%g km) at the top %.0f%% of the held-out window",
					kind, ev.Model[i].PAI, ev.Published[i].PAI, ev.PublishedKm, 100*riskrun.EvalShares[i])
			}
		}
		if kind == "tppo" && ev.Model[1].PAI < ev.Tuned[1].PAI {
			// TPPO cases spread over many places: the layers carry the surface
			// and the model stays above even the every-case density.
			t.Errorf("tppo: model PAI %.2f below the tuned KDE of every case %.2f at the top 10%%", ev.Model[1].PAI, ev.Tuned[1].PAI)
		}

		// The validation windows inside the training window: the model the
		// run chose must rank the validation cases at least as well as the
		// kernel density tuned on the same windows.
		bl := run.Selection.Blend[kind]
		if bl == nil {
			t.Fatalf("%s: no blend recorded", kind)
		}
		if bl.ValModel < bl.ValKDE {
			t.Errorf("%s: on validation inside the training window the model's mean PAI %.3f is below the tuned KDE's %.3f (%g km)",
				kind, bl.ValModel, bl.ValKDE, bl.BandwidthKm)
		}
		if bl.ValModel < bl.ValModelOnly || len(bl.Gammas) != len(risk.BlendGammas) || len(bl.Bandwidths) != len(risk.KDEBandwidthsKm) {
			t.Errorf("%s: blend record %+v", kind, bl)
		}
	}
	if run.Selection == nil || len(run.Selection.Forms) < 10 {
		t.Fatalf("selection record: %+v", run.Selection)
	}
	for _, fc := range run.Selection.Forms {
		if len(fc.Candidates) < 2 || fc.Candidates[0].Name != fc.Default || fc.Candidates[0].Gain != 0 {
			t.Errorf("form choice %+v", fc)
		}
	}
	// The chosen forms are in the run's stored model and in risk export --factors.
	var formsStored int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM risk_run r, jsonb_array_elements(r.model->'tppo'->'factors') f
		WHERE r.id = $1 AND f->>'form' <> ''`, run.RunID).Scan(&formsStored); err != nil {
		t.Fatal(err)
	}
	if formsStored != len(run.Factors) {
		t.Errorf("%d factors with a stored form, want %d", formsStored, len(run.Factors))
	}
	var fx bytes.Buffer
	if err := e.ExportFactors(ctx, &fx, "pmi"); err != nil {
		t.Fatal(err)
	}
	frecs, err := csv.NewReader(&fx).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(frecs) != len(run.Factors)+1 || strings.Join(frecs[0][:5], ",") != "ord,name,label_en,form,default_form" {
		t.Fatalf("factor export: %v", frecs)
	}
	for i, f := range run.Factors {
		if frecs[i+1][1] != f.Name || frecs[i+1][3] != f.Form().String() {
			t.Errorf("factor export row %d: %v, want %s in form %s", i, frecs[i+1], f.Name, f.Form())
		}
	}
	if _, err := e.Evaluate(ctx, "tppo", to, from, 5); err == nil {
		t.Error("a window ending before it starts was evaluated")
	}
	if err := e.Export(ctx, &out, "smuggling", 0); err == nil {
		t.Error("an unknown kind was exported")
	}
}
