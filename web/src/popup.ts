// Popups for the point layers: a click on a port, worksite, desa binaan,
// incident or resident opens that point, not the hexagon under it. The tiles
// already carry only what the user's role may see (single persons only with
// personal-data rights), so a popup shows every field it receives.
import maplibregl from 'maplibre-gl';
import type { App } from './main';

/** Point layers, topmost first. */
export const POINT_LAYERS = ['residents-single', 'incidents-single', 'residents', 'incidents', 'informal', 'ports', 'worksites', 'desa-binaan'];

const PERMITS: Record<string, [string, string]> = {
  ITAS: ['KITAS (izin tinggal terbatas)', 'KITAS (limited stay permit)'],
  ITAP: ['KITAP (izin tinggal tetap)', 'KITAP (permanent stay permit)'],
  VISIT: ['Visa kunjungan', 'Visit visa'],
  VOA: ['Visa kunjungan saat kedatangan', 'Visa on arrival'],
  OTHER: ['Izin lain', 'Other permit'],
};

type Props = Record<string, unknown>;

function rows(app: App, layer: string, p: Props): [string, Array<[string, string]>] {
  const t = app.i18n;
  const en = t.lang === 'en';
  const L = (id: string, e: string) => (en ? e : id);
  const n = (v: unknown) => t.num(Number(v), 0);
  const day = (v: unknown) => (typeof v === 'string' && v ? v.split('-').reverse().join('/') : '–');
  switch (layer) {
    case 'ports':
    case 'informal':
      return [String(p.name ?? ''), [[L('Jenis', 'Kind'), t.tr(`port.${p.kind}`)], ...(p.category ? [[L('Kategori', 'Category'), String(p.category)] as [string, string]] : [])]];
    case 'worksites':
      return [String(p.name ?? ''), [[L('Perusahaan', 'Company'), String(p.company ?? '–')], [L('Sektor', 'Sector'), String(p.sector ?? '–')],
        [L('TKA', 'Foreign workers'), `${n(p.foreign_workers)} ${L('orang', 'people')}`], [L('Pekerja lokal', 'Local workers'), `${n(p.local_workers)} ${L('orang', 'people')}`]]];
    case 'desa-binaan':
      return [String(p.name ?? ''), [[L('Desa binaan sejak', 'Desa binaan since'), day(p.established_on)]]];
    case 'incidents':
      return [L('Kejadian di sekitar sini', 'Incidents around here'), [[L('Jumlah', 'Count'), `${n(p.count)} ${L('kasus', 'cases')}`],
        ...(p.tppo !== undefined ? [['TPPO', n(p.tppo)], ['PMI', n(p.pmi)]] as Array<[string, string]> : [])]];
    case 'incidents-single':
      return [L('Kejadian', 'Incident') + ` ${String(p.kind ?? '').toUpperCase()}`, [[L('Tanggal', 'Date'), day(p.occurred_on)],
        [L('Korban', 'Victims'), `${n(p.victims)} ${L('orang', 'people')}`]]];
    case 'residents':
      return [L('WNA di sekitar sini', 'Foreigners around here'), [[L('Jumlah', 'Count'), `${n(p.count)} ${L('orang', 'people')}`],
        ...(p.overstay !== undefined ? [[L('Melewati izin tinggal', 'Overstaying'), n(p.overstay)], [L('Tamu hotel', 'Hotel guests'), n(p.hotel)]] as Array<[string, string]> : [])]];
    case 'residents-single': {
      const permit = PERMITS[String(p.permit_type)];
      return [L('WNA', 'Foreign resident') + ` · ${String(p.nationality ?? '')}`, [
        [L('Izin', 'Permit'), permit ? permit[en ? 1 : 0] : String(p.permit_type ?? '–')],
        [L('Berlaku s.d.', 'Valid until'), day(p.permit_expiry)],
        [L('Melewati izin tinggal', 'Overstaying'), p.overstay ? L('ya', 'yes') : L('tidak', 'no')],
        ...(p.hotel_name ? [[L('Hotel', 'Hotel'), String(p.hotel_name)]] as Array<[string, string]> : [])]];
    }
  }
  return ['', []];
}

export function showPointPopup(app: App, layer: string, lngLat: maplibregl.LngLatLike, p: Props): void {
  const [title, list] = rows(app, layer, p);
  const box = document.createElement('div');
  box.className = 'point-popup';
  box.dataset.testid = 'point-popup';
  const h = document.createElement('strong');
  h.textContent = title;
  const dl = document.createElement('dl');
  for (const [k, v] of list) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = v;
    dl.append(dt, dd);
  }
  box.append(h, dl);
  new maplibregl.Popup({ closeButton: true, maxWidth: '280px' }).setLngLat(lngLat).setDOMContent(box).addTo(app.map);
}
