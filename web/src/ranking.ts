// Kabupaten ranking sidebar: the user's region (the API filters by scope),
// sortable by score, change or name; a click flies there and opens the scorecard.
import type { App } from './main';
import type { RankRow } from './api';
import { CHANGE_BREAKS, CHANGE_COLORS, classColour } from './style';
import { changeText } from './info';

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

  /** The user's scope by name: province names from the rows, kabupaten names for kabupaten codes. */
  private scopeNames(): string[] {
    const me = this.app.me!;
    const prov = new Map(this.rows.map((r) => [r.provinsi_code, r.provinsi_name]));
    const kab = new Map(this.rows.map((r) => [r.code, r.name]));
    return [...me.provinces.map((c) => prov.get(c) ?? c), ...me.kabupaten.map((c) => kab.get(c) ?? c)];
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
      this.error = status === 404 ? this.app.i18n.t('period.none') : status === 401 ? this.app.i18n.t('login.required') : status === 0 ? this.app.i18n.t('status.server') : (e as Error).message;
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
      ? `${t.t('rank.scope')}: ${this.scopeNames().join(', ')}`
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
    num.className = 'num rk';
    num.textContent = t.t('rank.nat_short');
    num.title = t.t('rank.nat');
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
      rank.textContent = t.num(r.rank_national, 0);
      rank.title = `${t.t('rank.nat')}: ${r.display[t.lang].rank ?? ''}`;
      const name = document.createElement('td');
      name.textContent = r.name;
      const prov = document.createElement('small');
      prov.textContent = r.provinsi_name;
      name.append(prov);
      const score = document.createElement('td');
      score.className = 'num';
      const sw = document.createElement('span');
      sw.className = 'swatch';
      sw.style.background = classColour(r.class);
      const d = r.display[t.lang];
      sw.title = d.class;
      score.title = `${d.class} · ${d.score}`;
      score.append(sw, document.createTextNode(`${d.score.split('\u00a0')[0]}\u00a0×`));
      const ch = document.createElement('td');
      ch.className = 'num change';
      if (d.change) {
        // The API's change is a ratio (−0.262 = −26.2 %), formatted by the server.
        ch.textContent = changeText(d);
        ch.classList.add(d.change.dir);
        const dot = document.createElement('span');
        dot.className = 'swatch';
        dot.style.background = classColor(d.change.pct, CHANGE_BREAKS, CHANGE_COLORS);
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
    const of = this.rows[0]?.of_nation;
    if (of) {
      const n = document.createElement('p');
      n.className = 'note';
      n.textContent = t.t('rank.nat_note').replace('{n}', t.num(of, 0));
      this.root.append(n);
    }
  }
}
