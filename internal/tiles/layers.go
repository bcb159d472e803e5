package tiles

// argSet says which parameters a layer's named query takes (see tiles.sql).
type argSet int

const (
	argsTile  argSet = iota // z, x, y
	argsScope               // + scope
	argsRun                 // + scope, run id
	argsRisk                // + scope, run id, H3 resolution
)

// TileJSON field types.
const (
	fNumber  = "Number"
	fString  = "String"
	fBoolean = "Boolean"
)

// cellSpec describes a layer of counts per H3 cell (aggregated residents or
// incidents), counted in SQL and encoded in Go because cell centres come from H3.
type cellSpec struct {
	// MinCellPx is the smallest on-screen cell width, which picks the resolution.
	MinCellPx float64
	// PersonalFrom: users with personal-data rights see single features from this
	// zoom on, so the aggregate stops there for them.
	PersonalFrom uint32
}

// encoder says who writes a layer's MVT bytes.
type encoder int

const (
	encPostGIS encoder = iota // the named query returns ST_AsMVT bytes
	encCells                  // counts per H3 cell, encoded in Go (cellSpec)
	encRiskGo                 // risk rows projected, clipped and encoded in Go (orb)
)

// Layer is one MVT layer inside a tileset.
type Layer struct {
	Name        string // MVT layer name
	Query       string // named query in tiles.sql
	Description string
	MinZoom     uint32
	MaxZoom     uint32
	Args        argSet
	Fields      map[string]string
	// Personal layers hold single persons' records: only for principals who may
	// see personal data, and only inside their scope (the query filters by scope).
	Personal bool
	Cells    *cellSpec
	Encoder  encoder
}

// Tileset is what one URL /tiles/{name}/{z}/{x}/{y}.mvt serves: one or more layers.
type Tileset struct {
	Name        string
	Description string
	// Public tilesets (basemap geography) are the same for every signed-in user
	// and share one cache entry per tile; all others are cached per visibility class.
	Public bool
	Layers []Layer
}

// MinZoom and MaxZoom span the tileset's layers.
func (ts *Tileset) MinZoom() uint32 {
	m := ts.Layers[0].MinZoom
	for _, l := range ts.Layers {
		m = min(m, l.MinZoom)
	}
	return m
}

func (ts *Tileset) MaxZoom() uint32 {
	m := ts.Layers[0].MaxZoom
	for _, l := range ts.Layers {
		m = max(m, l.MaxZoom)
	}
	return m
}

// Zoom ranges of the boundary layers, shared by their own tilesets and the basemap.
func provinsiLayers() []Layer {
	return []Layer{
		{Name: "provinsi", Query: "provinsi", MinZoom: 2, MaxZoom: 14, Args: argsTile,
			Description: "Province polygons", Fields: map[string]string{"code": fString, "name": fString}},
		{Name: "provinsi_label", Query: "provinsi_label", MinZoom: 3, MaxZoom: 8, Args: argsTile,
			Description: "Province label points", Fields: map[string]string{"code": fString, "name": fString}},
	}
}

func kecamatanLayers() []Layer {
	return []Layer{
		{Name: "kecamatan", Query: "kecamatan", MinZoom: 8, MaxZoom: 14, Args: argsTile,
			Description: "District (kecamatan) polygons", Fields: map[string]string{"code": fString, "name": fString}},
		{Name: "kecamatan_label", Query: "kecamatan_label", MinZoom: 10, MaxZoom: 14, Args: argsTile,
			Description: "District label points", Fields: map[string]string{"code": fString, "name": fString}},
	}
}

func desaLayers() []Layer {
	return []Layer{
		{Name: "desa", Query: "desa", MinZoom: 11, MaxZoom: 14, Args: argsTile,
			Description: "Village polygons (only where published)", Fields: map[string]string{"code": fString, "name": fString}},
		{Name: "desa_label", Query: "desa_label", MinZoom: 12, MaxZoom: 14, Args: argsTile,
			Description: "Village centroids", Fields: map[string]string{"code": fString, "name": fString}},
	}
}

func rollupFields() map[string]string {
	f := map[string]string{"code": fString, "name": fString, "provinsi_code": fString}
	for _, k := range []string{"tppo", "pmi"} {
		for _, s := range []string{"_score", "_max", "_rank_province", "_rank_national", "_change"} {
			f[k+s] = fNumber
		}
	}
	return f
}

