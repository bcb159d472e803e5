// Click-to-add-vertex polygon drawing on the MapLibre map, without a plugin:
// each click adds a vertex; clicking the first vertex again (or "finish")
// closes the ring. Double-click zoom is off while drawing so a quick second
// click is a vertex, not a zoom.
//
// Clicks are taken in the capture phase on the map's container and stopped
// there, so that while drawing a click adds a vertex and does NOT also open
// the shell's cell/kabupaten info panel (MapLibre never sees it). Dragging
// still pans: a press that moved more than a few pixels is not a vertex.
import type maplibregl from 'maplibre-gl';
import type { Feature, Polygon } from 'geojson';
import { Overlays } from './common';

export class PolygonDraw {
  private pts: [number, number][] = [];
  private closed = false;
  private active = false;
  private ov: Overlays;
  private down: [number, number] | null = null;
  private onDown = (e: MouseEvent) => { this.down = [e.clientX, e.clientY]; };
  private onClick = (e: MouseEvent) => this.click(e);
  private onKey = (e: KeyboardEvent) => {
    if (e.key === 'Backspace' || (e.key === 'z' && (e.ctrlKey || e.metaKey))) {
      const t = e.target as HTMLElement | null;
      if (t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT')) return;
      if (this.undo()) e.preventDefault();
    }
  };

  constructor(private map: maplibregl.Map, prefix: string, private changed: () => void) {
    this.ov = new Overlays(map, prefix);
  }

  get drawing() { return this.active; }

  start() {
    this.clear();
    this.active = true;
    this.map.doubleClickZoom.disable();
    this.map.getCanvas().style.cursor = 'crosshair';
    const c = this.map.getContainer();
    c.addEventListener('mousedown', this.onDown, true);
    c.addEventListener('click', this.onClick, true);
    document.addEventListener('keydown', this.onKey);
    this.render();
    this.changed();
  }

  /** Closes the ring if it has at least three vertices. */
  finish(): boolean {
    if (this.pts.length < 3) return false;
    this.closed = true;
    this.stop();
    this.render();
    this.changed();
    return true;
  }

  clear() {
    this.stop();
    this.pts = [];
    this.closed = false;
    this.render();
    this.changed();
  }

  /** Removes everything from the map (tool closed). */
  dispose() {
    this.stop();
    this.ov.clear();
  }

  vertices() { return this.pts.length; }

  /** Removes the last vertex while drawing (Backspace or Ctrl+Z do the same). */
  undo(): boolean {
    if (!this.active || this.pts.length === 0) return false;
    this.pts.pop();
    this.render();
    this.changed();
    return true;
  }

  /** Takes a polygon from elsewhere (an uploaded GeoJSON file) as drawn. */
  load(p: Polygon) {
    this.stop();
    const ring = p.coordinates[0].map(([x, y]) => [+x.toFixed(6), +y.toFixed(6)] as [number, number]);
    if (ring.length > 1 && ring[0][0] === ring[ring.length - 1][0] && ring[0][1] === ring[ring.length - 1][1]) ring.pop();
    this.pts = ring;
    this.closed = ring.length >= 3;
    this.render();
    this.changed();
  }

  polygon(): Polygon | null {
    if (!this.closed) return null;
    return { type: 'Polygon', coordinates: [[...this.pts, this.pts[0]]] };
  }

  private stop() {
    if (!this.active) return;
    this.active = false;
    const c = this.map.getContainer();
    c.removeEventListener('mousedown', this.onDown, true);
    c.removeEventListener('click', this.onClick, true);
    document.removeEventListener('keydown', this.onKey);
    this.map.doubleClickZoom.enable();
    this.map.getCanvas().style.cursor = '';
  }

  private click(e: MouseEvent) {
    // Zoom buttons and other controls keep working: only clicks on the map itself.
    if (!(e.target instanceof HTMLCanvasElement)) return;
    e.stopPropagation();
    e.preventDefault();
    const d = this.down;
    this.down = null;
    if (d && Math.hypot(e.clientX - d[0], e.clientY - d[1]) > 4) return; // the end of a drag
    const r = this.map.getCanvas().getBoundingClientRect();
    const x = e.clientX - r.left, y = e.clientY - r.top;
    if (this.pts.length >= 3) {
      const first = this.map.project(this.pts[0]);
      if (Math.hypot(first.x - x, first.y - y) < 12) {
        this.finish();
        return;
      }
    }
    const ll = this.map.unproject([x, y]);
    this.pts.push([+ll.lng.toFixed(6), +ll.lat.toFixed(6)]);
    this.render();
    this.changed();
  }

  private render() {
    const feats: Feature[] = this.pts.map((p, i) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: p }, properties: { first: i === 0 } }));
    if (this.pts.length >= 2) {
      const line = this.closed ? [...this.pts, this.pts[0]] : this.pts;
      feats.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: line }, properties: {} });
    }
    if (this.closed) feats.push({ type: 'Feature', geometry: this.polygon()!, properties: {} });
    this.ov.data('draw', { type: 'FeatureCollection', features: feats });
    this.ov.layer({ id: this.ov.id('fill'), type: 'fill', source: this.ov.id('draw'), filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': '#ffb000', 'fill-opacity': 0.15 } });
    this.ov.layer({ id: this.ov.id('line'), type: 'line', source: this.ov.id('draw'), filter: ['!=', ['geometry-type'], 'Point'],
      paint: { 'line-color': '#c86400', 'line-width': 2.5, 'line-dasharray': [2, 1] } });
    this.ov.layer({ id: this.ov.id('vertex'), type: 'circle', source: this.ov.id('draw'), filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-radius': ['case', ['get', 'first'], 7, 5], 'circle-color': '#ffffff', 'circle-stroke-color': '#c86400', 'circle-stroke-width': 2 } });
  }
}

/** Picks one point on the map with the next click (same capture as drawing). */
export class PointPick {
  private pt: [number, number] | null = null;
  private ov: Overlays;
  private armed = false;
  private down: [number, number] | null = null;
  private onDown = (e: MouseEvent) => { this.down = [e.clientX, e.clientY]; };
  private onClick = (e: MouseEvent) => this.click(e);

  constructor(private map: maplibregl.Map, prefix: string, private changed: () => void) {
    this.ov = new Overlays(map, prefix);
  }

  get point() { return this.pt; }
  get picking() { return this.armed; }

  arm() {
    if (this.armed) return;
    this.armed = true;
    const c = this.map.getContainer();
    c.addEventListener('mousedown', this.onDown, true);
    c.addEventListener('click', this.onClick, true);
    this.map.getCanvas().style.cursor = 'crosshair';
    this.changed();
  }

  clear() {
    this.disarm();
    this.pt = null;
    this.render();
    this.changed();
  }

  dispose() {
    this.disarm();
    this.ov.clear();
  }

  /** Stops waiting for a click (keeps any point already picked). */
  cancel() {
    this.disarm();
    this.changed();
  }

  private disarm() {
    if (!this.armed) return;
    this.armed = false;
    const c = this.map.getContainer();
    c.removeEventListener('mousedown', this.onDown, true);
    c.removeEventListener('click', this.onClick, true);
    this.map.getCanvas().style.cursor = '';
  }

  private click(e: MouseEvent) {
    if (!(e.target instanceof HTMLCanvasElement)) return;
    e.stopPropagation();
    e.preventDefault();
    const d = this.down;
    this.down = null;
    if (d && Math.hypot(e.clientX - d[0], e.clientY - d[1]) > 4) return;
    const r = this.map.getCanvas().getBoundingClientRect();
    const ll = this.map.unproject([e.clientX - r.left, e.clientY - r.top]);
    this.pt = [+ll.lng.toFixed(6), +ll.lat.toFixed(6)];
    this.disarm();
    this.render();
    this.changed();
  }

  private render() {
    const feats: Feature[] = this.pt ? [{ type: 'Feature', geometry: { type: 'Point', coordinates: this.pt }, properties: {} }] : [];
    this.ov.data('start', { type: 'FeatureCollection', features: feats });
    this.ov.layer({ id: this.ov.id('start'), type: 'circle', source: this.ov.id('start'),
      paint: { 'circle-radius': 8, 'circle-color': '#000000', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 3 } });
  }
}
