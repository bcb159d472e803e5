// Bahasa Indonesia first, English as a switch. Static text in index.html is
// marked with data-i18n / data-i18n-placeholder; dynamic text calls t().

export type Lang = 'id' | 'en';

const dict = {
  'app.title': ['Waspada', 'Waspada'],
  'app.subtitle': ['Peta risiko TPPO & PMI nonprosedural', 'TPPO & non-procedural PMI risk map'],
  'search.placeholder': ['Cari provinsi, kabupaten, kecamatan, desa atau kode…', 'Search province, regency, district, village or code…'],
  'search.none': ['Tidak ditemukan', 'Nothing found'],
  'search.outside': ['di luar wilayah Anda', 'outside your region'],
  'level.provinsi': ['Provinsi', 'Province'],
  'level.kabupaten': ['Kabupaten/Kota', 'Regency/City'],
  'level.kecamatan': ['Kecamatan', 'District'],
  'level.desa': ['Desa/Kelurahan', 'Village'],
  'period.label': ['Periode', 'Period'],
  'period.change': ['Perubahan vs periode lalu', 'Change vs previous period'],
  'period.none': ['Belum ada perhitungan risiko', 'No risk run yet'],
  'tab.layers': ['Lapisan', 'Layers'],
  'tab.ranking': ['Peringkat', 'Ranking'],
  'tab.tools': ['Alat', 'Tools'],
  'layers.risk': ['Risiko per heksagon', 'Risk per hexagon'],
  'layers.kind': ['Jenis risiko', 'Risk kind'],
  'kind.tppo': ['TPPO (perdagangan orang)', 'TPPO (trafficking)'],
  'kind.pmi': ['PMI nonprosedural', 'Non-procedural PMI'],
  'kind.tppo.short': ['TPPO', 'TPPO'],
  'kind.pmi.short': ['PMI', 'PMI'],
  'layers.hexagons': ['Heksagon risiko', 'Risk hexagons'],
  'layers.choropleth': ['Risiko per kabupaten', 'Risk per regency'],
  'layers.hotspots': ['Titik panas (Gi*)', 'Hot spots (Gi*)'],
  'layers.ports': ['Pelabuhan', 'Ports'],
  'layers.informal': ['Jalur tikus', 'Informal landing points'],
  'layers.worksites': ['Lokasi kerja TKA', 'Foreign-worker worksites'],
  'layers.desa_binaan': ['Desa binaan & cakupan', 'Desa binaan & coverage'],
  'layers.residents': ['WNA (klaster)', 'Foreign residents (clusters)'],
  'layers.incidents': ['Kejadian', 'Incidents'],
  'layers.opacity': ['Kepekatan warna risiko', 'Risk colour strength'],
  'layers.context': ['Lapisan konteks', 'Context layers'],
  'layers.latest_only': ['Heksagon selalu dari perhitungan terbaru', 'Hexagons always show the latest run'],
  'period.hex_latest': ['Heksagon: perhitungan {latest}. Tidak ada perhitungan heksagon untuk {chosen}; peringkat dan kartu skor mengikuti {chosen}.',
    'Hexagons: the {latest} run. There is no hexagon run for {chosen}; the ranking and scorecards follow {chosen}.'],
  'legend.class': ['Kelas risiko nasional', 'National risk class'],
  'legend.class_kab': ['Kelas risiko kabupaten (nasional)', 'Regency risk class (national)'],
  'legend.top': ['{p} teratas', 'top {p}'],
  'legend.rest': ['50 % terbawah', 'bottom 50 %'],
  'legend.nodata': ['Tanpa skor', 'No score'],
  'legend.residents': ['WNA terdaftar (lingkaran: jumlah)', 'Registered foreigners (circle: count)'],
  'legend.incidents': ['Kejadian TPPO/PMI (lingkaran: jumlah)', 'TPPO/PMI incidents (circle: count)'],
  'legend.worksites': ['Lokasi kerja TKA (besar: jumlah TKA)', 'Worksite (size: foreign workers)'],
  'legend.desa_binaan': ['Desa binaan', 'Desa binaan'],
  'legend.coverage': ['Cakupan 4 km desa binaan', '4 km desa binaan coverage'],
  'legend.informal': ['Jalur tikus (titik pendaratan tidak resmi)', 'Informal landing point'],
  'legend.score': ['Skor risiko relatif', 'Relative risk score'],
  'legend.change': ['Perubahan skor kabupaten', 'Regency score change'],
  'legend.hotspots': ['Titik panas Gi*', 'Gi* hot spots'],
  'legend.suppressed': ['Jumlah 1–9 disembunyikan', 'Counts 1–9 hidden'],
  'gi.3': ['Titik panas (keyakinan 99 %)', 'Hot spot (99 % confidence)'],
  'gi.2': ['Titik panas (keyakinan 95 %)', 'Hot spot (95 % confidence)'],
  'gi.1': ['Titik panas (keyakinan 90 %)', 'Hot spot (90 % confidence)'],
  'gi.0': ['Bukan titik panas', 'Not a hot spot'],
  'gi.-1': ['Titik dingin (keyakinan 90 %)', 'Cold spot (90 % confidence)'],
  'gi.-2': ['Titik dingin (keyakinan 95 %)', 'Cold spot (95 % confidence)'],
  'gi.-3': ['Titik dingin (keyakinan 99 %)', 'Cold spot (99 % confidence)'],
  'port.main': ['Pelabuhan utama', 'Main port'],
  'port.public': ['Pelabuhan umum', 'Public port'],
  'port.special_terminal': ['Terminal khusus', 'Special terminal'],
  'port.private_terminal': ['TUKS', 'Private terminal'],
  'port.informal': ['Jalur tikus', 'Informal landing point'],
  'cell.title': ['Wilayah heksagon', 'Hexagon area'],
  'cell.score': ['Skor', 'Score'],
  'cell.class': ['Kelas risiko', 'Risk class'],
  'cell.hotspot': ['Pola sekitar', 'Local pattern'],
  'tech.title': ['Detail teknis', 'Technical detail'],
  'tech.raw': ['Skor mentah (risiko relatif)', 'Raw score (relative risk)'],
  'tech.cell': ['Sel H3', 'H3 cell'],
  'tech.res': ['Resolusi H3', 'H3 resolution'],
  'tech.gi': ['Gi* z (p)', 'Gi* z (p)'],
  'tech.cells': ['Sel dianalisis', 'Cells analysed'],
  'tech.mean_max': ['Rata-rata / maksimum sel', 'Cell mean / maximum'],
  'tech.run': ['Perhitungan', 'Run'],
  'tech.factor_help': ['Faktor: nilai mentah dan kontribusi log ke skor.', 'Factors: raw value and log contribution to the score.'],
  'cell.rank_nat': ['Peringkat nasional', 'National rank'],
  'cell.rank_kab': ['Peringkat di kabupaten/kota', 'Rank in regency'],
  'cell.gi': ['Gi*', 'Gi*'],
  'cell.factors': ['Faktor pembentuk skor', 'What makes the score'],
  'cell.factor_help': ['Angka kanan atas: nilai faktor. Batang: kontribusinya (× risiko relatif); merah menaikkan, biru menurunkan.',
    'Top right: the factor\'s value. Bar: its contribution (× relative risk); red raises, blue lowers.'],
  'cell.value': ['Nilai', 'Value'],
  'cell.aggregate': ['Heksagon besar: rata-rata heksagon analisis yang lebih kecil di dalamnya. Perbesar peta untuk detail.',
    'Large hexagon: the mean of the smaller analysis hexagons inside it. Zoom in for detail.'],
  'cell.suppressed': ['1–9 (disembunyikan)', '1–9 (hidden)'],
  'cell.dropped': ['tidak dipakai model', 'dropped by the model'],
  'kab.title': ['Kartu skor kabupaten', 'Regency scorecard'],
  'kab.rank_prov': ['Peringkat provinsi', 'Rank in province'],
  'kab.rank_nat': ['Peringkat nasional', 'National rank'],
  'kab.change': ['Perubahan', 'Change'],
  'kab.trend': ['Tren 12 periode', '12-period trend'],
  'kab.of': ['dari', 'of'],
  'kab.no_data': ['Tidak ada skor untuk periode ini', 'No score for this period'],
  'kab.zoom': ['Perbesar ke kabupaten', 'Zoom to regency'],
  'rank.title': ['Peringkat kabupaten', 'Regency ranking'],
  'rank.name': ['Kabupaten/Kota', 'Regency/City'],
  'rank.score': ['Skor', 'Score'],
  'rank.change': ['Perubahan', 'Change'],
  'rank.nat': ['Peringkat nasional', 'National rank'],
  'rank.nat_short': ['Pkt. nas.', 'Nat. rank'],
  'rank.nat_note': ['Pkt. nas.: peringkat nasional dari {n} kabupaten/kota. Perubahan: dibanding bulan sebelumnya.',
    'Nat. rank: national rank among {n} regencies. Change: against the previous month.'],
  'rank.empty': ['Tidak ada kabupaten dengan skor di wilayah Anda', 'No scored regency in your region'],
  'rank.scope_nat': ['Nasional', 'National'],
  'rank.scope': ['Wilayah', 'Region'],
  'tools.empty': ['Peran Anda tidak memakai alat di sini. Brief kanwil: kepala kanwil. Perencana operasi gabungan: petugas intelijen. Perencana desa binaan: perencana dan kepala kanwil.',
    'Your role has no tools here. Kanwil brief: kanwil heads. Joint-operation planner: intel officers. Desa binaan site planner: planners and kanwil heads.'],
  'status.loading': ['Memuat…', 'Loading…'],
  'status.tiles_failed': ['Sebagian ubin peta gagal dimuat', 'Some map tiles failed to load'],
  'status.server': ['Server tidak dapat dihubungi', 'The server cannot be reached'],
  'status.forbidden': ['Di luar wilayah akses Anda', 'Outside your access region'],
  'status.retry': ['Coba lagi', 'Retry'],
  'login.title': ['Sesi berakhir', 'Session ended'],
  'login.required': ['Sesi berakhir: silakan masuk kembali', 'Session ended: please sign in again'],
  'role.admin': ['Admin', 'Admin'],
  'role.kanwil_head': ['Kepala Kanwil', 'Regional office head'],
  'role.intel_officer': ['Petugas intelijen', 'Intelligence officer'],
  'role.planner': ['Perencana', 'Planner'],
  'role.partner': ['Mitra', 'Partner'],
  'login.body': ['Silakan masuk kembali untuk melihat peta.', 'Please sign in again to see the map.'],
  'login.button': ['Masuk', 'Sign in'],
  'info.close': ['Tutup', 'Close'],
} as const satisfies Record<string, readonly [string, string]>;

