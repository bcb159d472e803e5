// The legend has an entry for every layer on the map right now: risk classes
// (national percentile classes of geo/present, as the API sends them), change,
// hot spots, and each point layer with the colour it is drawn in.
import type { App } from './main';
import { CHANGE_BREAKS, CHANGE_COLORS, GI_COLORS, PORT_COLORS, POINT_COLORS, RISK_CLASSES } from './style';

function swatchRow(parent: HTMLElement, color: string, label: string, shape: '' | 'round' | 'ring' | 'outline' = '', ring?: string) {
  const row = document.createElement('div');
  row.className = 'legend-row';
  const sw = document.createElement('span');
  sw.className = shape ? `swatch ${shape === 'ring' ? 'round' : shape}` : 'swatch';
  // CSSOM, allowed by the CSP (no style attribute in markup)
  if (shape === 'outline') sw.style.borderColor = color;
  else sw.style.background = color;
  if (ring) sw.style.boxShadow = `0 0 0 2px ${ring}`;
  const t = document.createElement('span');
  t.textContent = label;
  row.append(sw, t);
  parent.append(row);
}

function heading(parent: HTMLElement, text: string) {
  const h = document.createElement('h4');
  h.textContent = text;
  parent.append(h);
}

export function renderLegend(app: App, root: HTMLElement) {
  root.replaceChildren();
  const t = app.i18n;
  const v = app.visible;
  if (v.hexagons || (v.choropleth && !app.changeView)) {
    heading(root, `${v.hexagons ? t.t('legend.class') : t.t('legend.class_kab')} · ${t.tr(`kind.${app.kind}.short`)}`);
    // Highest class first: that is what the eye looks for.
    for (const c of [...RISK_CLASSES].reverse()) {
      const share = c.top_percent >= 100 ? t.t('legend.rest') : t.t('legend.top').replace('{p}', `${t.num(c.top_percent, 0)}\u00a0%`);
      swatchRow(root, c.colour, `${t.lang === 'id' ? c.label_id : c.label_en} · ${share}`);
    }
  }
  if (v.choropleth && app.changeView) {
    heading(root, t.t('legend.change'));
    const f = (x: number) => `${x > 0 ? '+' : x < 0 ? '\u2212' : ''}${t.num(Math.abs(x), 0)}\u00a0%`;
    for (let i = CHANGE_COLORS.length - 1; i >= 0; i--) {
      const label = i === 0 ? `< ${f(CHANGE_BREAKS[0])}` : i === CHANGE_COLORS.length - 1 ? `≥ ${f(CHANGE_BREAKS[i - 1])}`
        : `${f(CHANGE_BREAKS[i - 1])} … ${f(CHANGE_BREAKS[i])}`;
      swatchRow(root, CHANGE_COLORS[i], `${i > 3 ? '▲' : i < 3 ? '▼' : ''} ${label}`.trim());
    }
  }
  if (v.hotspots) {
    heading(root, t.t('legend.hotspots'));
    for (const bin of ['3', '2', '1', '-1', '-2', '-3']) swatchRow(root, GI_COLORS[bin], t.tr(`gi.${bin}`), 'outline');
  }
  if (v.ports || v.informal) {
    heading(root, t.t('layers.ports'));
    if (v.ports) for (const [k, c] of Object.entries(PORT_COLORS)) swatchRow(root, c, t.tr(`port.${k}`), 'round');
    if (v.informal) swatchRow(root, POINT_COLORS.informal, t.t('legend.informal'), 'round');
  }
  if (v.worksites || v.desa_binaan || v.residents || v.incidents) heading(root, t.t('layers.context'));
  if (v.worksites) swatchRow(root, POINT_COLORS.worksite, t.t('legend.worksites'), 'round');
  if (v.desa_binaan) {
    swatchRow(root, POINT_COLORS.desaBinaan, t.t('legend.desa_binaan'), 'round');
    swatchRow(root, 'rgba(26,152,80,0.25)', t.t('legend.coverage'), 'round');
  }
  if (v.residents) swatchRow(root, POINT_COLORS.resident, t.t('legend.residents'), 'round');
  if (v.incidents) swatchRow(root, POINT_COLORS.incident, t.t('legend.incidents'), 'ring', POINT_COLORS.incidentRing);
  if ((v.residents || v.incidents) && app.me && !app.me.personal_data) {
    const p = document.createElement('p');
    p.className = 'note';
    p.textContent = t.t('legend.suppressed');
    root.append(p);
  }
  root.hidden = root.childElementCount === 0;
}
