// Shared helpers of the workflow tools: a tiny DOM builder, bilingual text,
// JSON/download requests with readable errors, and map overlays that each
// tool adds under its own prefix and removes when it closes.
import type maplibregl from 'maplibre-gl';
import type { FeatureCollection, Polygon } from 'geojson';
import type { ToolContext } from '../tools';

export type Dict = Record<string, [string, string]>;

/** Text in the shell's language (Bahasa Indonesia first). */
export function tr(ctx: ToolContext, d: Dict, key: string): string {
  const e = d[key];
  if (!e) return key;
  return ctx.i18n.lang === 'en' ? e[1] : e[0];
}

type Attrs = Record<string, string | number | boolean | undefined>;

/** el('button', {type: 'button', class: 'x'}, 'text', child) */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...kids: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') e.className = String(v);
    else if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const k of kids) e.append(k);
  return e;
}

export function field(label: string, input: HTMLElement, hint?: string): HTMLLabelElement {
  const l = el('label', { class: 'wf-field' }, el('span', { class: 'wf-label', text: label }), input);
  if (hint) l.append(el('small', { class: 'wf-hint', text: hint }));
  return l;
}

/** An error the server explained (its {"error": ...} text) or a network failure. */
export class RequestError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

async function explain(res: Response): Promise<RequestError> {
  let msg = res.statusText || `HTTP ${res.status}`;
  try {
    const b = (await res.json()) as { error?: string };
    if (b && b.error) msg = b.error;
  } catch {
    // not JSON
  }
  return new RequestError(res.status, msg);
}

export async function getJSON<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch {
    throw new RequestError(0, 'network');
  }
  if (!res.ok) throw await explain(res);
  return (await res.json()) as T;
}

export async function postJSON<T>(ctx: ToolContext, path: string, body: unknown): Promise<T> {
  const res = await ctx.post(path, body);
  if (!res.ok) throw await explain(res);
  return (await res.json()) as T;
}

/** Saves a response body as a file (the name from Content-Disposition). */
export async function saveResponse(res: Response, fallback: string): Promise<string> {
  if (!res.ok) throw await explain(res);
  const blob = await res.blob();
  const cd = res.headers.get('Content-Disposition') || '';
  const m = /filename="?([^";]+)"?/.exec(cd);
  const name = m ? m[1] : fallback;
  const url = URL.createObjectURL(blob);
  const a = el('a', { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}

/** Asks for an export (a POST with the CSRF token, so that no cross-site
 * link can make the browser produce one) and saves it. */
export async function download(ctx: ToolContext, path: string, fallback: string): Promise<string> {
  let res: Response;
  try {
    res = await ctx.post(path, {});
  } catch {
    throw new RequestError(0, 'network');
  }
  return saveResponse(res, fallback);
}

export interface RegionItem { code: string; name: string }

export async function regions(parent = ''): Promise<RegionItem[]> {
  const r = await getJSON<{ items: RegionItem[] }>('/api/workflow/regions' + (parent ? '?parent=' + encodeURIComponent(parent) : ''));
  return r.items;
}

export function fillSelect(sel: HTMLSelectElement, items: RegionItem[], empty?: string) {
  sel.replaceChildren();
  if (empty !== undefined) sel.append(el('option', { value: '', text: empty }));
  for (const it of items) sel.append(el('option', { value: it.code, text: `${it.name} (${it.code})` }));
}

/** Overlays owns a tool's sources and layers (ids prefixed) on the shared map. */
export class Overlays {
  private sources = new Set<string>();
  private layers: string[] = [];
  constructor(private map: maplibregl.Map, private prefix: string) {}

  id(name: string) { return `${this.prefix}-${name}`; }

  /** Sets (or replaces) a GeoJSON source's data. */
  data(name: string, data: FeatureCollection) {
    const id = this.id(name);
    const src = this.map.getSource(id) as maplibregl.GeoJSONSource | undefined;
    if (src) src.setData(data);
    else {
      this.map.addSource(id, { type: 'geojson', data });
      this.sources.add(id);
    }
  }

  layer(spec: maplibregl.LayerSpecification) {
    if (this.map.getLayer(spec.id)) return;
    this.map.addLayer(spec);
    this.layers.push(spec.id);
  }

  clear() {
    for (const l of this.layers.reverse()) if (this.map.getLayer(l)) this.map.removeLayer(l);
    for (const s of this.sources) if (this.map.getSource(s)) this.map.removeSource(s);
    this.layers = [];
    this.sources.clear();
  }
}

export const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

/** A ground circle as a polygon (64 vertices), for coverage radii. */
export function circle(lon: number, lat: number, km: number): Polygon {
  const ring: [number, number][] = [];
  const dLat = km / 111.32;
  const dLon = km / (111.32 * Math.cos((lat * Math.PI) / 180));
  for (let i = 0; i <= 64; i++) {
    const a = (2 * Math.PI * i) / 64;
    ring.push([lon + dLon * Math.cos(a), lat + dLat * Math.sin(a)]);
  }
  return { type: 'Polygon', coordinates: [ring] };
}

export function pct(share: number): string {
  return (100 * share).toLocaleString('id-ID', { maximumFractionDigits: 1, minimumFractionDigits: 1 }) + '%';
}

export function num(v: number, digits = 0): string {
  return v.toLocaleString('id-ID', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function errorText(ctx: ToolContext, e: unknown): string {
  if (e instanceof RequestError) {
    if (e.status === 0) return ctx.i18n.lang === 'en' ? 'The server cannot be reached.' : 'Server tidak dapat dihubungi.';
    return e.message;
  }
  return String((e as Error)?.message ?? e);
}
