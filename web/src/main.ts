// Waspada map shell: map, layer panel, legend, info panel, ranking, search,
// period selector, language switch and the tools tab.
import maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import './app.css';

import type { MultiPolygon, Polygon } from 'geojson';
import { Api, ApiError, type Kind, type Me, type Periods } from './api';
import { I18n, type Lang } from './i18n';
import { buildStyle, choroplethFill, giFill, hexFill, binField, LAYER_GROUPS, setRiskClasses, type Breaks } from './style';
import { renderLegend } from './legend';
import { InfoPanel } from './info';
import { RankingPanel } from './ranking';
import { SearchBox } from './search';
import { mountTools } from './toolshost';
import { POINT_LAYERS, showPointPopup } from './popup';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** Indonesia, west-south-east-north. */
const INDONESIA: [number, number, number, number] = [94.8, -11.2, 141.2, 6.3];

type Listener = () => void;

export class App {
  readonly i18n: I18n;
  readonly api: Api;
  map!: maplibregl.Map;
  kind: Kind = 'tppo';
  period: string | null = null; // null: the latest run's own period
  latestPeriod: string | null = null;
  changeView = false;
  me: Me | null = null;
  periods: Periods | null = null;
  visible: Record<string, boolean> = { hexagons: true };
  opacity = 0.75;
  private listeners: Record<string, Listener[]> = { kind: [], period: [], lang: [] };
  private statusTimer = 0;
  private tileErrors = 0;
  info!: InfoPanel;
  ranking!: RankingPanel;
  /** Class breaks per kind and H3 resolution (GET /api/presentation). */
  breaks: Partial<Record<Kind, Breaks>> = {};

  constructor() {
    const saved = localStorage.getItem('waspada.lang');
    this.i18n = new I18n(saved === 'en' ? 'en' : 'id');
    this.api = new Api(() => this.loginRequired());
    this.i18n.onChange(() => this.emit('lang'));
  }

  on(ev: 'kind' | 'period' | 'lang', fn: Listener): () => void {
    this.listeners[ev].push(fn);
    return () => { this.listeners[ev] = this.listeners[ev].filter((f) => f !== fn); };
  }

  private emit(ev: 'kind' | 'period' | 'lang') {
    for (const f of this.listeners[ev]) f();
  }

  /** The period to ask the API for: null means the run's own. */
  apiPeriod(): string | null {
    return this.period && this.period !== this.latestPeriod ? this.period : null;
  }

  async start() {
    this.i18n.apply(document);
    this.wireHeader();
    this.map = new maplibregl.Map({
      container: 'map',
      style: buildStyle(location.origin, this.kind),
      bounds: INDONESIA,
      fitBoundsOptions: { padding: 20 },
      maxBounds: [[80, -25], [155, 20]],
      minZoom: 3,
      maxZoom: 16,
      attributionControl: false,
      dragRotate: false,
      pitchWithRotate: false,
      // Keep the drawing buffer so screenshots and tests can read the canvas.
      canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
      transformRequest: (url) => ({ url, credentials: 'same-origin' }),
    });
    this.map.touchZoomRotate.disableRotation();
    this.map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    this.map.addControl(new maplibregl.ScaleControl({ unit: 'metric' }), 'bottom-right');
    (window as unknown as { waspada: App }).waspada = this;

    this.info = new InfoPanel(this);
    this.ranking = new RankingPanel(this, $('tab-ranking'));
    new SearchBox(this, $<HTMLInputElement>('search-input'), $<HTMLUListElement>('search-results'));
    this.wireMapEvents();
    this.renderLayerPanel();
    this.renderLegend();
    this.i18n.onChange(() => { this.renderLayerPanel(); this.renderLegend(); this.renderUser(); this.fillPeriods(); this.renderPeriodNote(); });

    const [me, periods] = await Promise.allSettled([this.api.me(), this.api.periods()]);
    if (me.status === 'fulfilled') this.me = me.value;
    this.renderUser();
    if (periods.status === 'fulfilled') {
      this.periods = periods.value;
      this.latestPeriod = periods.value.latest?.period ?? null;
      this.period = this.latestPeriod;
    } else {
      this.showError(periods.reason);
    }
    this.fillPeriods();
    this.renderPeriodNote();
    void this.loadClasses();
    void this.fitScope();
    mountTools(this, $('tab-tools'));
    await this.ranking.load();
    this.refreshChoropleth();
  }

