// Kabupaten ranking sidebar: the user's region (the API filters by scope),
// sortable by score, change or name; a click flies there and opens the scorecard.
import type { App } from './main';
import type { RankRow } from './api';
import { CHANGE_BREAKS, CHANGE_COLORS, SCORE_BREAKS, SCORE_COLORS } from './style';

function classColor(v: number, breaks: number[], colors: string[]): string {
  let i = 0;
  while (i < breaks.length && v >= breaks[i]) i++;
  return colors[i];
}

export class RankingPanel {
  rows: RankRow[] = [];
  private sort = 'score';
  private order = 'desc';
  private error: string | null = null;
  private loading = false;
  private seq = 0;

  constructor(private app: App, private root: HTMLElement) {
    app.i18n.onChange(() => this.render());
    this.render();
  }

  setSort(sort: string) {
    if (this.sort === sort) return;
    this.sort = sort;
    this.order = sort === 'name' ? 'asc' : 'desc';
    void this.load();
  }

  async load() {
    const seq = ++this.seq;
    this.loading = true;
    this.render();
    try {
      const r = await this.app.api.ranking(this.app.kind, this.app.apiPeriod(), this.sort, this.order);
      if (seq !== this.seq) return;
      this.rows = r.rows;
      this.error = null;
    } catch (e) {
      if (seq !== this.seq) return;
      const status = (e as { status?: number }).status;
      this.rows = [];
      this.error = status === 404 ? this.app.i18n.t('period.none') : status === 0 ? this.app.i18n.t('status.server') : (e as Error).message;
    } finally {
      if (seq === this.seq) {
        this.loading = false;
        this.render();
        this.app.refreshChoropleth();
      }
    }
  }

  private render() {
    const t = this.app.i18n;
    this.root.replaceChildren();
    const h = document.createElement('h3');
    const scope = this.app.me && !this.app.me.national
      ? `${t.t('rank.scope')}: ${[...this.app.me.provinces, ...this.app.me.kabupaten].join(', ')}`
      : t.t('rank.scope_nat');
    h.textContent = `${t.t('rank.title')} · ${t.tr(`kind.${this.app.kind}.short`)}`;
    const sub = document.createElement('p');
    sub.className = 'note';
    sub.textContent = scope + (this.app.period ? ` · ${t.month(this.app.period)}` : '');
    this.root.append(h, sub);
    if (this.loading && this.rows.length === 0) {
      const p = document.createElement('p');
      p.className = 'loading';
      p.textContent = t.t('status.loading');
      this.root.append(p);
      return;
    }
    if (this.error) {
      const p = document.createElement('p');
      p.className = 'error';
      p.textContent = this.error;
      this.root.append(p);
      return;
    }
    if (this.rows.length === 0) {
      const p = document.createElement('p');
      p.className = 'note';
      p.textContent = t.t('rank.empty');
      this.root.append(p);
      return;
    }
    const table = document.createElement('table');
    table.className = 'ranking';
    table.dataset.testid = 'ranking';
    const head = document.createElement('tr');
    const col = (key: string, label: string, cls = '') => {
      const th = document.createElement('th');
      th.className = cls;
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'sort';
      b.textContent = label + (this.sort === key ? (this.order === 'desc' ? ' ▼' : ' ▲') : '');
      b.addEventListener('click', () => {
        if (this.sort === key) this.order = this.order === 'desc' ? 'asc' : 'desc';
        else { this.sort = key; this.order = key === 'name' ? 'asc' : 'desc'; }
        void this.load();
      });
      th.append(b);
      th.setAttribute('aria-sort', this.sort === key ? (this.order === 'desc' ? 'descending' : 'ascending') : 'none');
      head.append(th);
    };
    const num = document.createElement('th');
    num.textContent = '#';
    head.append(num);
    col('name', t.t('rank.name'));
    col('score', t.t('rank.score'), 'num');
    col('change', t.t('rank.change'), 'num');
    const thead = document.createElement('thead');
    thead.append(head);
    const tbody = document.createElement('tbody');
    for (const r of this.rows) {
      const tr = document.createElement('tr');
      tr.dataset.code = r.code;
      tr.tabIndex = 0;
      const rank = document.createElement('td');
      rank.className = 'num';
      rank.textContent = String(r.rank_national);
      const name = document.createElement('td');
      name.textContent = r.name;
      const prov = document.createElement('small');
      prov.textContent = r.provinsi_name;
      name.append(prov);
      const score = document.createElement('td');
      score.className = 'num';
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = classColor(r.score, SCORE_BREAKS, SCORE_COLORS);
      score.append(sw, document.createTextNode(t.num(r.score, 2)));
      const ch = document.createElement('td');
      ch.className = 'num change';
      if (r.change !== null) {
        const rel = Math.round((r.previous ? (100 * r.change) / r.previous : 0) * 10) / 10;
        ch.textContent = `${rel > 0 ? '+' : rel < 0 ? '' : '±'}${t.num(rel === 0 ? 0 : rel, 1)}\u00a0%`;
        ch.classList.add(r.change > 0 ? 'up' : r.change < 0 ? 'down' : 'flat');
        const dot = document.createElement('span');
        dot.className = 'swatch';
        dot.style.background = classColor(rel, CHANGE_BREAKS, CHANGE_COLORS);
        ch.prepend(dot);
      } else {
        ch.textContent = '–';
      }
      tr.append(rank, name, score, ch);
      const open = () => void this.app.info.showKabupaten(r.code, true);
      tr.addEventListener('click', open);
      tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') open(); });
      tbody.append(tr);
    }
    table.append(thead, tbody);
    this.root.append(table);
  }
}
