// Joint-operation planner: pick an area (draw a polygon, or whole
// kecamatan/kabupaten), choose the target kinds and filters and the number of
// teams; the server finds the targets (single residents only where the user
// may see personal data), splits them into compact, balanced teams and orders
// each team's visits. Teams are drawn in distinct colours; the operation can
// be exported as CSV, GeoJSON or a printable PDF briefing.
import type { Feature, Polygon } from 'geojson';
import type { Tool, ToolContext } from '../tools';
import { el, errorText, field, fillSelect, num, Overlays, postJSON, regions, RequestError, saveResponse, tr, type Dict, type RegionItem } from './common';
import { PointPick, PolygonDraw } from './draw';

const T: Dict = {
  area: ['Wilayah operasi', 'Operation area'],
  draw: ['Gambar poligon', 'Draw polygon'],
  drawing: ['Klik peta untuk menambah titik; klik titik pertama untuk menutup.', 'Click the map to add vertices; click the first vertex to close.'],
  finish: ['Selesai', 'Finish'],
  clearDraw: ['Hapus poligon', 'Clear polygon'],
  undo: ['Batalkan titik terakhir', 'Undo last point'],
  upload: ['Unggah GeoJSON', 'Upload GeoJSON'],
  uploadBad: ['Berkas bukan GeoJSON poligon: {e}', 'Not a GeoJSON polygon: {e}'],
  uploaded: ['Poligon dari {f}: {n} titik', 'Polygon from {f}: {n} points'],
  drawn: ['Poligon: {n} titik.', 'Polygon: {n} vertices.'],
  orCodes: ['…atau pilih kecamatan/kabupaten:', '…or choose districts/regencies:'],
  province: ['Provinsi', 'Province'], kabupaten: ['Kabupaten/Kota', 'Regency/City'], kecamatan: ['Kecamatan', 'District'],
  wholeKab: ['— seluruh kabupaten/kota —', '— whole regency —'],
  add: ['Tambah', 'Add'],
  targets: ['Sasaran', 'Targets'],
  overstay: ['WNA overstay', 'Overstayers'], expiring: ['Izin segera habis', 'Permits expiring'],
  hotel: ['Hotel dengan tamu WNA', 'Hotels with foreign guests'], worksite: ['Lokasi kerja TKA', 'Foreign-worker sites'],
  landing: ['Jalur tikus', 'Informal landing points'],
  days: ['Habis dalam (hari)', 'Expiring within (days)'],
  nat: ['Kewarganegaraan (ISO3, pisahkan koma)', 'Nationalities (ISO3, comma-separated)'],
  minFw: ['Minimal TKA per lokasi', 'Minimum foreign workers per site'],
  teams: ['Jumlah tim', 'Teams'],
  start: ['Titik berangkat (opsional)', 'Starting point (optional)'],
  pickStart: ['Pilih di peta', 'Pick on the map'],
  picking: ['Klik peta…', 'Click the map…'],
  clearStart: ['Hapus', 'Clear'],
  noStart: ['belum dipilih: rute mulai dari ujung kelompok', 'none: routes start at an end of each group'],
  plan: ['Rencanakan operasi', 'Plan the operation'],
  planning: ['Merencanakan…', 'Planning…'],
  needArea: ['Gambar poligon atau tambahkan kecamatan/kabupaten.', 'Draw a polygon or add districts/regencies.'],
  team: ['Tim', 'Team'], stops: ['titik', 'stops'],
  personal: ['Memuat data pribadi: akses ini dicatat.', 'Contains personal data: this access is logged.'],
  noTargets: ['Tidak ada sasaran di wilayah ini.', 'No targets in this area.'],
  export: ['Ekspor', 'Export'],
};

const KINDS = ['overstay', 'expiring', 'hotel', 'worksite', 'landing'] as const;

interface Stop { seq: number; kind: string; id: string; label: string; lat: number; lon: number; count: number; personal: boolean }
interface Team { number: number; colour: string; length_km: number; nn_length_km: number; stops: Stop[] }
interface Plan {
  title: string; personal: boolean; totals: Record<string, number>; people: Record<string, number>;
  teams: Team[]; request?: { start?: { lat: number; lon: number } | null }; area: { description: string; bbox: [number, number, number, number]; area_km2?: number };
}