export type Key = keyof typeof dict;

/** I18n holds the current language and notifies listeners on a switch. */
export class I18n {
  lang: Lang;
  private listeners: Array<() => void> = [];

  constructor(initial: Lang) {
    this.lang = initial;
  }

  t(key: Key): string {
    return dict[key][this.lang === 'id' ? 0 : 1];
  }

  /** Looks up a key built at run time (e.g. 'port.' + kind); falls back to the raw text. */
  tr(key: string): string {
    const e = (dict as Record<string, readonly [string, string]>)[key];
    return e ? e[this.lang === 'id' ? 0 : 1] : key;
  }

  set(lang: Lang): void {
    if (lang === this.lang) return;
    this.lang = lang;
    this.apply(document);
    for (const l of this.listeners) l();
  }

  onChange(fn: () => void): void {
    this.listeners.push(fn);
  }

  /** Fills every data-i18n element under root. */
  apply(root: ParentNode): void {
    document.documentElement.lang = this.lang;
    root.querySelectorAll<HTMLElement>('[data-i18n]').forEach((el) => {
      el.textContent = this.tr(el.dataset.i18n!);
    });
    root.querySelectorAll<HTMLInputElement>('[data-i18n-placeholder]').forEach((el) => {
      el.placeholder = this.tr(el.dataset.i18nPlaceholder!);
    });
  }

  /** Number formatting in the language's convention (1.234,5 vs 1,234.5). */
  num(v: number | null | undefined, digits = 2): string {
    if (v === null || v === undefined || !Number.isFinite(v)) return '–';
    // Large scores need no decimals: 996 rather than 996,01.
    if (Math.abs(v) >= 100) digits = 0;
    else if (Math.abs(v) >= 10) digits = Math.min(digits, 1);
    return v.toLocaleString(this.lang === 'id' ? 'id-ID' : 'en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  /** "2026-10-01" -> "Okt 2026" / "Oct 2026": geo/present's MonthShort (a fixed table: ICU writes "Sept"). */
  month(iso: string): string {
    const [y, m] = iso.split('-').map(Number);
    const id = ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'];
    const en = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    if (!y || !m || m < 1 || m > 12) return iso;
    return `${(this.lang === 'id' ? id : en)[m - 1]} ${y}`;
  }
}
