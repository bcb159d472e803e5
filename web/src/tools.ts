// The extension point for workflow tools (desa binaan site planner,
// joint-operation planner, kanwil brief). They live in src/workflows/ (owned by
// the workflows work) and are listed in src/workflows/index.ts; the map shell
// gives each one a panel in the "Alat / Tools" tab and this context.
import type maplibregl from 'maplibre-gl';
import type { Api, Kind, Me } from './api';
import type { I18n, Lang } from './i18n';

export interface ToolContext {
  map: maplibregl.Map;
  api: Api;
  i18n: I18n;
  /** The signed-in user (null on a development server without accounts). */
  me(): Me | null;
  /** The selected risk kind and period (null: the latest run's period). */
  kind(): Kind;
  period(): string | null;
  /** Fly the map to [west, south, east, north]. */
  flyTo(bbox: [number, number, number, number]): void;
  /** Show a transient message in the map's status line. */
  status(text: string, kind?: 'info' | 'error'): void;
  /** Same-origin fetch for state-changing requests: adds the CSRF header. */
  post(path: string, body: unknown): Promise<Response>;
  /** Subscribe to shell changes; returns an unsubscribe function. */
  on(event: 'lang' | 'kind' | 'period', fn: () => void): () => void;
}

export interface Tool {
  /** Stable id of the tool's panel. */
  id: string;
  /** The server's name for the tool (access.Tool): offered only to roles that may use it. */
  access: 'brief' | 'operation' | 'sites';
  title: Record<Lang, string>;
  /** Build the tool's UI inside el; return a clean-up function if needed. */
  mount(el: HTMLElement, ctx: ToolContext): void | (() => void);
}