function mount(root: HTMLElement, ctx: ToolContext) {
  const t = (k: string) => tr(ctx, T, k);
  const ov = new Overlays(ctx.map, 'wf-op');
  const drawInfo = el('small', { class: 'wf-hint', 'data-testid': 'op-draw-info' });
  const draw = new PolygonDraw(ctx.map, 'wf-op-draw', () => {
    drawInfo.textContent = draw.drawing ? `${t('drawing')} ${t('drawn').replace('{n}', String(draw.vertices()))}`
      : draw.polygon() ? t('drawn').replace('{n}', String(draw.vertices())) : '';
    finishBtn.disabled = !draw.drawing;
  });
  const drawBtn = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'op-draw', text: t('draw') });
  const finishBtn = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'op-finish', text: t('finish'), disabled: true });
  const clearBtn = el('button', { type: 'button', class: 'button secondary', text: t('clearDraw') });
  // Drawing and picking the start point never listen to the map at once.
  drawBtn.addEventListener('click', () => { start.cancel(); draw.start(); });
  finishBtn.addEventListener('click', () => draw.finish());
  const undoBtn = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'op-undo', text: t('undo') });
  undoBtn.addEventListener('click', () => draw.undo());
  // "(or upload GeoJSON)": the first polygon of a Feature, FeatureCollection or bare geometry.
  const file = el('input', { type: 'file', accept: '.geojson,.json,application/geo+json,application/json', 'data-testid': 'op-upload' }) as HTMLInputElement;
  const uploadLabel = el('label', { class: 'button secondary wf-upload' }, el('span', { text: t('upload') }), file);
  file.addEventListener('change', async () => {
    const f = file.files?.[0];
    if (!f) return;
    try {
      const poly = firstPolygon(JSON.parse(await f.text()));
      start.cancel();
      draw.load(poly);
      drawInfo.textContent = t('uploaded').replace('{f}', f.name).replace('{n}', String(draw.vertices()));
      const xs = poly.coordinates[0].map((c) => c[0]), ys = poly.coordinates[0].map((c) => c[1]);
      ctx.flyTo([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
    } catch (e) {
      ctx.status(t('uploadBad').replace('{e}', (e as Error).message), 'error');
    } finally {
      file.value = '';
    }
  });
  clearBtn.addEventListener('click', () => draw.clear());

  const prov = el('select', { 'data-testid': 'op-province' });
  const kab = el('select', { 'data-testid': 'op-kabupaten' });
  const kec = el('select', { 'data-testid': 'op-kecamatan' });
  const addBtn = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'op-add', text: t('add') });
  const chips = el('div', { class: 'wf-chips', 'data-testid': 'op-chips' });
  const codes = new Map<string, string>(); // code -> label
  const renderChips = () => {
    chips.replaceChildren();
    for (const [code, label] of codes) {
      const x = el('button', { type: 'button', class: 'wf-chip', title: code, text: `${label} ×` });
      x.addEventListener('click', () => { codes.delete(code); renderChips(); });
      chips.append(x);
    }
  };
  addBtn.addEventListener('click', () => {
    const c = kec.value || kab.value;
    if (!c) return;
    const sel = kec.value ? kec : kab;
    codes.set(c, sel.selectedOptions[0]?.textContent ?? c);
    renderChips();
  });
  regions().then((items) => { fillSelect(prov, items); void loadKab(); }).catch((e) => ctx.status(errorText(ctx, e), 'error'));
  async function loadKab() {
    try {
      const items: RegionItem[] = await regions(prov.value);
      fillSelect(kab, items);
      await loadKec();
    } catch (e) { ctx.status(errorText(ctx, e), 'error'); }
  }
  async function loadKec() {
    try {
      fillSelect(kec, kab.value ? await regions(kab.value) : [], t('wholeKab'));
    } catch (e) { ctx.status(errorText(ctx, e), 'error'); }
  }
  prov.addEventListener('change', () => void loadKab());
  kab.addEventListener('change', () => void loadKec());

  const checks = new Map<string, HTMLInputElement>();
  const targetBox = el('div', { class: 'wf-checks' });
  for (const k of KINDS) {
    const c = el('input', { type: 'checkbox', checked: true, 'data-kind': k });
    checks.set(k, c);
    targetBox.append(el('label', { class: 'check' }, c, ' ' + t(k)));
  }
  const days = el('input', { type: 'number', min: 1, max: 365, value: 30 });
  const nat = el('input', { type: 'text', placeholder: 'CHN, MYS', 'data-testid': 'op-nat' });
  const minFw = el('input', { type: 'number', min: 1, value: 1 });
  const teams = el('input', { type: 'number', min: 1, max: 50, value: 3, 'data-testid': 'op-teams' });
  const startInfo = el('small', { class: 'wf-hint', 'data-testid': 'op-start-info', text: t('noStart') });
  const startBtn = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'op-start', text: t('pickStart') });
  const startClear = el('button', { type: 'button', class: 'button secondary', text: t('clearStart') });
  const start = new PointPick(ctx.map, 'wf-op-start', () => {
    const p = start.point;
    startBtn.textContent = start.picking ? t('picking') : t('pickStart');
    startInfo.textContent = p ? `${p[1].toFixed(5)}, ${p[0].toFixed(5)}` : t('noStart');
  });
  startBtn.addEventListener('click', () => { if (draw.drawing) draw.finish(); start.arm(); });
  startClear.addEventListener('click', () => start.clear());
  const go = el('button', { type: 'button', class: 'button', 'data-testid': 'op-run', text: t('plan') });
  const out = el('div', { class: 'wf-out', 'data-testid': 'op-result' });

  root.append(el('div', { class: 'wf-form' },
    el('h4', { text: t('area') }),
    el('div', { class: 'wf-row' }, drawBtn, finishBtn, undoBtn, clearBtn, uploadLabel), drawInfo,
    el('small', { class: 'wf-hint', text: t('orCodes') }),
    field(t('province'), prov), field(t('kabupaten'), kab), field(t('kecamatan'), kec),
    el('div', { class: 'wf-row' }, addBtn), chips,
    el('h4', { text: t('targets') }), targetBox,
    el('div', { class: 'wf-row' }, field(t('days'), days), field(t('minFw'), minFw)),
    field(t('nat'), nat), field(t('teams'), teams),
    el('span', { class: 'wf-label', text: t('start') }), el('div', { class: 'wf-row' }, startBtn, startClear), startInfo, go), out);

  let lastRequest: unknown = null;
  const request = () => {
    const kabs = [...codes.keys()].filter((c) => c.length === 5);
    const kecs = [...codes.keys()].filter((c) => c.length === 8);
    const nats = nat.value.split(/[,\s]+/).map((s) => s.trim().toUpperCase()).filter(Boolean);
    return {
      polygon: draw.polygon(), kabupaten: kabs, kecamatan: kecs,
      targets: KINDS.filter((k) => checks.get(k)!.checked),
      expiring_days: Number(days.value) || 30, nationalities: nats,
      min_foreign_workers: Number(minFw.value) || 1, teams: Number(teams.value) || 1,
      start: start.point ? { lat: start.point[1], lon: start.point[0] } : null,
    };
  };

  go.addEventListener('click', async () => {
    const req = request();
    if (!req.polygon && req.kabupaten.length === 0 && req.kecamatan.length === 0) {
      out.replaceChildren(el('p', { class: 'wf-error', text: t('needArea') }));
      return;
    }
    go.disabled = true;
    go.textContent = t('planning');
    out.replaceChildren();
    try {
      const plan = await postJSON<Plan>(ctx, '/api/workflow/operation', req);
      lastRequest = req;
      render(plan);
    } catch (e) {
      out.append(el('p', { class: 'wf-error', text: errorText(ctx, e) }));
      ov.clear();
    } finally {
      go.disabled = false;
      go.textContent = t('plan');
    }
  });

  async function exportAs(format: string) {
    if (!lastRequest) return;
    try {
      const res = await ctx.post('/api/workflow/operation/export?format=' + format, lastRequest);
      const name = await saveResponse(res, 'operasi.' + format);
      ctx.status(name);
    } catch (e) {
      ctx.status(e instanceof RequestError ? e.message : errorText(ctx, e), 'error');
    }
  }

  function render(plan: Plan) {
    const total = plan.teams.reduce((s, tm) => s + tm.stops.length, 0);
    const kinds = Object.entries(plan.totals).map(([k, v]) => `${tr(ctx, T, k)}: ${num(v)}`);
    out.append(el('p', { class: 'wf-summary', 'data-testid': 'op-summary', text: `${num(total)} ${t('stops')} · ${kinds.join(' · ')}` }));
    if (total === 0) out.append(el('p', { class: 'wf-note', text: t('noTargets') }));
    if (plan.personal) out.append(el('p', { class: 'wf-warn', text: t('personal') }));
    const ex = el('div', { class: 'wf-row' }, el('span', { class: 'wf-label', text: t('export') }));
    for (const f of ['csv', 'geojson', 'pdf']) {
      const b = el('button', { type: 'button', class: 'button secondary', 'data-testid': `op-export-${f}`, text: f.toUpperCase() });
      b.addEventListener('click', () => void exportAs(f));
      ex.append(b);
    }
    out.append(ex);
    for (const tm of plan.teams) {
      const list = el('ol', { class: 'wf-stops' });
      for (const s of tm.stops) list.append(el('li', { title: s.id, text: s.label }));
      // CSSOM, not a style attribute: the CSP forbids inline style attributes.
      const sw = el('span', { class: 'wf-swatch' });
      sw.style.background = tm.colour;
      out.append(el('details', { class: 'wf-team', 'data-team': tm.number },
        el('summary', {}, sw,
          `${t('team')} ${tm.number} — ${tm.stops.length} ${t('stops')}, ${num(tm.length_km, 1)} km`), list));
    }
    drawPlan(plan);
  }

  function drawPlan(plan: Plan) {
    const stops: Feature[] = [];
    const routes: Feature[] = [];
    for (const tm of plan.teams) {
      for (const s of tm.stops) {
        stops.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
          properties: { team: tm.number, colour: tm.colour, seq: s.seq, kind: s.kind, label: s.label } });
      }
      const line = tm.stops.map((s) => [s.lon, s.lat]);
      if (plan.request?.start && line.length) line.unshift([plan.request.start.lon, plan.request.start.lat]);
      if (line.length > 1) {
        routes.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: line },
          properties: { team: tm.number, colour: tm.colour } });
      }
    }
    ov.data('routes', { type: 'FeatureCollection', features: routes });
    ov.data('stops', { type: 'FeatureCollection', features: stops });
    ov.layer({ id: ov.id('routes'), type: 'line', source: ov.id('routes'),
      paint: { 'line-color': ['get', 'colour'], 'line-width': 2.5, 'line-opacity': 0.85 } });
    ov.layer({ id: ov.id('stops'), type: 'circle', source: ov.id('stops'),
      paint: { 'circle-radius': ['match', ['get', 'kind'], ['hotel', 'worksite'], 9, 7], 'circle-color': ['get', 'colour'],
        'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 } });
    ov.layer({ id: ov.id('seq'), type: 'symbol', source: ov.id('stops'), minzoom: 11,
      layout: { 'text-field': ['to-string', ['get', 'seq']], 'text-font': ['DejaVu Sans Bold'], 'text-size': 10 },
      paint: { 'text-color': '#ffffff' } });
    const b = plan.area.bbox;
    if (b && (b[0] || b[2])) ctx.flyTo(b);
  }

  return () => { draw.dispose(); start.dispose(); ov.clear(); };
}

export const operationPlanner: Tool = {
  id: 'operation-planner',
  access: 'operation',
  title: { id: 'Perencana operasi gabungan', en: 'Joint-operation planner' },
  mount,
};

/** The first polygon (outer ring only) of a GeoJSON object. */
function firstPolygon(g: unknown): Polygon {
  const o = g as { type?: string; features?: unknown[]; geometry?: unknown; coordinates?: unknown; geometries?: unknown[] };
  switch (o?.type) {
    case 'FeatureCollection':
    case 'GeometryCollection':
      for (const f of (o.type === 'FeatureCollection' ? o.features : o.geometries) ?? []) {
        try { return firstPolygon(f); } catch { /* the next one */ }
      }
      throw new Error('no polygon in the collection');
    case 'Feature':
      return firstPolygon(o.geometry);
    case 'Polygon':
    case 'MultiPolygon': {
      const ring = o.type === 'Polygon' ? (o.coordinates as number[][][])?.[0] : (o.coordinates as number[][][][])?.[0]?.[0];
      if (!Array.isArray(ring) || ring.length < 4 || !ring.every((c) => Array.isArray(c) && Number.isFinite(c[0]) && Number.isFinite(c[1])
        && Math.abs(c[0]) <= 180 && Math.abs(c[1]) <= 90)) throw new Error('the ring needs at least 3 points in longitude/latitude');
      return { type: 'Polygon', coordinates: [ring.map((c) => [c[0], c[1]])] };
    }
  }
  throw new Error(`type ${String(o?.type)}`);
}
