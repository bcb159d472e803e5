// Desa binaan site planner: where should N new desa binaan go so that they
// cover the most risk? The server solves a Maximal Covering Location Problem
// (lazy greedy, existing desa binaan fixed); this panel asks for the region,
// N, the radius and the risk kind, lists the proposal in order with each
// village's marginal covered risk and the cumulative share, and draws the
// chosen villages, their coverage circles, the existing desa binaan and the
// high-risk cells still uncovered.
import type { Feature, FeatureCollection } from 'geojson';
import type { Tool, ToolContext } from '../tools';
import { circle, download, el, EMPTY, errorText, field, fillSelect, getJSON, num, Overlays, pct, regions, tr, type Dict } from './common';

const T: Dict = {
  province: ['Provinsi', 'Province'],
  kabupaten: ['Kabupaten/Kota (opsional)', 'Regency/City (optional)'],
  whole: ['— seluruh provinsi —', '— whole province —'],
  n: ['Jumlah desa binaan baru', 'New desa binaan'],
  radius: ['Radius jangkauan (km)', 'Coverage radius (km)'],
  radiusHint: ['Bawaan 5 km: jarak ±10–15 menit bermotor di jalan desa, jangkauan wajar satu Pimpasa ke desa-desa tetangganya.',
    'Default 5 km: about 10–15 minutes by motorbike on village roads, a Pimpasa post\'s reach into neighbouring villages.'],
  kind: ['Jenis risiko', 'Risk kind'],
  run: ['Hitung usulan', 'Propose sites'],
  running: ['Menghitung…', 'Computing…'],
  csv: ['Unduh CSV', 'Download CSV'],
  summary: ['Desa binaan yang ada menjangkau {a} risiko wilayah; dengan {n} desa usulan menjadi {b}.',
    'Existing desa binaan cover {a} of the region\'s risk; with {n} proposed villages, {b}.'],
  high: ['Sel berisiko tinggi (10 % teratas wilayah): {c} sel, terjangkau {x} → {y}. Arsir biru muda bergaris gelap di peta: yang belum terjangkau.',
    'High-risk cells (top 10 % of the region): {c}, covered {x} → {y}. Light blue with dark outline on the map: still uncovered.'],
  unit: ['sel-setara', 'cell-eq.'],
  unitNote: ['Tambahan risiko: jumlah skor sel yang baru terjangkau, dalam sel-setara (1 = satu sel berisiko rata-rata nasional).',
    'Marginal risk: the summed score of newly covered cells, in cell equivalents (1 = one cell of national-average risk).'],
  exhausted: ['Tidak ada desa lain yang menambah jangkauan.', 'No other village adds coverage.'],
  rank: ['No', '#'], desa: ['Desa', 'Village'], marginal: ['Tambahan risiko', 'Marginal risk'], share: ['Kumulatif', 'Cumulative'],
  needRegion: ['Pilih provinsi.', 'Choose a province.'],
  kindTppo: ['TPPO', 'TPPO'], kindPmi: ['PMI nonprosedural', 'Non-procedural PMI'],
};

interface Pick { rank: number; desa_code: string; name: string; kecamatan: string; kabupaten: string; lat: number; lon: number;
  marginal_risk: number; covered_cells: number; share_before: number; share_after: number }
interface Plan {
  region: { code: string; name: string; bbox: [number, number, number, number] };
  kind: string; n: number; radius_km: number; run: { id: number; period: string };
  demand_cells: number; candidates: number; existing_share: number; final_share: number; exhausted: boolean;
  existing: Array<{ desa_code: string; name: string; lat: number; lon: number }>;
  picks: Pick[];
  high_risk: { cells: number; covered_now: number; covered_after: number };
  uncovered: FeatureCollection; elapsed_ms: number;
}

