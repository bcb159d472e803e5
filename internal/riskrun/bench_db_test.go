package riskrun_test

import (
	"context"
	"strings"
	"testing"

	"github.com/waspada-id/waspada/internal/riskrun"

	"github.com/waspada-id/waspada/internal/testdb/scenario"
)

// BenchmarkComputeNational is the full compute at resolution 7 on the
// national scenario (1,000,000 residents, 20,000 worksites, 24 months of
// incidents; seed 1): fit both kinds, Gi*, parents, 13 periods of rollups and
// the write. The scenario is imported once per test cluster (about 2 min).
// The first compute covers the kabupaten with H3 and caches the grid; the
// timed one is what every later compute costs. Each stage is reported as
// s/<stage> so `make bench` shows where the time goes.
func BenchmarkComputeNational(b *testing.B) {
	pool := scenario.DB(b, "national", 1)
	e := engine(b, pool)
	ctx := context.Background()
	first, err := e.Compute(ctx, riskrun.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		r, err := e.Compute(ctx, riskrun.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.Elapsed.Seconds(), "s/compute")
		// metrics reported before the loop are dropped, so the first (grid-covering) compute is reported here
		b.ReportMetric(first.Elapsed.Seconds(), "s/first-compute")
		b.ReportMetric(float64(r.Cells), "cells")
		for _, st := range r.Stages {
			name := strings.NewReplacer(" ", "-", ",", "", "(", "", ")", "", ":", "", "*", "").Replace(st.Name)
			b.ReportMetric(st.Elapsed.Seconds(), "s/"+name)
		}
	}
}