// Catalogue returns every tileset, in catalogue order. It is built on each call
// (cheaply, at start-up) rather than held in a package variable.
func Catalogue() []Tileset {
	// The countries around Indonesia first: land under our own boundaries.
	basemap := []Layer{
		{Name: "neighbours", Query: "neighbours", MinZoom: 2, MaxZoom: 14, Args: argsTile,
			Description: "Neighbouring countries (Natural Earth 1:10m, context only)", Fields: map[string]string{"iso_a3": fString, "name": fString, "name_id": fString}},
		{Name: "neighbours_label", Query: "neighbours_label", MinZoom: 2, MaxZoom: 10, Args: argsTile,
			Description: "Neighbouring country label points", Fields: map[string]string{"iso_a3": fString, "name": fString, "name_id": fString}},
	}
	basemap = append(basemap, provinsiLayers()...)
	basemap = append(basemap,
		Layer{Name: "kabupaten_boundary", Query: "kabupaten_boundary", MinZoom: 5, MaxZoom: 14, Args: argsTile,
			Description: "Kabupaten/kota polygons (geometry and name only)", Fields: map[string]string{"code": fString, "name": fString}},
		Layer{Name: "kabupaten_label", Query: "kabupaten_label", MinZoom: 6, MaxZoom: 11, Args: argsTile,
			Description: "Kabupaten/kota label points", Fields: map[string]string{"code": fString, "name": fString}},
	)
	basemap = append(basemap, kecamatanLayers()...)
	basemap = append(basemap, desaLayers()...)

	return []Tileset{
		{Name: "risk", Description: "TPPO and PMI risk per H3 cell, latest complete run; the resolution follows the zoom",
			Layers: []Layer{{Name: "risk", Query: "risk_rows", Encoder: encRiskGo, MinZoom: 3, MaxZoom: 14, Args: argsRisk,
				Description: "One hexagon per cell with both risk kinds: score (relative risk) and Gi* hot-spot bin (-3..3)",
				Fields: map[string]string{"h3": fString, "res": fNumber, "kabupaten_code": fString,
					"tppo_score": fNumber, "tppo_bin": fNumber, "pmi_score": fNumber, "pmi_bin": fNumber}}}},
		{Name: "kabupaten", Description: "Kabupaten/kota with the latest run's risk rollups (within the user's scope)",
			Layers: []Layer{
				{Name: "kabupaten", Query: "kabupaten_risk", MinZoom: 3, MaxZoom: 12, Args: argsRun,
					Description: "Kabupaten polygons with weighted/max score, ranks and change per risk kind", Fields: rollupFields()},
				{Name: "kabupaten_label", Query: "kabupaten_risk_label", MinZoom: 5, MaxZoom: 12, Args: argsScope,
					Description: "Kabupaten label points", Fields: map[string]string{"code": fString, "name": fString}},
			}},
		{Name: "basemap", Public: true, Description: "Offline basemap: boundaries and labels of every level at their zooms", Layers: basemap},
		{Name: "provinsi", Public: true, Description: "Provinces", Layers: provinsiLayers()},
		{Name: "kecamatan", Public: true, Description: "Districts (kecamatan)", Layers: kecamatanLayers()},
		{Name: "desa", Public: true, Description: "Villages (desa/kelurahan)", Layers: desaLayers()},
		{Name: "ports", Description: "Ports, terminals and informal landing points",
			Layers: []Layer{{Name: "ports", Query: "ports", MinZoom: 4, MaxZoom: 16, Args: argsScope,
				Description: "kind: main, public, special_terminal, private_terminal, informal",
				Fields: map[string]string{"id": fString, "name": fString, "kind": fString, "category": fString,
					"kabupaten_code": fString, "source": fString}}}},
		{Name: "worksites", Description: "Worksites employing foreign workers",
			Layers: []Layer{{Name: "worksites", Query: "worksites", MinZoom: 5, MaxZoom: 16, Args: argsScope,
				Fields: map[string]string{"id": fString, "name": fString, "company": fString, "sector": fString,
					"foreign_workers": fNumber, "local_workers": fNumber, "kabupaten_code": fString}}}},
		{Name: "desa_binaan", Description: "Villages with an immigration officer (desa binaan), at the village centroid",
			Layers: []Layer{{Name: "desa_binaan", Query: "desa_binaan", MinZoom: 5, MaxZoom: 16, Args: argsScope,
				Fields: map[string]string{"code": fString, "name": fString, "kabupaten_code": fString, "established_on": fString}}}},
		{Name: "incidents", Description: "Incidents: counts per H3 cell, single cases for authorised users at high zoom",
			Layers: []Layer{
				{Name: "incidents_cells", Query: "incidents_cells", MinZoom: 4, MaxZoom: 16, Args: argsScope,
					Cells: &cellSpec{MinCellPx: 12, PersonalFrom: 10}, Encoder: encCells,
					Description: "Point at each H3 cell centre; count (1-9 suppressed for roles without personal-data rights); per-kind counts for authorised users",
					Fields:      map[string]string{"h3": fString, "res": fNumber, "count": fNumber, "tppo": fNumber, "pmi": fNumber, "overstay": fNumber}},
				{Name: "incidents", Query: "incidents", MinZoom: 10, MaxZoom: 16, Args: argsScope, Personal: true,
					Description: "Single incidents (authorised users only)",
					Fields: map[string]string{"id": fString, "kind": fString, "occurred_on": fString, "victims": fNumber,
						"kabupaten_code": fString, "desa_code": fString}},
			}},
		{Name: "residents", Description: "Foreign residents and hotel stays: counts per H3 cell, single stays for authorised users at high zoom",
			Layers: []Layer{
				{Name: "residents_cells", Query: "residents_cells", MinZoom: 4, MaxZoom: 16, Args: argsScope,
					Cells: &cellSpec{MinCellPx: 12, PersonalFrom: 13}, Encoder: encCells,
					Description: "Point at each H3 cell centre; count (1-9 suppressed for roles without personal-data rights); overstay and hotel counts for authorised users",
					Fields:      map[string]string{"h3": fString, "res": fNumber, "count": fNumber, "overstay": fNumber, "hotel": fNumber}},
				{Name: "residents", Query: "residents", MinZoom: 13, MaxZoom: 16, Args: argsScope, Personal: true,
					Description: "Single stays (authorised users only); never names or passport numbers",
					Fields: map[string]string{"id": fString, "nationality": fString, "permit_type": fString,
						"permit_expiry": fString, "address_kind": fString, "hotel_name": fString, "overstay": fBoolean,
						"kabupaten_code": fString}},
			}},
	}
}