  // ------------------------------------------------------------ header

  private wireHeader() {
    document.querySelectorAll<HTMLButtonElement>('[data-lang]').forEach((b) => {
      b.addEventListener('click', () => {
        const lang = b.dataset.lang as Lang;
        localStorage.setItem('waspada.lang', lang);
        this.i18n.set(lang);
        this.markLang();
      });
    });
    this.markLang();
    $<HTMLSelectElement>('period-select').addEventListener('change', (e) => {
      this.period = (e.target as HTMLSelectElement).value || null;
      this.renderPeriodNote();
      this.emit('period');
      void this.ranking.load();
      this.refreshChoropleth();
      this.info.refresh();
    });
    $<HTMLInputElement>('change-toggle').addEventListener('change', (e) => {
      this.changeView = (e.target as HTMLInputElement).checked;
      if (this.changeView) this.setVisible('choropleth', true);
      this.map.setPaintProperty('choropleth', 'fill-color', choroplethFill(this.changeView));
      this.ranking.setSort(this.changeView ? 'change' : 'score');
      this.renderLayerPanel();
      this.renderLegend();
    });
    document.querySelectorAll<HTMLButtonElement>('[data-tab]').forEach((b) => {
      b.addEventListener('click', () => this.showTab(b.dataset.tab!));
    });
    this.showTab('layers');
    $('login-link').setAttribute('href', '/login?next=' + encodeURIComponent(location.pathname + location.search));
  }

  showTab(tab: string) {
    document.querySelectorAll<HTMLButtonElement>('[data-tab]').forEach((b) => {
      b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    });
    for (const t of ['layers', 'ranking', 'tools']) $(`tab-${t}`).hidden = t !== tab;
  }

  private markLang() {
    document.querySelectorAll<HTMLButtonElement>('[data-lang]').forEach((b) => {
      b.setAttribute('aria-pressed', String(b.dataset.lang === this.i18n.lang));
    });
  }

  private fillPeriods() {
    const sel = $<HTMLSelectElement>('period-select');
    sel.replaceChildren();
    const ps = this.periods?.periods ?? [];
    if (ps.length === 0) {
      const o = document.createElement('option');
      o.textContent = this.i18n.t('period.none');
      o.value = '';
      sel.append(o);
      sel.disabled = true;
      return;
    }
    sel.disabled = false;
    for (const p of ps) {
      const o = document.createElement('option');
      o.value = p;
      o.textContent = this.i18n.month(p);
      o.selected = p === this.period;
      sel.append(o);
    }
  }

  private renderUser() {
    const box = $('user');
    box.replaceChildren();
    if (!this.me) return;
    const name = document.createElement('span');
    name.textContent = `${this.me.username} · ${this.i18n.tr(`role.${this.me.role}`)}`;
    name.title = this.me.national ? this.i18n.t('rank.scope_nat') : [...this.me.provinces, ...this.me.kabupaten].join(', ');
    box.append(name);
    if (this.me.csrf_token) {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = '/logout';
      const csrf = document.createElement('input');
      csrf.type = 'hidden';
      csrf.name = 'csrf';
      csrf.value = this.me.csrf_token;
      const b = document.createElement('button');
      b.type = 'submit';
      b.className = 'link';
      b.textContent = this.i18n.lang === 'id' ? 'Keluar' : 'Sign out';
      form.append(csrf, b);
      box.append(form);
    }
  }

