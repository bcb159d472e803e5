// The map style: an offline basemap drawn from our own boundary tiles, the
// risk layers above it, and the operational layers on top. Tile sources are
// the tile server's TileJSON documents (/tiles/{name}.json); glyphs come from
// /fonts (internal/glyphs renders them from Debian's DejaVu fonts).
import type { ExpressionSpecification, StyleSpecification, LayerSpecification } from 'maplibre-gl';
import type { Kind, RiskClass } from './api';

export const FONT = ['DejaVu Sans Book'];
export const FONT_BOLD = ['DejaVu Sans Bold'];

/**
 * The national risk classes, lowest first. The server's geo/present table is
 * the source (GET /api/presentation replaces this copy at start-up); this
 * mirror only draws the map until that answer arrives.
 */
export let RISK_CLASSES: RiskClass[] = [
  { level: 0, id: 'sangat_rendah', label_id: 'Sangat rendah', label_en: 'Very low', top_percent: 100, colour: '#ffffb2' },
  { level: 1, id: 'rendah', label_id: 'Rendah', label_en: 'Low', top_percent: 50, colour: '#fed976' },
  { level: 2, id: 'sedang', label_id: 'Sedang', label_en: 'Medium', top_percent: 25, colour: '#feb24c' },
  { level: 3, id: 'cukup_tinggi', label_id: 'Cukup tinggi', label_en: 'Elevated', top_percent: 10, colour: '#fd8d3c' },
  { level: 4, id: 'tinggi', label_id: 'Tinggi', label_en: 'High', top_percent: 5, colour: '#f03b20' },
  { level: 5, id: 'sangat_tinggi', label_id: 'Sangat tinggi', label_en: 'Very high', top_percent: 1, colour: '#bd0026' },
];
export function setRiskClasses(cs: RiskClass[]) {
  RISK_CLASSES = [...cs].sort((a, b) => a.level - b.level);
}
export function classColour(level: number | null | undefined): string {
  if (level === null || level === undefined || level < 0) return 'rgba(0,0,0,0)';
  return RISK_CLASSES[Math.min(level, RISK_CLASSES.length - 1)].colour;
}
/** Class colours lowest first (the e2e pixel check reads them). */
export function classColours(): string[] { return RISK_CLASSES.map((c) => c.colour); }

/** Score breaks per H3 resolution (from /api/presentation): the lowest score of classes 1..5. */
export type Breaks = Record<string, number[]>;

/** Relative change of a kabupaten score since the previous period, in percent. */
export const CHANGE_BREAKS = [-20, -10, -2, 2, 10, 20];
/** ColorBrewer RdBu reversed: blue falls, red rises, white ~ no change. */
export const CHANGE_COLORS = ['#2166ac', '#67a9cf', '#d1e5f0', '#f7f7f7', '#fddbc7', '#ef8a62', '#b2182b'];

/**
 * Gi* bins -3..3 as hexagon outlines: hot spots in black-violet, cold spots in
 * blue, drawn over a white halo so that they stay visible on the darkest
 * risk class (a red outline vanished over dark red).
 */
export const GI_COLORS: Record<string, string> = {
  '3': '#000000', '2': '#54278f', '1': '#9e9ac8', '-1': '#9ecae1', '-2': '#4292c6', '-3': '#08519c',
};

/** Point layers: none of these is a risk-palette colour. */
export const POINT_COLORS = {
  informal: '#01665e', incident: '#111111', incidentRing: '#ffeb3b', resident: '#54278f',
  worksite: '#8c510a', desaBinaan: '#1a9850',
};

export const PORT_COLORS: Record<string, string> = {
  main: '#1b4f9c', public: '#3d7fd9', special_terminal: '#6a51a3', private_terminal: '#9e9ac8',
};

export const SEA = '#c9dde8';
export const LAND = '#f3f0e8';
export const NEIGHBOUR_LAND = '#e2dfd6';

export function stepColor(input: ExpressionSpecification, breaks: number[], colors: string[]): ExpressionSpecification {
  const e: unknown[] = ['step', input, colors[0]];
  breaks.forEach((b, i) => e.push(b, colors[i + 1]));
  return e as ExpressionSpecification;
}

export function scoreField(kind: Kind): string {
  return kind === 'tppo' ? 'tppo_score' : 'pmi_score';
}
export function binField(kind: Kind): string {
  return kind === 'tppo' ? 'tppo_bin' : 'pmi_bin';
}

/** A step expression over class breaks (ties collapse: the higher class wins). */
function classStep(input: ExpressionSpecification, breaks: number[]): ExpressionSpecification {
  const colours = classColours();
  const e: unknown[] = ['step', input, colours[0]];
  let last = -Infinity;
  breaks.forEach((b, i) => {
    if (b > last) { e.push(b, colours[i + 1]); last = b; }
    else e[e.length - 1] = colours[i + 1];
  });
  return e as ExpressionSpecification;
}

