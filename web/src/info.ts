// The info panel: a hexagon's explanation (score, ranks, Gi* bin, factor
// contributions as bars) or a kabupaten's scorecard (both risks, ranks,
// change, 12-period trend).
import type { App } from './main';
import type { CellInfo, Figures, Kabupaten, Kind } from './api';
import { barChart, lineChart } from './charts';
import { GI_COLORS, classColour } from './style';

const $ = (id: string) => document.getElementById(id)!;

function node<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A definition list of stats; each value may carry a class swatch and a second line. */
function statList(): [HTMLElement, (label: string, value: string, opts?: { cls?: string; swatch?: string; sub?: string; testid?: string }) => void] {
  const stats = node('dl', 'stats');
  return [stats, (label, value, opts = {}) => {
    const d = node('div', 'stat');
    const dd = node('dd', opts.cls, value);
    if (opts.testid) dd.dataset.testid = opts.testid;
    if (opts.swatch) {
      const s = node('span', 'swatch');
      s.style.background = opts.swatch;
      dd.prepend(s);
    }
    if (opts.sub) dd.append(node('span', 'cls', opts.sub));
    d.append(node('dt', undefined, label), dd);
    stats.append(d);
  }];
}

/** "Detail teknis": the figures behind the plain-language ones. */
function techDetails(title: string, rows: Array<[string, string]>): HTMLElement {
  const det = node('details', 'tech');
  det.append(node('summary', undefined, title));
  const dl = node('dl');
  for (const [k, v] of rows) dl.append(node('dt', undefined, k), node('dd', undefined, v));
  det.append(dl);
  return det;
}

/** The change line: arrow and signed percentage, as the server formatted it. */
export function changeText(f: Figures | undefined): string {
  if (!f?.change) return '–';
  return `${f.change.arrow ? f.change.arrow + ' ' : ''}${f.change.text}`;
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
    const msg = status === 401 ? this.app.i18n.t('login.required') : status === 0 ? this.app.i18n.t('status.server')
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
    const d = c.display[t.lang];
    const body = $('info-body');
    body.replaceChildren();
    const head = node('div', 'info-head');
    head.append(node('div', 'eyebrow', `${t.t('cell.title')} · ${t.tr(`kind.${c.kind}`)} · ${t.month(c.period)}`));
    const title = node('h2', undefined, c.kabupaten_name ?? t.t('cell.title'));
    head.append(title);
    if (c.provinsi_name) head.append(node('div', 'sub', c.provinsi_name));
    body.append(head);

    const [stats, stat] = statList();
    stat(t.t('cell.class'), d.class, { swatch: classColour(c.class), sub: d.top, testid: 'cell-class' });
    stat(t.t('cell.score'), d.score, { testid: 'cell-score' });
    if (d.rank) stat(t.t('cell.rank_nat'), d.rank, { testid: 'cell-rank' });
    if (c.kabupaten_code && d.rank_in) stat(t.t('cell.rank_kab'), d.rank_in);
    const bin = c.gi_bin ?? 0;
    stat(t.t('cell.hotspot'), t.tr(`gi.${bin}`), bin !== 0 ? { swatch: GI_COLORS[String(bin)] } : {});
    body.append(stats);

    body.append(node('h3', undefined, t.t('cell.factors')));
    const factors = c.factors.filter((f) => f.kept || f.contribution !== 0);
    // Largest effect first: the reason a cell is red should be the first line.
    factors.sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
    const bars = factors.map((f) => ({
      // "(log)" is how the model uses the value, not what it is: technical detail.
      label: (t.lang === 'id' ? f.label_id : f.label_en).replace(/ \(log\)$/, ''),
      note: f.suppressed ? t.t('cell.suppressed') : f.display ? f.display[t.lang] : t.num(f.value, 1),
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
      body.append(node('p', 'note', t.t('cell.aggregate')));
    }
    body.append(techDetails(t.t('tech.title'), [
      [t.t('tech.raw'), d.value],
      [t.t('tech.cell'), c.h3],
      [t.t('tech.res'), String(c.res)],
      [t.t('tech.gi'), c.gi_z !== null ? `${t.num(c.gi_z, 2)} (${c.gi_p !== null ? t.num(c.gi_p, 3) : '–'})` : '–'],
      [t.t('tech.run'), `#${c.run_id}`],
    ]));
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
    const eyebrow = node('div', 'eyebrow', `${t.t('kab.title')} · ${t.month(k.period)}`);
    eyebrow.dataset.code = k.code;
    head.append(eyebrow);
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
      const d = r.display?.[t.lang];
      const [stats, stat] = statList();
      if (d) {
        stat(t.t('cell.class'), d.class || '–', { swatch: classColour(r.class), sub: d.top, testid: `kab-${kind}-class` });
        stat(t.t('cell.score'), d.score, { testid: `kab-${kind}-score` });
        stat(t.t('kab.rank_prov'), d.rank_in ?? '–', { testid: `kab-${kind}-rank-prov` });
        stat(t.t('kab.rank_nat'), d.rank ?? '–', { testid: `kab-${kind}-rank` });
        stat(t.t('kab.change'), changeText(d), { cls: d.change?.dir, testid: `kab-${kind}-change` });
      }
      sec.append(stats);
      sec.append(node('h4', undefined, t.t('kab.trend')));
      const trend = node('div', 'trend-chart');
      trend.dataset.testid = `trend-${kind}`;
      trend.append(lineChart(r.trend.map((p) => ({ label: t.month(p.period), value: p.score })), (v) => t.num(v, 2),
        320, 120, kind === 'tppo' ? '#d7301f' : '#6a51a3'));
      sec.append(trend);
      if (d) {
        sec.append(techDetails(t.t('tech.title'), [
          [t.t('tech.raw'), d.value],
          [t.t('tech.mean_max'), `${t.num(r.mean, 2)} / ${t.num(r.max, 2)}`],
          [t.t('tech.cells'), t.num(r.cells, 0)],
          [t.t('tech.run'), `#${k.run_id}`],
        ]));
      }
      body.append(sec);
    }
    const zoom = node('button', 'button secondary', t.t('kab.zoom'));
    zoom.type = 'button';
    zoom.addEventListener('click', () => this.app.flyTo(k.bbox));
    body.append(zoom);
  }
}
