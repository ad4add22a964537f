import { h, table, card, section, toast, problem, later, paged } from '../dom.js';
import { LABELS, label, when, money, num } from '../labels.js';
import { route, go, deviceLink, rerender } from '../router.js';
import { session, main, may, FM, UM, TECH, AUD } from '../session.js';
import { ApiError } from '../api.js';

// ---------------------------------------------------------------- map

let leafletMap = null;

export async function map({ params }) {
  const unit = params.get('unit') || session.user.unit || '';
  const maxAge = params.get('age') || '';
  if (leafletMap) {
    leafletMap.remove();
    leafletMap = null;
  }
  const form = h('form.filters', { onsubmit: e => {
    e.preventDefault();
    const f = new FormData(e.target);
    go('map', { unit: f.get('unit').trim().toUpperCase(), age: f.get('age') });
  } },
  h('label', 'Unité ', h('input', { name: 'unit', value: unit, required: true, size: 24, placeholder: 'GN-RBRE-GGD35' })),
  h('label', 'Positions de moins de ', h('input', { name: 'age', type: 'number', min: 1, value: maxAge, size: 6, placeholder: 'tout âge' }), ' min'),
  h('button', { type: 'submit' }, 'Afficher'));
  const out = [h('h1', 'Dernières positions'), h('p.muted', 'Chaque lecture de position ici est tracée dans le journal des accès.'), form];
  if (!unit) {
    out.push(h('p.muted', 'Choisissez une unité.'));
    return out;
  }
  const p = await session.api.get(`units/${encodeURIComponent(unit)}/device-positions`, { max_age_minutes: maxAge });
  const placed = (p.states || []).filter(s => s.reading && s.reading.latitude !== undefined);
  const mapBox = h('div.map', { id: 'map', role: 'application', 'aria-label': `Carte de ${unit}` });
  out.push(h('p', { 'data-positions': placed.length }, `${placed.length} équipement(s) positionné(s) sur ${num(p.devicesInUnit)} dans ${unit} et ses unités subordonnées`),
    mapBox, table(['IMEI', 'Position', 'Précision', 'Relevée le'], placed.map(s => h('tr', h('td', deviceLink(s.imei)),
      h('td', `${s.reading.latitude.toFixed(5)}, ${s.reading.longitude.toFixed(5)}`),
      h('td', s.reading.accuracyM === undefined ? '—' : `${Math.round(s.reading.accuracyM)} m`), h('td', when(s.positionTime))))));
  requestAnimationFrame(() => {
    const L = window.L;
    leafletMap = L.map(mapBox, { attributionControl: true });
    L.control.scale({ imperial: false }).addTo(leafletMap);
    if (session.config.tileUrl) {
      L.tileLayer(session.config.tileUrl, { attribution: session.config.tileAttribution, maxZoom: 19 }).addTo(leafletMap);
    } else {
      mapBox.classList.add('no-tiles');
      leafletMap.attributionControl.addAttribution('Aucun serveur de tuiles configuré (NEOGEND_CONSOLE_TILE_URL)');
    }
    const points = placed.map(s => [s.reading.latitude, s.reading.longitude]);
    placed.forEach(s => L.circleMarker([s.reading.latitude, s.reading.longitude], { radius: 7, weight: 2 })
      .bindTooltip(s.imei).on('click', () => { location.hash = `#/devices/${s.imei}`; }).addTo(leafletMap));
    if (points.length) {
      leafletMap.fitBounds(points, { padding: [40, 40], maxZoom: 14 });
    } else {
      leafletMap.setView([46.6, 2.4], 5);
    }
  });
  return out;
}