/**
 * Hexagon fill for a kind: each cell's national class among the cells of its
 * own resolution (the tiles carry `res`), the class the cell card names;
 * transparent where the kind has no score or no breaks are known yet.
 */
export function hexFill(kind: Kind, breaks: Breaks = {}): ExpressionSpecification {
  const score: ExpressionSpecification = ['to-number', ['get', scoreField(kind)]];
  const byRes: unknown[] = ['match', ['to-number', ['get', 'res'], 0]];
  for (const [res, b] of Object.entries(breaks)) if (b.length) byRes.push(Number(res), classStep(score, b));
  const fill = byRes.length > 2 ? [...byRes, 'rgba(0,0,0,0)'] : 'rgba(0,0,0,0)';
  return ['case', ['has', scoreField(kind)], fill, 'rgba(0,0,0,0)'] as ExpressionSpecification;
}

export function giFill(kind: Kind): ExpressionSpecification {
  const m: unknown[] = ['match', ['to-number', ['get', binField(kind)], 0]];
  for (const [bin, color] of Object.entries(GI_COLORS)) m.push(Number(bin), color);
  m.push('rgba(0,0,0,0)');
  return m as ExpressionSpecification;
}

/** Choropleth from feature state: 'v' (national class level) or 'c' (change, %). */
export function choroplethFill(change: boolean): ExpressionSpecification {
  const key = change ? 'c' : 'v';
  const scale = change ? stepColor(['to-number', ['feature-state', key]], CHANGE_BREAKS, CHANGE_COLORS)
    : stepColor(['to-number', ['feature-state', key]], [1, 2, 3, 4, 5], classColours());
  return ['case', ['==', ['typeof', ['feature-state', key]], 'number'], scale, 'rgba(0,0,0,0)'];
}

/** Pixels per metre at the equator grows as 2^zoom: a circle of r metres. */
function metresToPixels(m: number): ExpressionSpecification {
  const atZ0 = m / 78271.517; // metres per pixel at zoom 0 (512 px tiles)
  return ['interpolate', ['exponential', 2], ['zoom'], 0, atZ0, 22, atZ0 * 2 ** 22];
}

/** Coverage radius of a desa binaan officer (the risk engine's desa_binaan factor). */
export const DESA_BINAAN_RADIUS_M = 4000;

