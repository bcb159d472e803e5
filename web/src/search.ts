// Search box over provinces, kabupaten, kecamatan and villages by name or code.
import type { App } from './main';
import type { Place } from './api';

export class SearchBox {
  private timer = 0;
  private abort: AbortController | null = null;
  private results: Place[] = [];
  private active = -1;

  constructor(private app: App, private input: HTMLInputElement, private list: HTMLUListElement) {
    input.addEventListener('input', () => {
      clearTimeout(this.timer);
      this.timer = window.setTimeout(() => void this.run(), 200);
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        if (this.results.length === 0) return;
        this.active = (this.active + (e.key === 'ArrowDown' ? 1 : -1) + this.results.length) % this.results.length;
        this.render();
      } else if (e.key === 'Enter') {
        e.preventDefault();
        const pick = this.results[this.active >= 0 ? this.active : 0];
        if (pick) this.choose(pick);
        else void this.run();
      } else if (e.key === 'Escape') {
        this.hide();
      }
    });
    input.addEventListener('blur', () => window.setTimeout(() => this.hide(), 200));
    app.i18n.onChange(() => this.render());
  }

  private hide() {
    this.list.hidden = true;
  }

  private async run() {
    const q = this.input.value.trim();
    if (q.length < 2) {
      this.results = [];
      this.hide();
      return;
    }
    this.abort?.abort();
    this.abort = new AbortController();
    try {
      const r = await this.app.api.search(q, this.abort.signal);
      this.results = r.results;
      this.active = -1;
      this.render();
    } catch (e) {
      this.app.showError(e);
    }
  }

  private render() {
    const t = this.app.i18n;
    this.list.replaceChildren();
    if (!this.input.value.trim() || document.activeElement !== this.input) return;
    if (this.results.length === 0) {
      const li = document.createElement('li');
      li.className = 'empty';
      li.textContent = t.t('search.none');
      this.list.append(li);
    }
    this.results.forEach((p, i) => {
      const li = document.createElement('li');
      li.setAttribute('role', 'option');
      li.dataset.code = p.code;
      li.dataset.level = p.level;
      if (i === this.active) li.classList.add('active');
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = p.name;
      const meta = document.createElement('small');
      meta.textContent = `${t.tr(`level.${p.level}`)} · ${p.code}${p.parent ? ' · ' + p.parent : ''}${p.in_scope ? '' : ' · ' + t.t('search.outside')}`;
      li.append(name, meta);
      li.addEventListener('mousedown', (e) => { e.preventDefault(); this.choose(p); });
      this.list.append(li);
    });
    this.list.hidden = false;
  }

  private choose(p: Place) {
    this.input.value = p.name;
    this.hide();
    this.app.flyTo(p.bbox);
    if (p.level === 'kabupaten' && p.in_scope) void this.app.info.showKabupaten(p.code);
  }
}
