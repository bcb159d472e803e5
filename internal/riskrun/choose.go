package riskrun

import (
	"fmt"
	"slices"
	"time"

	"github.com/uber/h3-go/v4"
	"golang.org/x/sync/errgroup"

	"github.com/waspada-id/waspada/geo/disclosure"
	"github.com/waspada-id/waspada/geo/hexgrid"
	"github.com/waspada-id/waspada/geo/risk"
	"github.com/waspada-id/waspada/internal/access"
)

// valMonths is the validation part at the end of the training window: the
// forms, the kernel bandwidth and the blend weight are chosen by fitting on
// the months before it and scoring it.
const valMonths = 3

// Selection is what out-of-time validation inside the training window chose
// for a run, stored in risk_run.model under "validation" (each factor's
// form is also in risk_run.model.<kind>.factors[].form).
type Selection struct {
	FitFrom  time.Time         `json:"fit_from"`
	FitUntil time.Time         `json:"fit_until"`
	ValFrom  time.Time         `json:"validation_from"`
	ValUntil time.Time         `json:"validation_until"`
	Forms    []risk.FormChoice `json:"forms"`
	Blend    map[string]*Blend `json:"blend"`
}

// Blend is one kind's kernel factor: the bandwidth chosen for the kernel
// density of its cases and the weight that density gets in the score, with
// the validation mean PAI (top 10 % and 20 %) of the model with and without
// it and of the tuned kernel density alone.
type Blend struct {
	Factor       string                `json:"factor"`
	BandwidthKm  float64               `json:"bandwidth_km"`
	Gamma        float64               `json:"gamma"`
	Bandwidths   []risk.BandwidthScore `json:"bandwidths"`
	Gammas       []risk.BlendScore     `json:"gammas"`
	ValModel     float64               `json:"validation_mean_pai_model"`
	ValModelOnly float64               `json:"validation_mean_pai_layers_only"`
	ValKDE       float64               `json:"validation_mean_pai_tuned_kde"`
}

// kernelFactor is the index of kind's kernel factor in fs, -1 if none.
func kernelFactor(fs []risk.Factor, kind string) int {
	for j, f := range fs {
		if f.Influence == risk.Kernel && f.For(kind) {
			return j
		}
	}
	return -1
}

// pointsOfKind are the locations of kind's incidents in [from, to].
// The kernel density enters the published score, so it is a density of the
// window's published base cells (geo/disclosure): each cell with at least
// access.MinPublishedCount cases counts them at its centre, the others
// nothing. Single cases never move the surface.
func pointsOfKind(inc []incidentPoint, kind string, from, to time.Time) []risk.LatLng {
	counts := map[h3.Cell]int64{}
	for _, p := range inc {
		if p.kind == kind && !p.day.Before(from) && !p.day.After(to) {
			if c, ok := hexgrid.ParentAt(h3.Cell(p.h3r9), access.DisclosureBaseRes); ok {
				counts[c]++
			}
		}
	}
	cells := make([]h3.Cell, 0, len(counts))
	for c := range disclosure.Leaves(counts, access.MinPublishedCount) {
		cells = append(cells, c)
	}
	slices.Sort(cells)
	var out []risk.LatLng
	for _, c := range cells {
		ll := c.LatLng()
		for range counts[c] {
			out = append(out, risk.LatLng{Lat: ll.Lat, Lng: ll.Lng})
		}
	}
	return out
}

