// Same-origin JSON client. Every request carries the session cookie; a 401
// anywhere means the session is gone, which the app answers with a login prompt.

export type Kind = 'tppo' | 'pmi';

export interface Run { id: number; period: string; train_until?: string; resolution: number; finished_at: string | null }
export interface Periods { latest: Run | null; periods: string[]; runs: Run[] }

/** A change between periods as the server formats it (geo/present). */
export interface ChangeText { pct: number; text: string; arrow: string; dir: 'up' | 'down' | 'flat' }

/** One language's display strings of a figure (internal/api/present.go). */
export interface Figures {
  score: string; value: string; class: string; rank?: string; rank_in?: string; change?: ChangeText; top?: string;
}
export type Display = Record<'id' | 'en', Figures>;

/** A national risk class (geo/present's table). */
export interface RiskClass { level: number; id: string; label_id: string; label_en: string; top_percent: number; colour: string }
export interface Presentation { classes: RiskClass[]; run_id: number; kind: Kind; breaks: Record<string, number[]> }

export interface Factor {
  name: string; label_id: string; label_en: string;
  value: number | null; suppressed?: boolean; display?: Record<'id' | 'en', string>;
  contribution: number; rr: number; coefficient: number; kept: boolean;
}

export interface CellInfo {
  h3: string; kind: Kind; run_id: number; period: string; res: number; run_resolution: number; score: number;
  gi_z: number | null; gi_p: number | null; gi_bin: number | null;
  rank_national: number; cells_national: number; rank_kabupaten: number; cells_kabupaten: number;
  kabupaten_code: string | null; kabupaten_name: string | null; provinsi_code: string | null; provinsi_name: string | null;
  center: [number, number]; factors: Factor[]; class: number; display: Display;
}

export interface RiskCard {
  score: number | null; mean: number | null; max: number | null; cells: number;
  rank_province: number | null; rank_national: number | null; of_province: number; of_nation: number;
  previous: number | null; change: number | null; trend: Array<{ period: string; score: number }>;
  class: number | null; display?: Display;
}

export interface Kabupaten {
  code: string; name: string; provinsi_code: string; provinsi_name: string; area_km2: number;
  bbox: [number, number, number, number]; center: [number, number]; run_id: number; period: string;
  risks: Record<Kind, RiskCard>;
}

export interface RankRow {
  code: string; name: string; provinsi_code: string; provinsi_name: string;
  score: number; max: number; mean: number; rank_national: number; rank_province: number | null;
  previous: number | null; change: number | null; center: [number, number];
  of_nation: number; class: number | null; display: Display;
}
export interface Ranking { kind: Kind; run_id: number; period: string; sort: string; order: string; scope: string[] | null; rows: RankRow[] }

export interface Place {
  level: 'provinsi' | 'kabupaten' | 'kecamatan' | 'desa'; code: string; name: string; parent: string | null;
  bbox: [number, number, number, number]; center: [number, number]; in_scope: boolean;
}

export interface Me {
  user_id: number; username: string; role: string; provinces: string[]; kabupaten: string[];
  national: boolean; personal_data: boolean; csrf_token: string; csrf_header: string;
  /** The decision tools the role may use (server: access.ToolRoles). */
  tools: string[];
}

/** ApiError carries the HTTP status and the server's message. */
export class ApiError extends Error {
  constructor(public status: number, message: string) {
    super(message);
  }
}

export class Api {
  private unauthorized: () => void;

  constructor(onUnauthorized: () => void) {
    this.unauthorized = onUnauthorized;
  }

  async get<T>(path: string, signal?: AbortSignal): Promise<T> {
    let res: Response;
    try {
      res = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' }, signal });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiError(0, 'network');
    }
    if (res.status === 401) {
      this.unauthorized();
      throw new ApiError(401, 'unauthorized');
    }
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      // A proxy's HTML error page: keep the status only.
    }
    if (!res.ok) {
      const msg = (body as { error?: string } | null)?.error ?? res.statusText;
      throw new ApiError(res.status, msg);
    }
    return body as T;
  }

  periods() { return this.get<Periods>('/api/periods'); }
  cell(kind: Kind, h3: string, signal?: AbortSignal) { return this.get<CellInfo>(`/api/cells/${kind}/${encodeURIComponent(h3)}`, signal); }
  kabupaten(code: string, period: string | null, signal?: AbortSignal) {
    return this.get<Kabupaten>(`/api/kabupaten/${encodeURIComponent(code)}${period ? '?period=' + period : ''}`, signal);
  }
  ranking(kind: Kind, period: string | null, sort: string, order: string) {
    const q = new URLSearchParams({ kind, sort, order });
    if (period) q.set('period', period);
    return this.get<Ranking>('/api/ranking?' + q.toString());
  }
  presentation(kind: Kind) { return this.get<Presentation>('/api/presentation?kind=' + kind); }
  search(q: string, signal?: AbortSignal) {
    return this.get<{ query: string; results: Place[] }>('/api/search?' + new URLSearchParams({ q }).toString(), signal);
  }
  async me(): Promise<Me | null> {
    try {
      return await this.get<Me>('/api/me');
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return null; // server without accounts (development)
      throw e;
    }
  }
}