function mount(root: HTMLElement, ctx: ToolContext) {
  const t = (k: string) => tr(ctx, T, k);
  const ov = new Overlays(ctx.map, 'wf-sites');
  const prov = el('select', { 'data-testid': 'sites-province' });
  const kab = el('select', { 'data-testid': 'sites-kabupaten' });
  const n = el('input', { type: 'number', min: 1, max: 200, value: 10, 'data-testid': 'sites-n' });
  const radius = el('input', { type: 'number', min: 0.5, max: 50, step: 0.5, value: 5, 'data-testid': 'sites-radius' });
  const kind = el('select', { 'data-testid': 'sites-kind' },
    el('option', { value: 'tppo', text: t('kindTppo') }), el('option', { value: 'pmi', text: t('kindPmi') }));
  kind.value = ctx.kind();
  const go = el('button', { type: 'button', class: 'button', 'data-testid': 'sites-run', text: t('run') });
  const csv = el('button', { type: 'button', class: 'button secondary', 'data-testid': 'sites-csv', text: t('csv'), disabled: true });
  const out = el('div', { class: 'wf-out', 'data-testid': 'sites-result' });
  root.append(el('div', { class: 'wf-form' },
    field(t('province'), prov), field(t('kabupaten'), kab),
    el('div', { class: 'wf-row' }, field(t('n'), n), field(t('radius'), radius)),
    el('small', { class: 'wf-hint', text: t('radiusHint') }),
    field(t('kind'), kind), el('div', { class: 'wf-row' }, go, csv)), out);

  const params = () => {
    const q = new URLSearchParams({ region: kab.value || prov.value, n: n.value, radius_km: radius.value, kind: kind.value });
    return q.toString();
  };

  regions().then((items) => {
    fillSelect(prov, items);
    if (items.length) void loadKab();
  }).catch((e) => ctx.status(errorText(ctx, e), 'error'));
  async function loadKab() {
    try {
      fillSelect(kab, await regions(prov.value), t('whole'));
    } catch (e) {
      ctx.status(errorText(ctx, e), 'error');
    }
  }
  prov.addEventListener('change', () => void loadKab());

  go.addEventListener('click', async () => {
    if (!prov.value) {
      out.textContent = t('needRegion');
      return;
    }
    go.disabled = true;
    go.textContent = t('running');
    out.replaceChildren();
    try {
      const plan = await getJSON<Plan>('/api/workflow/sites?' + params());
      render(plan);
      csv.disabled = false;
    } catch (e) {
      out.append(el('p', { class: 'wf-error', text: errorText(ctx, e) }));
      ov.clear();
    } finally {
      go.disabled = false;
      go.textContent = t('run');
    }
  });
  csv.addEventListener('click', async () => {
    try {
      const name = await download(ctx, '/api/workflow/sites.csv?' + params(), 'usulan-desa-binaan.csv');
      ctx.status(name);
    } catch (e) {
      ctx.status(errorText(ctx, e), 'error');
    }
  });

  function render(plan: Plan) {
    const s = t('summary').replace('{a}', pct(plan.existing_share)).replace('{n}', String(plan.picks.length)).replace('{b}', pct(plan.final_share));
    out.append(el('p', { class: 'wf-summary', 'data-testid': 'sites-summary', text: s }));
    const hr = plan.high_risk;
    out.append(el('p', { class: 'wf-note', text: t('high').replace('{c}', num(hr.cells)).replace('{x}', num(hr.covered_now)).replace('{y}', num(hr.covered_after)) }));
    if (plan.exhausted) out.append(el('p', { class: 'wf-note', text: t('exhausted') }));
    const tb = el('tbody');
    for (const p of plan.picks) {
      const row = el('tr', { 'data-code': p.desa_code },
        el('td', { class: 'num', text: String(p.rank) }),
        el('td', {}, el('strong', { text: p.name }), el('br'), el('small', { text: `${p.kecamatan}, ${p.kabupaten}` })),
        el('td', { class: 'num', text: `${num(p.marginal_risk, 1)}\u00a0${t('unit')}` }),
        el('td', { class: 'num', text: `${pct(p.share_before)} → ${pct(p.share_after)}` }));
      row.addEventListener('click', () => ctx.map.flyTo({ center: [p.lon, p.lat], zoom: 11 }));
      tb.append(row);
    }
    out.append(el('table', { class: 'wf-table', 'data-testid': 'sites-table' },
      el('thead', {}, el('tr', {}, ...['rank', 'desa', 'marginal', 'share'].map((k) => el('th', { text: t(k) })))), tb));
    out.append(el('p', { class: 'wf-note', text: t('unitNote') }));
    out.append(el('p', { class: 'wf-note', text: `${plan.region.name} · ${plan.kind === 'pmi' ? t('kindPmi') : t('kindTppo')} · ${ctx.i18n.month(String(plan.run.period))}` }));
    draw(plan);
  }

  function draw(plan: Plan) {
    const picks: Feature[] = plan.picks.map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] },
      properties: { rank: p.rank, name: p.name } }));
    const circles: Feature[] = plan.picks.map((p) => ({ type: 'Feature', geometry: circle(p.lon, p.lat, plan.radius_km), properties: { kind: 'new' } }));
    for (const e of plan.existing) circles.push({ type: 'Feature', geometry: circle(e.lon, e.lat, plan.radius_km), properties: { kind: 'existing' } });
    const existing: Feature[] = plan.existing.map((e) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [e.lon, e.lat] }, properties: { name: e.name } }));
    ov.data('uncovered', plan.uncovered ?? EMPTY);
    ov.data('circles', { type: 'FeatureCollection', features: circles });
    ov.data('existing', { type: 'FeatureCollection', features: existing });
    ov.data('picks', { type: 'FeatureCollection', features: picks });
    ov.layer({ id: ov.id('uncovered'), type: 'fill', source: ov.id('uncovered'), paint: { 'fill-color': '#80deea', 'fill-opacity': 0.75, 'fill-outline-color': '#004d56' } });
    ov.layer({ id: ov.id('uncovered-line'), type: 'line', source: ov.id('uncovered'), paint: { 'line-color': '#004d56', 'line-width': 1.2 } });
    ov.layer({ id: ov.id('circles'), type: 'fill', source: ov.id('circles'),
      paint: { 'fill-color': ['match', ['get', 'kind'], 'new', '#1a9641', '#2c7bb6'], 'fill-opacity': 0.15 } });
    ov.layer({ id: ov.id('circles-line'), type: 'line', source: ov.id('circles'),
      paint: { 'line-color': ['match', ['get', 'kind'], 'new', '#1a9641', '#2c7bb6'], 'line-width': 1.5 } });
    ov.layer({ id: ov.id('existing'), type: 'circle', source: ov.id('existing'),
      paint: { 'circle-radius': 5, 'circle-color': '#2c7bb6', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } });
    ov.layer({ id: ov.id('picks'), type: 'circle', source: ov.id('picks'),
      paint: { 'circle-radius': 9, 'circle-color': '#1a9641', 'circle-stroke-color': '#fff', 'circle-stroke-width': 2 } });
    ov.layer({ id: ov.id('picks-label'), type: 'symbol', source: ov.id('picks'),
      layout: { 'text-field': ['to-string', ['get', 'rank']], 'text-font': ['DejaVu Sans Bold'], 'text-size': 11, 'text-allow-overlap': true },
      paint: { 'text-color': '#ffffff' } });
    // The village's name beside its number, so a pick can be found on the map.
    ov.layer({ id: ov.id('picks-name'), type: 'symbol', source: ov.id('picks'),
      layout: { 'text-field': ['get', 'name'], 'text-font': ['DejaVu Sans Bold'], 'text-size': 11, 'text-offset': [0, 1.4], 'text-anchor': 'top', 'text-optional': true },
      paint: { 'text-color': '#0b3d16', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 } });
    ctx.flyTo(plan.region.bbox);
  }

  return () => ov.clear();
}

export const sitePlanner: Tool = {
  id: 'site-planner',
  access: 'sites',
  title: { id: 'Perencana desa binaan', en: 'Desa binaan site planner' },
  mount,
};