// choose runs the validation inside the training window [trainFrom, until]
// (the last valMonths months scored by a fit on the months before): each
// factor's form (risk.SelectForms), then per kind the kernel bandwidth and
// the kernel factor's weight. It returns the factors with their forms and
// kernel bandwidths, the kernel columns of the whole training window keyed
// by layer (cases a year, kernel-weighted), the weights per kind, and the
// record. With a training window too short to split, the factor table's
// forms are kept and the kernel factors get weight 0.
func choose(grid *hexgrid.Grid, kg *risk.KDEGrid, area []float64, lay *layers, period month, fs []risk.Factor,
	inc []incidentPoint, trainFrom, until time.Time, trainMonths int, fit risk.FitOptions) ([]risk.Factor, map[string][]float64, map[string]float64, *Selection, error) {
	gammas := map[string]float64{}
	cols := map[string][]float64{}
	out := make([]risk.Factor, len(fs))
	copy(out, fs)
	if trainMonths < 2*valMonths {
		return out, cols, gammas, nil, nil
	}
	valFrom := (period - valMonths + 1).first()
	fitUntil := valFrom.AddDate(0, 0, -1)
	sel := &Selection{FitFrom: trainFrom, FitUntil: fitUntil, ValFrom: valFrom, ValUntil: until, Blend: map[string]*Blend{}}
	var fitInc, valInc []incidentPoint
	for _, p := range inc {
		if p.day.Before(valFrom) {
			fitInc = append(fitInc, p)
		} else {
			valInc = append(valInc, p)
		}
	}
	yFit, yVal := countByCell(grid, fitInc), countByCell(grid, valInc)

	in := lay.inputs(period)
	raw, err := risk.Values(grid, fs, in)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	sp := grid.NewSpreader()
	candidates := func(j int) ([]risk.Form, [][]float64, error) {
		forms := fs[j].Candidates(grid.Res)
		vals, err := risk.CandidateValues(sp, grid, fs[j], forms, in)
		return forms, vals, err
	}
	var etaFit map[string][]float64
	out, sel.Forms, etaFit, err = risk.SelectForms(fs, raw, candidates, kinds[:], yFit, yVal, fit)
	if err != nil {
		return nil, nil, nil, nil, err
	}

	fitMonths := trainMonths - valMonths
	var g errgroup.Group
	blends := make([]*Blend, len(kinds))
	for ki, kind := range kinds {
		j := kernelFactor(out, kind)
		if j < 0 {
			continue
		}
		if etaFit[kind] == nil {
			continue // no cases to choose by: the kernel factor keeps weight 0
		}
		g.Go(func() error {
			dens := kg.Density(pointsOfKind(fitInc, kind, trainFrom, fitUntil), 12/float64(fitMonths), risk.KDEBandwidthsKm)
			b, bws, err := risk.TuneKDE(dens, risk.KDEBandwidthsKm, yVal[kind], area)
			if err != nil {
				return fmt.Errorf("risk: %s: tune kernel density: %w", kind, err)
			}
			gamma, gs, err := risk.ChooseBlend(etaFit[kind], dens[b], yVal[kind], area, risk.BlendGammas)
			if err != nil {
				return fmt.Errorf("risk: %s: blend: %w", kind, err)
			}
			bl := &Blend{Factor: out[j].Name, BandwidthKm: risk.KDEBandwidthsKm[b], Gamma: gamma, Bandwidths: bws, Gammas: gs,
				ValKDE: bws[b].MeanPAI, ValModelOnly: gs[0].MeanPAI}
			for _, s := range gs {
				if s.Gamma == gamma {
					bl.ValModel = s.MeanPAI
				}
			}
			blends[ki] = bl
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, nil, nil, err
	}
	for ki, kind := range kinds {
		bl := blends[ki]
		if bl == nil {
			continue
		}
		j := kernelFactor(out, kind)
		sel.Blend[kind] = bl
		gammas[kind] = bl.Gamma
		out[j] = out[j].WithForm(risk.Form{Influence: risk.Kernel, RadiusKm: bl.BandwidthKm, Log: true})
		cols[out[j].Layer] = kg.Density(pointsOfKind(inc, kind, trainFrom, until), 12/float64(trainMonths), []float64{bl.BandwidthKm})[0]
	}
	return out, cols, gammas, sel, nil
}

// blendOf is kind's blend record when factor is its kernel factor.
func (s *Selection) blendOf(kind, factor string) *Blend {
	if s == nil {
		return nil
	}
	if bl := s.Blend[kind]; bl != nil && bl.Factor == factor {
		return bl
	}
	return nil
}
