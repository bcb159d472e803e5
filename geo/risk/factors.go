package risk

import "math"

// Influence says how a source layer reaches a cell.
type Influence int

const (
	// Proximity: 1 when at least one source lies within the radius, else 0
	// (RTM's "within distance" operationalisation).
	Proximity Influence = iota + 1
	// Density: the (optionally weighted) count of sources within the radius.
	Density
	// Area: a kabupaten indicator, the same for every cell of the kabupaten.
	Area
	// Kernel: a Gaussian kernel density of the kind's own cases in the
	// training window (cases a year, kernel-weighted), computed by the engine
	// (Inputs.Columns). It is not fitted by the GLM: its weight is chosen on
	// validation inside the training window (see ChooseBlend).
	Kernel
)

func (i Influence) String() string {
	switch i {
	case Proximity:
		return "proximity"
	case Density:
		return "density"
	case Area:
		return "area"
	case Kernel:
		return "kernel"
	}
	return "unknown"
}

// Factor is one row of the declarative factor table. Adding a factor is one
// entry here plus, if its Layer is new, one query that loads that layer.
type Factor struct {
	Name    string // stable identifier, used in exports and the API
	LabelID string // Bahasa Indonesia label for the map
	LabelEN string
	// Layer names the source: a point layer (see the layer constants) for
	// proximity and density, an indicator name for Area factors.
	Layer     string
	Influence Influence
	// RadiusKm is the reach of a proximity or density factor; converted to
	// H3 k-rings at the analysis resolution (at least the cell itself).
	RadiusKm float64
	// Weighted sums Source.Weight (e.g. foreign workers) instead of counting sources.
	Weighted bool
	// Log transforms the raw value with log1p before it enters the model, for
	// heavy-tailed counts where the tenth resident matters less than the first.
	Log bool
	// Kinds lists the risk kinds the factor is offered to; nil means all.
	Kinds []string
	// TopicID and TopicEN name what the factor measures without its form
	// ("Main or public ports"): labels of other operationalisations are
	// built from them (Factor.WithForm).
	TopicID, TopicEN string
}

// Point layers the engine knows how to load (internal/riskrun/queries.sql).
const (
	LayerResident      = "resident"      // foreign residents at a residence, active in the period
	LayerHotel         = "hotel"         // hotel stays of foreign guests in the period
	LayerWorksite      = "worksite"      // worksites with foreign workers; weight = foreign workers
	LayerPortOfficial  = "port_official" // main and public ports
	LayerPortTerminal  = "port_terminal" // special and private terminals
	LayerPortInformal  = "port_informal" // informal landing points ("jalur tikus")
	LayerDesaBinaan    = "desa_binaan"   // villages with an immigration officer, established by the period
	LayerPriorTPPO     = "prior_tppo"    // TPPO cases in the 12 months before the training window
	LayerPriorPMI      = "prior_pmi"     // non-procedural PMI interceptions in the 12 months before the training window
	LayerRecentTPPO    = "recent_tppo"   // TPPO cases of the training window (kernel density, Inputs.Columns)
	LayerRecentPMI     = "recent_pmi"    // non-procedural PMI cases of the training window
	IndicatorPoverty   = "poverty_rate"  // percent
	IndicatorUnemploy  = "unemployment_rate"
	IndicatorPMIDepart = "pmi_departures" // procedural departures in the month
)

