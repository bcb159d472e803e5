// The info panel: a hexagon's explanation (score, ranks, Gi* bin, factor
// contributions as bars) or a kabupaten's scorecard (both risks, ranks,
// change, 12-period trend).
import type { App } from './main';
import type { CellInfo, Kabupaten, Kind } from './api';
import { barChart, lineChart } from './charts';
import { GI_COLORS, SCORE_BREAKS, SCORE_COLORS } from './style';

const $ = (id: string) => document.getElementById(id)!;

function node<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function scoreColor(v: number): string {
  let i = 0;
  while (i < SCORE_BREAKS.length && v >= SCORE_BREAKS[i]) i++;
  return SCORE_COLORS[i];
}

type Shown = { type: 'cell'; h3: string } | { type: 'kab'; code: string } | null;

export class InfoPanel {
  private shown: Shown = null;
  private abort: AbortController | null = null;
  private cell: CellInfo | null = null;
  private kab: Kabupaten | null = null;

  constructor(private app: App) {
    $('info-close').addEventListener('click', () => this.close());
    app.i18n.onChange(() => this.rerender());
    document.addEventListener('keydown', (e) => { if (e.key === 'Escape') this.close(); });
  }

  close() {
    this.shown = null;
    $('info').hidden = true;
    this.select('', '');
  }

  private select(h3: string, code: string) {
    const m = this.app.map;
    m.setFilter('hex-selected', ['==', ['get', 'h3'], h3]);
    m.setFilter('kabupaten-selected', ['==', ['get', 'code'], code]);
  }

  /** Re-fetch what is shown (kind or period changed). */
  refresh() {
    if (this.shown?.type === 'cell') void this.showCell(this.shown.h3);
    else if (this.shown?.type === 'kab') void this.showKabupaten(this.shown.code);
  }

  private rerender() {
    if (this.shown?.type === 'cell' && this.cell) this.renderCell(this.cell);
    else if (this.shown?.type === 'kab' && this.kab) this.renderKabupaten(this.kab);
  }

  private begin(): AbortSignal {
    this.abort?.abort();
    this.abort = new AbortController();
    const body = $('info-body');
    body.replaceChildren(node('p', 'loading', this.app.i18n.t('status.loading')));
    $('info').hidden = false;
    return this.abort.signal;
  }

  private fail(e: unknown) {
    if ((e as Error)?.name === 'AbortError') return;
    const status = (e as { status?: number }).status;
    const msg = status === 0 ? this.app.i18n.t('status.server')
      : status === 403 ? this.app.i18n.t('status.forbidden') : (e as Error).message;
    $('info-body').replaceChildren(node('p', 'error', msg));
  }

  async showCell(h3: string) {
    this.shown = { type: 'cell', h3 };
    this.select(h3, '');
    const signal = this.begin();
    try {
      this.cell = await this.app.api.cell(this.app.kind, h3, signal);
      this.renderCell(this.cell);
    } catch (e) {
      this.fail(e);
    }
  }

  async showKabupaten(code: string, fly = false) {
    this.shown = { type: 'kab', code };
    this.select('', code);
    const signal = this.begin();
    try {
      this.kab = await this.app.api.kabupaten(code, this.app.apiPeriod(), signal);
      this.renderKabupaten(this.kab);
      if (fly) this.app.flyTo(this.kab.bbox);
    } catch (e) {
      this.fail(e);
    }
  }

