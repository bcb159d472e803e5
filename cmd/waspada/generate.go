package main

import (
	"context"
	"fmt"
	"time"

	"github.com/waspada-id/waspada/internal/refdata"
	"github.com/waspada-id/waspada/internal/synth"
)

func (a *app) cmdGenerate(ctx context.Context, args []string) error {
	fs := a.flags("generate")
	size := fs.String("size", "demo", "demo (~50,000 residents) or national (~1,000,000)")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives byte-identical files")
	out := fs.String("out", "", "output folder (required)")
	dataDir := fs.String("data", "", "reference data folder (default $WASPADA_DATA, else ../shared/data)")
	process := fs.String("process", "latent", "incident process: latent (the default) or networks (recruiter networks, data/README.md)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("unexpected argument %q (usage: waspada generate --size demo|national --seed N --out DIR [--data DIR])", fs.Arg(0))
	}
	if *out == "" {
		return usagef("--out DIR is required (usage: waspada generate --size demo|national --seed N --out DIR [--data DIR])")
	}
	cfg, err := synth.SizeByName(*size)
	if err != nil {
		return usagef("%v", err)
	}
	if err := synth.CheckProcess(*process); err != nil {
		return usagef("--process: %v", err)
	}
	cfg.Process = *process
	if err := ctx.Err(); err != nil {
		return err
	}
	start := time.Now()
	w, err := synth.LoadWorld(refdata.Dir(*dataDir))
	if err != nil {
		return err
	}
	loaded := time.Since(start)
	ds, err := synth.Generate(w, cfg, *seed)
	if err != nil {
		return err
	}
	generated := time.Since(start)
	sizes, err := ds.WriteDir(*out)
	if err != nil {
		return err
	}
	a.log.Info("generated", "size", cfg.Name, "process", *process, "seed", *seed, "out", *out,
		"load", loaded.Round(time.Millisecond), "generate", (generated - loaded).Round(time.Millisecond),
		"total", time.Since(start).Round(time.Millisecond))
	counts := map[string]int{
		"worksites.csv": len(ds.Worksites), "residences.csv": len(ds.Residents), "ports.csv": len(ds.Ports),
		"desa-binaan.csv": len(ds.DesaBinaan), "incidents.csv": len(ds.Incidents), "indicators.csv": len(ds.Indicators),
	}
	for _, f := range synth.Files() {
		fmt.Fprintf(a.stdout, "%-16s %9d rows %12d bytes\n", f.File, counts[f.File], sizes[f.File])
	}
	return nil
}