// Factors is the factor table. Every factor is offered to both kinds; the fit
// keeps only those that matter for each kind.
func Factors() []Factor {
	return []Factor{
		{Name: "foreign_residents", LabelID: "Kepadatan WNA (domisili)", LabelEN: "Foreign residents (density)",
			Layer: LayerResident, Influence: Density, RadiusKm: 3, Log: true,
			TopicID: "WNA berdomisili", TopicEN: "Foreign residents"},
		{Name: "hotel_foreign_guests", LabelID: "Kepadatan tamu asing hotel", LabelEN: "Hotels with foreign guests (density)",
			Layer: LayerHotel, Influence: Density, RadiusKm: 3, Log: true,
			TopicID: "Tamu asing hotel", TopicEN: "Hotels with foreign guests"},
		{Name: "foreign_workers", LabelID: "Tenaga kerja asing di lokasi kerja (kepadatan)", LabelEN: "Foreign workers at worksites (worker-weighted density)",
			Layer: LayerWorksite, Influence: Density, RadiusKm: 5, Weighted: true, Log: true,
			TopicID: "Tenaga kerja asing di lokasi kerja, per pekerja", TopicEN: "Foreign workers at worksites, worker-weighted"},
		{Name: "worksite_near", LabelID: "Dekat lokasi kerja TKA", LabelEN: "Near a worksite with foreign workers",
			Layer: LayerWorksite, Influence: Proximity, RadiusKm: 3,
			TopicID: "Lokasi kerja TKA", TopicEN: "Worksites with foreign workers"},
		{Name: "port_official", LabelID: "Dekat pelabuhan utama/umum", LabelEN: "Near a main or public port",
			Layer: LayerPortOfficial, Influence: Proximity, RadiusKm: 5,
			TopicID: "Pelabuhan utama/umum", TopicEN: "Main or public ports"},
		{Name: "port_terminal", LabelID: "Dekat terminal khusus/TUKS", LabelEN: "Near a special or private terminal",
			Layer: LayerPortTerminal, Influence: Proximity, RadiusKm: 5,
			TopicID: "Terminal khusus/TUKS", TopicEN: "Special or private terminals"},
		{Name: "landing_informal", LabelID: "Dekat jalur tikus", LabelEN: "Near an informal landing point",
			Layer: LayerPortInformal, Influence: Proximity, RadiusKm: 8,
			TopicID: "Jalur tikus", TopicEN: "Informal landing points"},
		// Desa binaan are sited where departures and trafficking are known
		// (and their Pimpasa report cases), so this factor usually comes out
		// above 1: it marks watched ground, it does not say that an officer
		// raises risk. The label says "within 4 km", not "coverage", so the
		// map does not read as "coverage causes risk".
		{Name: "desa_binaan", LabelID: "Dalam 4 km dari desa binaan", LabelEN: "Within 4 km of a desa binaan",
			Layer: LayerDesaBinaan, Influence: Proximity, RadiusKm: 4,
			TopicID: "Desa binaan", TopicEN: "Desa binaan"},
		// Where cases were found the year before the training window: exits,
		// landing beaches and recruiting villages that stay in use year after
		// year and that no other layer names (an airport or a land border
		// post is not in the port register). A year earlier, not the training
		// incidents themselves, so the fit does not regress counts on their
		// own smoothing. Offered to its own kind only.
		{Name: "prior_tppo", LabelID: "Kasus TPPO tahun sebelumnya (kepadatan 5 km)", LabelEN: "TPPO cases in the previous year (density, 5 km)",
			Layer: LayerPriorTPPO, Influence: Density, RadiusKm: 5, Log: true, Kinds: []string{"tppo"},
			TopicID: "Kasus TPPO tahun sebelumnya", TopicEN: "TPPO cases in the previous year"},
		{Name: "prior_pmi", LabelID: "Kasus PMI nonprosedural tahun sebelumnya (kepadatan 5 km)", LabelEN: "Irregular PMI cases in the previous year (density, 5 km)",
			Layer: LayerPriorPMI, Influence: Density, RadiusKm: 5, Log: true, Kinds: []string{"pmi"},
			TopicID: "Kasus PMI nonprosedural tahun sebelumnya", TopicEN: "Irregular PMI cases in the previous year"},
		// Where the kind's cases were found in the training window, as a
		// kernel density: offered so that the model can use what a tuned
		// kernel density knows when the layers do not explain it. Not a GLM
		// term (that would regress counts on their own smoothing): its
		// weight and bandwidth are chosen by out-of-time validation.
		{Name: "recent_tppo", LabelID: "Kasus TPPO di sekitar (12 bulan terakhir, kepadatan kernel)", LabelEN: "TPPO cases nearby in the training year (kernel density)",
			Layer: LayerRecentTPPO, Influence: Kernel, Log: true, Kinds: []string{"tppo"},
			TopicID: "Kasus TPPO di sekitar (12 bulan terakhir)", TopicEN: "TPPO cases nearby in the training year"},
		{Name: "recent_pmi", LabelID: "Kasus PMI nonprosedural di sekitar (12 bulan terakhir, kepadatan kernel)", LabelEN: "Irregular PMI cases nearby in the training year (kernel density)",
			Layer: LayerRecentPMI, Influence: Kernel, Log: true, Kinds: []string{"pmi"},
			TopicID: "Kasus PMI nonprosedural di sekitar (12 bulan terakhir)", TopicEN: "Irregular PMI cases nearby in the training year"},
		{Name: "poverty_rate", LabelID: "Tingkat kemiskinan kabupaten (%)", LabelEN: "Kabupaten poverty rate (%)",
			Layer: IndicatorPoverty, Influence: Area,
			TopicID: "Tingkat kemiskinan kabupaten (%)", TopicEN: "Kabupaten poverty rate (%)"},
		{Name: "unemployment_rate", LabelID: "Tingkat pengangguran kabupaten (%)", LabelEN: "Kabupaten unemployment rate (%)",
			Layer: IndicatorUnemploy, Influence: Area,
			TopicID: "Tingkat pengangguran kabupaten (%)", TopicEN: "Kabupaten unemployment rate (%)"},
		{Name: "pmi_departures", LabelID: "Keberangkatan PMI prosedural (log)", LabelEN: "Procedural PMI departures (log)",
			Layer: IndicatorPMIDepart, Influence: Area, Log: true,
			TopicID: "Keberangkatan PMI prosedural", TopicEN: "Procedural PMI departures"},
	}
}

// CountsPeople reports whether the factor's value counts people or cases
// (residents, hotel guests, foreign workers, prior cases): those layers are
// subject to small-count disclosure control. Proximity to a public feature
// and official kabupaten statistics are not.
func CountsPeople(f Factor) bool {
	switch f.Layer {
	case LayerResident, LayerHotel, LayerPriorTPPO, LayerPriorPMI:
		return f.Influence == Density
	case LayerWorksite:
		return f.Weighted
	}
	return false
}

// For reports whether the factor is offered to the risk kind.
func (f Factor) For(kind string) bool {
	if len(f.Kinds) == 0 {
		return true
	}
	for _, k := range f.Kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// Transform maps a raw factor value to the model's scale.
func (f Factor) Transform(raw float64) float64 {
	if f.Log {
		if raw <= 0 {
			return 0 // most cells have no source within reach: skip the log
		}
		// Densities are counts (of residents, workers, cases): small whole
		// numbers take log1p from a table. A compute transforms about 60
		// million values (fit, scores and 13 periods of rollups for two
		// kinds), and the table gives the very same bits as math.Log1p.
		if raw < float64(len(log1pCounts)) {
			if n := int(raw); float64(n) == raw {
				return log1pCounts[n]
			}
		}
		return math.Log1p(raw)
	}
	return raw
}

// log1pCounts[n] is math.Log1p(n): a constant table, filled once.
var log1pCounts = func() (t [4096]float64) {
	for n := range t {
		t[n] = math.Log1p(float64(n))
	}
	return t
}()