  private renderCell(c: CellInfo) {
    const t = this.app.i18n;
    const body = $('info-body');
    body.replaceChildren();
    const head = node('div', 'info-head');
    head.append(node('div', 'eyebrow', `${t.t('cell.title')} H3 r${c.res} · ${t.tr(`kind.${c.kind}`)}`));
    const title = node('h2', undefined, c.kabupaten_name ?? c.h3);
    head.append(title);
    if (c.provinsi_name) head.append(node('div', 'sub', c.provinsi_name));
    body.append(head);

    const stats = node('dl', 'stats');
    const stat = (label: string, value: string, swatch?: string) => {
      const d = node('div', 'stat');
      const dd = node('dd', undefined, value);
      if (swatch) {
        const s = node('span', 'swatch');
        s.style.background = swatch;
        dd.prepend(s);
      }
      d.append(node('dt', undefined, label), dd);
      stats.append(d);
    };
    stat(t.t('cell.score'), t.num(c.score, 2), scoreColor(c.score));
    stat(t.t('cell.rank_nat'), `${t.num(c.rank_national, 0)} / ${t.num(c.cells_national, 0)}`);
    if (c.kabupaten_code) stat(t.t('cell.rank_kab'), `${t.num(c.rank_kabupaten, 0)} / ${t.num(c.cells_kabupaten, 0)}`);
    const bin = c.gi_bin ?? 0;
    stat(t.t('cell.gi'), t.tr(`gi.${bin}`) + (c.gi_z !== null ? ` (z ${t.num(c.gi_z, 2)})` : ''), GI_COLORS[String(bin)]);
    body.append(stats);

    body.append(node('h3', undefined, t.t('cell.factors')));
    const factors = c.factors.filter((f) => f.kept || f.contribution !== 0);
    // Largest effect first: the reason a cell is red should be the first line.
    factors.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    const bars = factors.map((f) => ({
      label: t.lang === 'id' ? f.label_id : f.label_en,
      note: f.suppressed ? t.t('cell.suppressed') : t.num(f.value, 1),
      value: f.contribution,
      text: `×${t.num(Math.exp(f.contribution), 2)}`,
      muted: !f.kept,
    }));
    const chart = node('div', 'factor-chart');
    chart.dataset.testid = 'factor-chart';
    chart.append(barChart(bars));
    body.append(chart);
    body.append(node('p', 'note', t.t('cell.factor_help')));
    if (c.res < c.run_resolution) {
      body.append(node('p', 'note', t.t('cell.aggregate').replace('{r}', String(c.run_resolution))));
    }
    if (c.kabupaten_code) {
      const b = node('button', 'button secondary', `${t.t('kab.title')}: ${c.kabupaten_name}`);
      b.type = 'button';
      b.addEventListener('click', () => void this.showKabupaten(c.kabupaten_code!));
      body.append(b);
    }
  }

  private renderKabupaten(k: Kabupaten) {
    const t = this.app.i18n;
    const body = $('info-body');
    body.replaceChildren();
    const head = node('div', 'info-head');
    head.append(node('div', 'eyebrow', `${t.t('kab.title')} · ${k.code} · ${t.month(k.period)}`));
    head.append(node('h2', undefined, k.name));
    head.append(node('div', 'sub', k.provinsi_name));
    body.append(head);
    const order: Kind[] = this.app.kind === 'pmi' ? ['pmi', 'tppo'] : ['tppo', 'pmi'];
    for (const kind of order) {
      const r = k.risks[kind];
      const sec = node('section', 'risk-card');
      sec.dataset.kind = kind;
      sec.append(node('h3', undefined, t.tr(`kind.${kind}`)));
      if (r.score === null) {
        sec.append(node('p', 'note', t.t('kab.no_data')));
        body.append(sec);
        continue;
      }
      const stats = node('dl', 'stats');
      const stat = (label: string, value: string, cls?: string, swatch?: string) => {
        const d = node('div', 'stat');
        const dd = node('dd', cls, value);
        if (swatch) {
          const s = node('span', 'swatch');
          s.style.background = swatch;
          dd.prepend(s);
        }
        d.append(node('dt', undefined, label), dd);
        stats.append(d);
      };
      stat(t.t('cell.score'), t.num(r.score, 2), undefined, scoreColor(r.score));
      stat(t.t('kab.rank_prov'), r.rank_province ? `${r.rank_province} ${t.t('kab.of')} ${r.of_province}` : '–');
      stat(t.t('kab.rank_nat'), r.rank_national ? `${r.rank_national} ${t.t('kab.of')} ${r.of_nation}` : '–');
      if (r.change !== null) {
        const pct = r.previous ? ` (${r.change >= 0 ? '+' : ''}${t.num((100 * r.change) / r.previous, 1)}\u00a0%)` : '';
        stat(t.t('kab.change'), `${r.change >= 0 ? '▲ +' : '▼ '}${t.num(r.change, 2)}${pct}`, r.change > 0 ? 'up' : r.change < 0 ? 'down' : '');
      } else {
        stat(t.t('kab.change'), '–');
      }
      sec.append(stats);
      sec.append(node('h4', undefined, t.t('kab.trend')));
      const trend = node('div', 'trend-chart');
      trend.dataset.testid = `trend-${kind}`;
      trend.append(lineChart(r.trend.map((p) => ({ label: t.month(p.period), value: p.score })), (v) => t.num(v, 2),
        320, 120, kind === 'tppo' ? '#d7301f' : '#6a51a3'));
      sec.append(trend);
      body.append(sec);
    }
    const zoom = node('button', 'button secondary', t.t('kab.zoom'));
    zoom.type = 'button';
    zoom.addEventListener('click', () => this.app.flyTo(k.bbox));
    body.append(zoom);
  }
}