  /** A regional user starts on their region rather than the whole country. */
  private async fitScope() {
    if (!this.me || this.me.national) return;
    const codes = [...this.me.provinces, ...this.me.kabupaten];
    let box: [number, number, number, number] | null = null;
    for (const code of codes.slice(0, 20)) {
      try {
        const r = await this.api.search(code);
        const hit = r.results.find((p) => p.code === code);
        if (!hit) continue;
        const b = hit.bbox;
        box = box ? [Math.min(box[0], b[0]), Math.min(box[1], b[1]), Math.max(box[2], b[2]), Math.max(box[3], b[3])] : b;
      } catch (e) {
        this.showError(e);
        return;
      }
    }
    if (box) this.flyTo(box);
  }

  // ------------------------------------------------------------ layers

  setKind(kind: Kind) {
    if (kind === this.kind) return;
    this.kind = kind;
    this.map.setPaintProperty('hexagons', 'fill-color', hexFill(kind, this.breaks[kind]));
    this.map.setPaintProperty('hotspots', 'line-color', giFill(kind));
    this.map.setFilter('hotspots', ['!=', ['to-number', ['get', binField(kind)], 0], 0]);
    this.map.setFilter('hotspots-halo', ['!=', ['to-number', ['get', binField(kind)], 0], 0]);
    void this.loadClasses();
    this.emit('kind');
    this.renderLegend();
    void this.ranking.load();
    this.refreshChoropleth();
    this.info.refresh();
  }

  setVisible(group: string, on: boolean) {
    this.visible[group] = on;
    for (const id of LAYER_GROUPS[group] ?? []) {
      this.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
    }
    // The low-zoom overview belongs to the hexagon view and would cover the
    // user's own choropleth (which may show change rather than score).
    const overview = !!this.visible.hexagons && !this.visible.choropleth;
    this.map.setLayoutProperty('choropleth-overview', 'visibility', overview ? 'visible' : 'none');
    this.renderLegend();
  }

  setOpacity(v: number) {
    this.opacity = v;
    this.map.setPaintProperty('hexagons', 'fill-opacity', v);
    this.map.setPaintProperty('choropleth', 'fill-opacity', v);
    this.map.setPaintProperty('choropleth-overview', 'fill-opacity', ['interpolate', ['linear'], ['zoom'], 5, v, 6.5, 0]);
  }

  private renderLayerPanel() {
    const root = $('tab-layers');
    root.replaceChildren();
    const t = (k: Parameters<I18n['t']>[0]) => this.i18n.t(k);
    const h = (text: string) => { const e = document.createElement('h3'); e.textContent = text; root.append(e); };

    h(t('layers.risk'));
    const kinds = document.createElement('div');
    kinds.className = 'segmented';
    kinds.setAttribute('role', 'radiogroup');
    kinds.setAttribute('aria-label', t('layers.kind'));
    for (const k of ['tppo', 'pmi'] as Kind[]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.kind = k;
      b.setAttribute('role', 'radio');
      b.setAttribute('aria-checked', String(this.kind === k));
      b.textContent = this.i18n.tr(`kind.${k}.short`);
      b.title = this.i18n.tr(`kind.${k}`);
      b.addEventListener('click', () => { this.setKind(k); this.renderLayerPanel(); });
      kinds.append(b);
    }
    root.append(kinds);
    const check = (group: string, label: string) => {
      const l = document.createElement('label');
      l.className = 'check';
      const c = document.createElement('input');
      c.type = 'checkbox';
      c.dataset.layer = group;
      c.checked = !!this.visible[group];
      c.addEventListener('change', () => this.setVisible(group, c.checked));
      const s = document.createElement('span');
      s.textContent = label;
      l.append(c, s);
      root.append(l);
    };
    check('hexagons', t('layers.hexagons'));
    check('choropleth', t('layers.choropleth'));
    check('hotspots', t('layers.hotspots'));
    const op = document.createElement('label');
    op.className = 'range';
    const os = document.createElement('span');
    os.textContent = t('layers.opacity');
    const r = document.createElement('input');
    r.type = 'range';
    r.min = '0.1';
    r.max = '1';
    r.step = '0.05';
    r.value = String(this.opacity);
    r.id = 'opacity';
    r.addEventListener('input', () => this.setOpacity(Number(r.value)));
    op.append(os, r);
    root.append(op);

    h(t('layers.context'));
    check('ports', t('layers.ports'));
    check('informal', t('layers.informal'));
    check('worksites', t('layers.worksites'));
    check('desa_binaan', t('layers.desa_binaan'));
    check('residents', t('layers.residents'));
    check('incidents', t('layers.incidents'));
  }