export function buildStyle(origin: string, kind: Kind): StyleSpecification {
  const tj = (name: string) => `${origin}/tiles/${name}.json`;
  const labelPaint = { 'text-color': '#333', 'text-halo-color': 'rgba(255,255,255,0.9)', 'text-halo-width': 1.4 };
  const layers: LayerSpecification[] = [
    { id: 'sea', type: 'background', paint: { 'background-color': SEA } },
    // The countries around Indonesia (Natural Earth 1:10m, context only), greyer than our own land.
    { id: 'neighbours', type: 'fill', source: 'basemap', 'source-layer': 'neighbours', paint: { 'fill-color': NEIGHBOUR_LAND } },
    { id: 'neighbours-line', type: 'line', source: 'basemap', 'source-layer': 'neighbours',
      paint: { 'line-color': '#b8b2a5', 'line-width': 0.6 } },
    { id: 'land', type: 'fill', source: 'basemap', 'source-layer': 'provinsi', paint: { 'fill-color': LAND } },
    { id: 'desa-line', type: 'line', source: 'basemap', 'source-layer': 'desa', minzoom: 12,
      paint: { 'line-color': '#d8d2c4', 'line-width': 0.5 } },
    { id: 'kecamatan-line', type: 'line', source: 'basemap', 'source-layer': 'kecamatan', minzoom: 8,
      paint: { 'line-color': '#cfc6b4', 'line-width': 0.6, 'line-dasharray': [3, 2] } },

    // Risk: kabupaten choropleth (feature state from /api/ranking), hexagons, hot spots.
    { id: 'choropleth', type: 'fill', source: 'kabupaten', 'source-layer': 'kabupaten', layout: { visibility: 'none' },
      paint: { 'fill-color': choroplethFill(false), 'fill-opacity': 0.75 } },
    // Below zoom 5.5 hexagons are too small to draw (the tile server sends none):
    // the hexagon view shows the kabupaten rollup there instead, fading out as hexagons appear.
    { id: 'choropleth-overview', type: 'fill', source: 'kabupaten', 'source-layer': 'kabupaten', maxzoom: 6.5,
      paint: { 'fill-color': choroplethFill(false), 'fill-opacity': ['interpolate', ['linear'], ['zoom'], 5, 0.75, 6.5, 0] } },
    { id: 'hexagons', type: 'fill', source: 'risk', 'source-layer': 'risk',
      paint: { 'fill-color': hexFill(kind), 'fill-opacity': 0.75, 'fill-antialias': false } },
    // Hot spots as coloured hexagon outlines over a white halo, so the risk fill under them stays readable.
    { id: 'hotspots-halo', type: 'line', source: 'risk', 'source-layer': 'risk', layout: { visibility: 'none', 'line-join': 'round' },
      filter: ['!=', ['to-number', ['get', 'tppo_bin'], 0], 0],
      paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['linear'], ['zoom'], 5, 2.5, 10, 5], 'line-opacity': 0.9 } },
    { id: 'hotspots', type: 'line', source: 'risk', 'source-layer': 'risk', layout: { visibility: 'none', 'line-join': 'round' },
      filter: ['!=', ['to-number', ['get', 'tppo_bin'], 0], 0],
      paint: { 'line-color': giFill(kind), 'line-width': ['interpolate', ['linear'], ['zoom'], 5, 1, 10, 2.5], 'line-opacity': 0.95 } },
    // Cell edges when zoomed in, where neighbouring cells of one class would read as one blot.
    { id: 'hexagons-line', type: 'line', source: 'risk', 'source-layer': 'risk', minzoom: 10.5,
      paint: { 'line-color': 'rgba(255,255,255,0.55)', 'line-width': 0.6 } },
    { id: 'hex-selected', type: 'line', source: 'risk', 'source-layer': 'risk', filter: ['==', ['get', 'h3'], ''],
      paint: { 'line-color': '#111', 'line-width': 2.5 } },

    { id: 'kabupaten-line', type: 'line', source: 'basemap', 'source-layer': 'kabupaten_boundary', minzoom: 5,
      paint: { 'line-color': '#9c927f', 'line-width': ['interpolate', ['linear'], ['zoom'], 5, 0.4, 10, 1.2] } },
    { id: 'kabupaten-selected', type: 'line', source: 'basemap', 'source-layer': 'kabupaten_boundary', filter: ['==', ['get', 'code'], ''],
      paint: { 'line-color': '#111', 'line-width': 3 } },
    { id: 'provinsi-line', type: 'line', source: 'basemap', 'source-layer': 'provinsi',
      paint: { 'line-color': '#8a8070', 'line-width': ['interpolate', ['linear'], ['zoom'], 3, 0.5, 8, 1.3, 12, 2] } },

    // Operational layers.
    { id: 'desa-binaan-coverage', type: 'circle', source: 'desa_binaan', 'source-layer': 'desa_binaan', layout: { visibility: 'none' },
      paint: { 'circle-radius': metresToPixels(DESA_BINAAN_RADIUS_M), 'circle-color': 'rgba(26,152,80,0.12)',
        'circle-stroke-color': 'rgba(26,152,80,0.7)', 'circle-stroke-width': 1 } },
    { id: 'desa-binaan', type: 'circle', source: 'desa_binaan', 'source-layer': 'desa_binaan', layout: { visibility: 'none' },
      paint: { 'circle-radius': 4, 'circle-color': '#1a9850', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } },
    { id: 'residents', type: 'circle', source: 'residents', 'source-layer': 'residents_cells', layout: { visibility: 'none' },
      filter: ['>', ['to-number', ['get', 'count'], 0], 0],
      paint: { 'circle-radius': ['interpolate', ['linear'], ['sqrt', ['to-number', ['get', 'count'], 0]], 3, 8, 30, 26],
        'circle-color': 'rgba(84,39,143,0.55)', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } },
    { id: 'residents-count', type: 'symbol', source: 'residents', 'source-layer': 'residents_cells', layout: { visibility: 'none',
      'text-field': ['to-string', ['get', 'count']], 'text-font': FONT_BOLD, 'text-size': 11, 'text-allow-overlap': false },
      filter: ['>', ['to-number', ['get', 'count'], 0], 0], paint: { 'text-color': '#fff' } },
    { id: 'residents-single', type: 'circle', source: 'residents', 'source-layer': 'residents', layout: { visibility: 'none' },
      paint: { 'circle-radius': 3.5, 'circle-color': '#54278f', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } },
    { id: 'incidents', type: 'circle', source: 'incidents', 'source-layer': 'incidents_cells', layout: { visibility: 'none' },
      filter: ['>', ['to-number', ['get', 'count'], 0], 0],
      paint: { 'circle-radius': ['interpolate', ['linear'], ['sqrt', ['to-number', ['get', 'count'], 0]], 3, 7, 20, 22],
        'circle-color': 'rgba(0,0,0,0.6)', 'circle-stroke-color': '#ffeb3b', 'circle-stroke-width': 1.5 } },
    { id: 'incidents-count', type: 'symbol', source: 'incidents', 'source-layer': 'incidents_cells', layout: { visibility: 'none',
      'text-field': ['to-string', ['get', 'count']], 'text-font': FONT_BOLD, 'text-size': 11 },
      filter: ['>', ['to-number', ['get', 'count'], 0], 0], paint: { 'text-color': '#ffeb3b' } },
    { id: 'incidents-single', type: 'circle', source: 'incidents', 'source-layer': 'incidents', layout: { visibility: 'none' },
      paint: { 'circle-radius': 4, 'circle-color': POINT_COLORS.incident,
        'circle-stroke-color': '#ffeb3b', 'circle-stroke-width': 1.5 } },
    { id: 'worksites', type: 'circle', source: 'worksites', 'source-layer': 'worksites', layout: { visibility: 'none' },
      paint: { 'circle-radius': ['interpolate', ['linear'], ['sqrt', ['to-number', ['get', 'foreign_workers'], 0]], 0, 3, 40, 14],
        'circle-color': '#8c510a', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1, 'circle-opacity': 0.85 } },
    { id: 'ports', type: 'circle', source: 'ports', 'source-layer': 'ports', layout: { visibility: 'none' },
      filter: ['!=', ['get', 'kind'], 'informal'],
      paint: { 'circle-radius': ['match', ['get', 'kind'], 'main', 6, 'public', 5, 4],
        'circle-color': ['match', ['get', 'kind'], 'main', PORT_COLORS.main, 'public', PORT_COLORS.public,
          'special_terminal', PORT_COLORS.special_terminal, PORT_COLORS.private_terminal],
        'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } },
    { id: 'informal', type: 'circle', source: 'ports', 'source-layer': 'ports', layout: { visibility: 'none' },
      filter: ['==', ['get', 'kind'], 'informal'],
      paint: { 'circle-radius': 5, 'circle-color': POINT_COLORS.informal, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } },

    // Labels last, so nothing covers them.
    { id: 'desa-label', type: 'symbol', source: 'basemap', 'source-layer': 'desa_label', minzoom: 12,
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 10 }, paint: { ...labelPaint, 'text-color': '#666' } },
    { id: 'kecamatan-label', type: 'symbol', source: 'basemap', 'source-layer': 'kecamatan_label', minzoom: 10,
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 11 }, paint: { ...labelPaint, 'text-color': '#555' } },
    { id: 'kabupaten-label', type: 'symbol', source: 'basemap', 'source-layer': 'kabupaten_label', minzoom: 6,
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': ['interpolate', ['linear'], ['zoom'], 6, 11, 10, 14],
        'text-max-width': 8 }, paint: labelPaint },
    { id: 'neighbours-label', type: 'symbol', source: 'basemap', 'source-layer': 'neighbours_label', maxzoom: 10,
      layout: { 'text-field': ['get', 'name_id'], 'text-font': FONT_BOLD, 'text-size': ['interpolate', ['linear'], ['zoom'], 3, 10, 8, 14],
        'text-transform': 'uppercase', 'text-letter-spacing': 0.1 },
      paint: { ...labelPaint, 'text-color': '#8a8373' } },
    { id: 'provinsi-label', type: 'symbol', source: 'basemap', 'source-layer': 'provinsi_label', maxzoom: 8,
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT_BOLD, 'text-size': ['interpolate', ['linear'], ['zoom'], 3, 10, 7, 15],
        'text-transform': 'uppercase', 'text-letter-spacing': 0.06, 'text-max-width': 7 },
      paint: { ...labelPaint, 'text-color': '#5a5245' } },
  ];
  return {
    version: 8,
    glyphs: `${origin}/fonts/{fontstack}/{range}.pbf`,
    sources: {
      basemap: { type: 'vector', url: tj('basemap') },
      risk: { type: 'vector', url: tj('risk'), promoteId: 'h3' },
      kabupaten: { type: 'vector', url: tj('kabupaten') },
      ports: { type: 'vector', url: tj('ports') },
      worksites: { type: 'vector', url: tj('worksites') },
      desa_binaan: { type: 'vector', url: tj('desa_binaan') },
      incidents: { type: 'vector', url: tj('incidents') },
      residents: { type: 'vector', url: tj('residents') },
    },
    layers,
  };
}

/** Toggleable layer groups: panel key -> style layer ids. */
export const LAYER_GROUPS: Record<string, string[]> = {
  hexagons: ['hexagons', 'hexagons-line', 'choropleth-overview'],
  choropleth: ['choropleth'],
  hotspots: ['hotspots-halo', 'hotspots'],
  ports: ['ports'],
  informal: ['informal'],
  worksites: ['worksites'],
  desa_binaan: ['desa-binaan-coverage', 'desa-binaan'],
  residents: ['residents', 'residents-count', 'residents-single'],
  incidents: ['incidents', 'incidents-count', 'incidents-single'],
};
