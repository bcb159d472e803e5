// The legend shows the class breaks of what is on the map right now.
import type { App } from './main';
import { CHANGE_BREAKS, CHANGE_COLORS, GI_COLORS, PORT_COLORS, SCORE_BREAKS, SCORE_COLORS } from './style';

function swatchRow(parent: HTMLElement, color: string, label: string, round = false) {
  const row = document.createElement('div');
  row.className = 'legend-row';
  const sw = document.createElement('span');
  sw.className = round ? 'swatch round' : 'swatch';
  sw.style.background = color; // CSSOM, allowed by the CSP (no style attribute in markup)
  const t = document.createElement('span');
  t.textContent = label;
  row.append(sw, t);
  parent.append(row);
}

function classes(app: App, parent: HTMLElement, title: string, breaks: number[], colors: string[], suffix = '') {
  const h = document.createElement('h4');
  h.textContent = title;
  parent.append(h);
  const f = (v: number) => app.i18n.num(v, 2) + suffix;
  // Highest class first: that is what the eye looks for.
  for (let i = colors.length - 1; i >= 0; i--) {
    const label = i === 0 ? `< ${f(breaks[0])}` : i === colors.length - 1 ? `≥ ${f(breaks[i - 1])}` : `${f(breaks[i - 1])} – ${f(breaks[i])}`;
    swatchRow(parent, colors[i], label);
  }
}

export function renderLegend(app: App, root: HTMLElement) {
  root.replaceChildren();
  const t = app.i18n;
  const v = app.visible;
  if (v.hexagons || (v.choropleth && !app.changeView)) {
    classes(app, root, `${t.t('legend.score')} · ${t.tr(`kind.${app.kind}.short`)}`, SCORE_BREAKS, SCORE_COLORS);
  }
  if (v.choropleth && app.changeView) {
    classes(app, root, t.t('legend.change'), CHANGE_BREAKS, CHANGE_COLORS, ' %');
  }
  if (v.hotspots) {
    const h = document.createElement('h4');
    h.textContent = t.t('legend.hotspots');
    root.append(h);
    for (const bin of ['3', '2', '1', '-1', '-2', '-3']) swatchRow(root, GI_COLORS[bin], t.tr(`gi.${bin}`));
  }
  if (v.ports || v.informal) {
    const h = document.createElement('h4');
    h.textContent = t.t('layers.ports');
    root.append(h);
    if (v.ports) for (const [k, c] of Object.entries(PORT_COLORS)) swatchRow(root, c, t.tr(`port.${k}`), true);
    if (v.informal) swatchRow(root, '#ffeb3b', t.tr('port.informal'), true);
  }
  if ((v.residents || v.incidents) && app.me && !app.me.personal_data) {
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = t.t('legend.suppressed');
    root.append(p);
  }
  root.hidden = root.childElementCount === 0;
}