  renderLegend() {
    renderLegend(this, $('legend'));
  }

  /** The class table and this kind's class breaks: the hexagon fill waits for them. */
  async loadClasses() {
    const kind = this.kind;
    if (this.breaks[kind]) return;
    try {
      const p = await this.api.presentation(kind);
      setRiskClasses(p.classes);
      this.breaks[kind] = p.breaks;
      if (this.kind === kind) this.map.setPaintProperty('hexagons', 'fill-color', hexFill(kind, p.breaks));
      this.map.setPaintProperty('choropleth', 'fill-color', choroplethFill(this.changeView));
      this.map.setPaintProperty('choropleth-overview', 'fill-color', choroplethFill(false));
      this.renderLegend();
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) this.showError(e);
    }
  }

  /** Hexagons exist for the latest run's period only: say so when another period is chosen. */
  private renderPeriodNote() {
    const box = $('period-note');
    const other = !!this.period && !!this.latestPeriod && this.period !== this.latestPeriod;
    box.hidden = !other;
    if (other) {
      box.textContent = this.i18n.t('period.hex_latest').replace('{latest}', this.i18n.month(this.latestPeriod!))
        .replaceAll('{chosen}', this.i18n.month(this.period!));
    }
  }

  /** Colours the kabupaten choropleth from the ranking of the selected period. */
  refreshChoropleth() {
    const rows = this.ranking.rows;
    if (!this.map.getSource('kabupaten')) return;
    this.map.removeFeatureState({ source: 'kabupaten', sourceLayer: 'kabupaten' });
    for (const r of rows) {
      // v: the national class level; c: the change in percent (the API's ratio × 100, rounded by the server).
      const c = r.display?.id.change?.pct ?? null;
      this.map.setFeatureState({ source: 'kabupaten', sourceLayer: 'kabupaten', id: Number(r.code.replace('.', '')) },
        { v: r.class, c });
    }
  }

  // ------------------------------------------------------------ map events

  private wireMapEvents() {
    const m = this.map;
    m.on('click', (e) => {
      // A point (port, worksite, incident, resident…) opens itself, not the hexagon under it.
      const points = POINT_LAYERS.filter((l) => m.getLayer(l) && m.getLayoutProperty(l, 'visibility') === 'visible');
      const pt = points.length ? m.queryRenderedFeatures([[e.point.x - 4, e.point.y - 4], [e.point.x + 4, e.point.y + 4]], { layers: points })[0] : undefined;
      if (pt) {
        showPointPopup(this, pt.layer.id.replace(/-count$/, ''), e.lngLat, pt.properties ?? {});
        return;
      }
      const layers = ['hexagons', 'hotspots', 'choropleth', 'choropleth-overview'].filter((l) => m.getLayoutProperty(l, 'visibility') !== 'none');
      const feats = m.queryRenderedFeatures(e.point, { layers });
      const hex = feats.find((f) => f.layer.id === 'hexagons' && f.properties?.[`${this.kind}_score`] !== undefined) ??
        feats.find((f) => f.layer.id === 'hotspots');
      if (hex) {
        this.info.showCell(String(hex.properties.h3));
        return;
      }
      const ch = feats.find((f) => f.layer.id.startsWith('choropleth'));
      const kab = ch ? String(ch.properties.code) : this.kabupatenAt(e.point);
      if (kab) this.info.showKabupaten(kab);
    });
    for (const l of ['hexagons', 'hotspots', 'choropleth', 'choropleth-overview', ...POINT_LAYERS]) {
      m.on('mouseenter', l, () => { m.getCanvas().style.cursor = 'pointer'; });
      m.on('mouseleave', l, () => { m.getCanvas().style.cursor = ''; });
    }
    m.on('dataloading', () => this.loading(true));
    m.on('idle', () => { this.loading(false); this.tileErrors = 0; });
    m.on('error', (e) => {
      const status = (e.error as { status?: number } | undefined)?.status;
      if (status === 401) {
        this.loginRequired();
        return;
      }
      this.tileErrors++;
      // eslint-disable-next-line no-console
      console.warn('map error', e.error?.message ?? e);
      this.status(this.i18n.t('status.tiles_failed') + (status ? ` (HTTP ${status})` : ''), 'error');
    });
  }

  /** The kabupaten code under a point, from the basemap's kabupaten polygons. */
  private kabupatenAt(p: maplibregl.Point): string | undefined {
    const src = this.map.querySourceFeatures('basemap', { sourceLayer: 'kabupaten_boundary' });
    const ll = this.map.unproject(p);
    for (const s of src) {
      if (s.geometry.type !== 'Polygon' && s.geometry.type !== 'MultiPolygon') continue;
      if (contains(s.geometry, [ll.lng, ll.lat])) return String(s.properties.code);
    }
    return undefined;
  }

  flyTo(bbox: [number, number, number, number]) {
    // Keep the target clear of the info panel floating over the map's right side.
    const info = $('info').hidden ? 0 : $('info').getBoundingClientRect().width;
    this.map.fitBounds([[bbox[0], bbox[1]], [bbox[2], bbox[3]]], {
      padding: { top: 40, bottom: 40, left: 40, right: 40 + info }, maxZoom: 12, duration: 1200,
    });
  }

  // ------------------------------------------------------------ status

  private loading(on: boolean) {
    document.body.classList.toggle('map-loading', on);
  }

  status(text: string, kind: 'info' | 'error' = 'info') {
    const s = $('status');
    s.textContent = text;
    // status-info / status-error: a bare `info` class would pick up the info
    // panel's white card and hide the white text.
    s.className = `status status-${kind}`;
    s.hidden = false;
    clearTimeout(this.statusTimer);
    this.statusTimer = window.setTimeout(() => { s.hidden = true; }, kind === 'error' ? 8000 : 3000);
  }

  showError(err: unknown) {
    if (err instanceof ApiError) {
      if (err.status === 401) return; // the login prompt is already up
      if (err.status === 0) this.status(this.i18n.t('status.server'), 'error');
      else if (err.status === 403) this.status(this.i18n.t('status.forbidden'), 'error');
      else this.status(err.message, 'error');
      return;
    }
    if ((err as Error)?.name === 'AbortError') return;
    this.status(String((err as Error)?.message ?? err), 'error');
  }

  loginRequired() {
    $('login-overlay').hidden = false;
  }

  async post(path: string, body: unknown): Promise<Response> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.me?.csrf_token) headers[this.me.csrf_header || 'X-CSRF-Token'] = this.me.csrf_token;
    const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers, body: JSON.stringify(body) });
    if (res.status === 401) this.loginRequired();
    return res;
  }
}

/** Point-in-polygon (even-odd) for GeoJSON polygons in lon/lat. */
function contains(g: Polygon | MultiPolygon, p: [number, number]): boolean {
  const polys = g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
  let inside = false;
  for (const poly of polys) {
    for (const ring of poly) {
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const [xi, yi] = ring[i], [xj, yj] = ring[j];
        if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
      }
    }
  }
  return inside;
}

const app = new App();
app.start().catch((e) => app.showError(e));
