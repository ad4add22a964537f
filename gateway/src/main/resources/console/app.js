// The NéoGEND fleet console: a single page over the gateway's REST API. Every figure shown is the
// API's answer to the signed-in user's token; actions a role may not take are not offered (and the
// API refuses them anyway). The DOM is built with createElement/textContent only (no HTML strings).

import { Auth } from './auth.js';
import { Api, ApiError } from './api.js';

const FM = 'fleet-manager', UM = 'unit-manager', TECH = 'technician', AUD = 'auditor';
const SECTIONS = [
  { id: 'overview', title: 'Flotte', roles: [FM, UM, TECH, AUD], render: overview },
  { id: 'compliance', title: 'Conformité', roles: [FM, UM, TECH, AUD], render: compliance },
  { id: 'map', title: 'Carte', roles: [FM, UM], render: map },
  { id: 'orders', title: 'Marché et commandes', roles: [FM, AUD], render: orders },
  { id: 'workshop', title: 'Stocks et réparations', roles: [FM, TECH, AUD], render: workshop },
  { id: 'training', title: 'Formation', roles: [FM, TECH, AUD], render: training },
];

let auth, api, user;
const main = document.getElementById('main');

// ---------------------------------------------------------------- DOM helpers

/** h('tag.class', {attr: value, onclick: fn}, children…) — text children become text nodes. */
function h(spec, attrs, ...children) {
  const [tag, ...classes] = spec.split('.');
  const el = document.createElement(tag);
  classes.forEach(c => el.classList.add(c));
  if (attrs === null || attrs === undefined || typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs); // a child (text, number, node, list), not attributes
    attrs = {};
  }
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (v === undefined || v === null || v === false) {
      return;
    }
    if (k.startsWith('on')) {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'value') {
      el.value = v;
    } else {
      el.setAttribute(k, v === true ? '' : v);
    }
  });
  children.flat(Infinity).forEach(c => {
    if (c !== null && c !== undefined && c !== false) {
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
  });
  return el;
}

const LABELS = {
  DEVICE_STATE_IN_STOCK: 'En stock', DEVICE_STATE_ASSIGNED: 'Affecté', DEVICE_STATE_IN_REPAIR: 'En réparation',
  DEVICE_STATE_LOST: 'Perdu', DEVICE_STATE_STOLEN: 'Volé', DEVICE_STATE_PENDING_RETURN: 'À restituer',
  DEVICE_STATE_RETURNED: 'Restitué',
  PACK_TYPE_SMARTPHONE_INDIVIDUAL: 'Smartphone individuel', PACK_TYPE_TABLET_INDIVIDUAL: 'Tablette individuelle',
  PACK_TYPE_TABLET_COLLECTIVE: 'Tablette collective', SMARTPHONE_INDIVIDUAL: 'Smartphone individuel',
  TABLET_INDIVIDUAL: 'Tablette individuelle', TABLET_COLLECTIVE: 'Tablette collective',
  DEVICE_KIND_PHONE: 'Téléphone', DEVICE_KIND_TABLET: 'Tablette',
  ORDER_STATE_DRAFT: 'Brouillon', ORDER_STATE_SUBMITTED: 'Soumis', ORDER_STATE_APPROVED: 'Approuvé',
  ORDER_STATE_SENT: 'Envoyé', ORDER_STATE_ACKNOWLEDGED: 'Accusé de réception', ORDER_STATE_PARTIALLY_DELIVERED: 'Livré en partie',
  ORDER_STATE_DELIVERED: 'Livré', ORDER_STATE_CLOSED: 'Clos', ORDER_STATE_CANCELLED: 'Annulé', ORDER_STATE_REJECTED: 'Rejeté',
  REPAIR_STATE_OPEN: 'Ouverte', REPAIR_STATE_REPAIRED: 'Réparée', REPAIR_STATE_FAILED: 'Irréparable',
  ITEM_KIND_PACK_LEASE: 'Location de pack', ITEM_KIND_ACCESSORY: 'Accessoire', ITEM_KIND_SPARE_PART: 'Pièce détachée',
  ITEM_KIND_TRAINING_DAY: 'Journée de formation',
  NETWORK_TYPE_NONE: 'Aucun', NETWORK_TYPE_WIFI: 'Wi-Fi', NETWORK_TYPE_2G: '2G', NETWORK_TYPE_3G: '3G', NETWORK_TYPE_4G: '4G',
  NETWORK_TYPE_5G: '5G',
  // a remote command's progress
  QUEUED: 'En file', DELIVERED: 'Remise à l’équipement', ACKNOWLEDGED: 'Exécutée',
  // a technician's place in a session
  ENROLLED: 'Inscrit', WAITLISTED: 'En liste d’attente', WITHDRAWN: 'Désisté', PASSED: 'Reçu', FAILED: 'Ajourné',
  ABSENT: 'Absent',
};

/** The French label of an API enum value (or of a bare value), else the value made readable. */
function label(value, prefix) {
  if (!value) {
    return '—';
  }
  if (LABELS[value]) {
    return LABELS[value];
  }
  const text = String(value).replace(prefix, '').toLowerCase().replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString('fr-FR', { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}

/** A decimal amount as the API sends it ("12500000.00"), written the French way, digits unchanged. */
function money(text) {
  if (text === undefined || text === null || text === '') {
    return '—';
  }
  const [whole, cents] = String(text).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return `${sign}${digits}${cents === undefined ? '' : `,${cents}`}`;
}

function num(n) {
  return Number(n || 0).toLocaleString('fr-FR');
}

function table(headers, rows, attrs) {
  return h('div.scroll', h('table', attrs || {},
    h('thead', h('tr', headers.map(x => h('th', x)))),
    h('tbody', rows.length ? rows : h('tr', h('td.muted', { colspan: headers.length }, 'Rien à afficher.')))));
}

function card(title, value, attrs) {
  return h('div.card', attrs || {}, h('div.card-title', title), h('div.card-value', value));
}

function section(title, ...body) {
  return h('section.panel', h('h2', title), ...body);
}

function toast(text, kind) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.className = kind || 'ok';
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.className = ''; t.textContent = ''; }, 6000);
}

function problem(e) {
  return h('p.error', { role: 'alert' }, e instanceof ApiError ? e.message : `Erreur : ${e.message}`);
}

/** A placeholder filled by an async loader; a failure shows the API's problem in place. */
function later(load) {
  const box = h('div.later', h('p.muted', 'Chargement…'));
  Promise.resolve().then(load).then(content => box.replaceChildren(...[content].flat(Infinity).filter(c => c !== null && c !== undefined)))
    .catch(e => box.replaceChildren(problem(e)));
  return box;
}

/**
 * A paginated list: fetch(pageToken) returns {rows, next}; Previous/Next walk the API's page tokens.
 */
function paged(headers, fetchPage, attrs) {
  const box = h('div.paged', attrs || {});
  const tokens = [''];
  let index = 0;
  async function show() {
    box.replaceChildren(h('p.muted', 'Chargement…'));
    try {
      const { rows, next } = await fetchPage(tokens[index]);
      tokens.length = index + 1;
      if (next) {
        tokens.push(next);
      }
      box.replaceChildren(table(headers, rows), h('div.pager',
        h('button', { type: 'button', disabled: index === 0, onclick: () => { index--; show(); } }, '‹ Précédent'),
        h('span.muted', `Page ${index + 1}`),
        h('button', { type: 'button', 'data-next-page': true, disabled: !next, onclick: () => { index++; show(); } }, 'Suivant ›')));
    } catch (e) {
      box.replaceChildren(problem(e));
    }
  }
  show();
  return box;
}

function route() {
  const [path, query] = (location.hash || '#/overview').slice(2).split('?');
  return { parts: path.split('/').map(decodeURIComponent), params: new URLSearchParams(query || '') };
}

function go(path, params) {
  const q = new URLSearchParams(Object.entries(params || {}).filter(([, v]) => v)).toString();
  location.hash = `#/${path}${q ? `?${q}` : ''}`;
}

function may(...roles) {
  return roles.some(r => user.has(r));
}

function deviceLink(imei) {
  return h('a', { href: `#/devices/${encodeURIComponent(imei)}` }, imei);
}

// ---------------------------------------------------------------- fleet overview

function unitTree(selected) {
  const tree = h('ul.tree', { 'aria-label': 'Unités' });
  async function children(parent, into) {
    let token = '';
    do {
      const page = await api.get('units', { parent_code: parent, page_size: 200, page_token: token });
      (page.units || []).forEach(u => into.append(node(u)));
      token = page.nextPageToken;
    } while (token);
  }
  function node(u) {
    const sub = h('ul');
    let open = false;
    const toggle = h('button.twisty', { type: 'button', 'aria-expanded': 'false', title: `Unités subordonnées de ${u.code}`,
      onclick: async () => {
        open = !open;
        toggle.setAttribute('aria-expanded', String(open));
        toggle.textContent = open ? '▾' : '▸';
        sub.replaceChildren();
        if (open) {
          await children(u.code, sub).catch(e => sub.append(h('li', problem(e))));
          if (!sub.children.length) {
            sub.append(h('li.muted', 'no sub-unit'));
          }
        }
      } }, '▸');
    const link = h('a', { href: `#/overview?unit=${encodeURIComponent(u.code)}`, 'data-unit': u.code,
      class: u.code === selected ? 'current' : null, title: u.name }, u.code);
    return h('li', toggle, link, h('span.muted.unit-name', ` ${u.name}`), sub);
  }
  children('', tree).catch(e => tree.append(h('li', problem(e))));
  return tree;
}

async function overview({ params }) {
  const unit = params.get('unit') || '';
  const state = params.get('state') || '';
  const pack = params.get('pack') || '';
  const counts = await api.get('devices:count', { unit_code: unit });
  const scope = unit ? `Unité ${unit} et ses unités subordonnées` : 'Tous les équipements que vous pouvez voir';
  const byState = (counts.byState || []).map(s => h('tr',
    h('td', h('a', { href: `#/overview?${new URLSearchParams({ unit, state: s.state, pack })}` }, label(s.state, 'DEVICE_STATE_'))),
    h('td.n', { 'data-count-state': s.state }, num(s.count))));
  const byPack = (counts.byPackType || []).map(p => ({ ...p, packType: p.packType || 'PACK_TYPE_UNSPECIFIED' })).map(p => h('tr',
    h('td', p.packType === 'PACK_TYPE_UNSPECIFIED' ? 'Sans type de pack' :
      h('a', { href: `#/overview?${new URLSearchParams({ unit, state, pack: p.packType })}` }, label(p.packType, 'PACK_TYPE_'))),
    h('td.n', { 'data-count-pack': p.packType }, num(p.count))));
  const byUnit = (counts.byUnit || []).map(u => h('tr',
    h('td', u.unitCode ? h('a', { href: `#/overview?unit=${encodeURIComponent(u.unitCode)}` }, u.unitCode) : 'Stock central'),
    h('td.n', { 'data-count-unit': u.unitCode || 'central' }, num(u.count))));
  const filters = h('form.filters', { onsubmit: e => {
    e.preventDefault();
    const f = new FormData(e.target);
    go('overview', { unit, state: f.get('state'), pack: f.get('pack') });
  } },
  h('label', 'État ', h('select', { name: 'state' }, h('option', { value: '' }, 'tous'),
    ['IN_STOCK', 'ASSIGNED', 'IN_REPAIR', 'LOST', 'STOLEN', 'PENDING_RETURN', 'RETURNED'].map(s =>
      h('option', { value: `DEVICE_STATE_${s}`, selected: state === `DEVICE_STATE_${s}` }, label(`DEVICE_STATE_${s}`))))),
  h('label', 'Type de pack ', h('select', { name: 'pack' }, h('option', { value: '' }, 'tous'),
    ['SMARTPHONE_INDIVIDUAL', 'TABLET_INDIVIDUAL', 'TABLET_COLLECTIVE'].map(p =>
      h('option', { value: `PACK_TYPE_${p}`, selected: pack === `PACK_TYPE_${p}` }, label(`PACK_TYPE_${p}`))))),
  h('button', { type: 'submit' }, 'Filtrer'));
  const devices = paged(['IMEI', 'Modèle', 'État', 'Type de pack', 'Unité', 'Détenteur'], async token => {
    const page = await api.get('devices', { unit_code: unit, state, pack_type: pack, page_size: 20, page_token: token });
    return {
      next: page.nextPageToken,
      rows: (page.devices || []).map(d => h('tr', h('td', deviceLink(d.imei)), h('td', d.model),
        h('td', h('span', { class: `state ${d.state}` }, label(d.state, 'DEVICE_STATE_'))), h('td', label(d.packType, 'PACK_TYPE_')),
        h('td', d.unitCode || 'stock central'), h('td', d.holderAgentId || '—'))),
    };
  }, { 'data-list': 'devices' });
  return h('div.split',
    h('aside.side', h('h2', 'Unités'), h('p', h('a', { href: '#/overview', class: unit ? null : 'current' }, 'Tout')), unitTree(unit)),
    h('div.content',
      h('h1', 'Vue d’ensemble de la flotte'), h('p.muted', scope),
      h('div.cards', card('Équipements', num(counts.total), { 'data-total': counts.total || 0 })),
      h('div.grid3', section('Par état', table(['État', 'Équipements'], byState)),
        section('Par type de pack', table(['Type de pack', 'Équipements'], byPack)),
        section('Par unité détentrice', table(['Unité', 'Équipements'], byUnit))),
      section('Équipements', filters, devices)));
}

// ---------------------------------------------------------------- one device

async function device({ parts }) {
  const imei = parts[1];
  const d = (await api.get(`devices/${encodeURIComponent(imei)}`));
  // [stable id for tests and scripts, label, value]
  const rows = [['IMEI', 'IMEI', d.imei], ['Serial number', 'Numéro de série', d.serialNumber], ['Model', 'Modèle', d.model],
    ['Kind', 'Nature', label(d.kind, 'DEVICE_KIND_')], ['State', 'État', label(d.state, 'DEVICE_STATE_')],
    ['Pack type', 'Type de pack', label(d.packType, 'PACK_TYPE_')], ['Pack', 'Pack', d.packId || '—'],
    ['Unit', 'Unité', d.unitCode || 'stock central'], ['Holder', 'Détenteur', d.holderAgentId || '—'],
    ['ROM build', 'Version de ROM', d.romBuild || '—'], ['Police report', 'Procès-verbal', d.policeReportReference || '—'],
    ['Updated', 'Mis à jour', when(d.updateTime)]];
  const details = h('dl.details', rows.flatMap(([id, k, v]) => [h('dt', k), h('dd', { 'data-field': id }, v)]));
  const actions = h('div.actions');
  const canDeclare = may(FM, UM) && !['DEVICE_STATE_LOST', 'DEVICE_STATE_STOLEN', 'DEVICE_STATE_RETURNED'].includes(d.state);
  if (canDeclare) {
    const form = h('form.inline', { 'data-action': 'declare-loss', onsubmit: async e => {
      e.preventDefault();
      const f = new FormData(e.target);
      const kind = f.get('kind');
      if (!confirm(`Déclarer ${d.imei} ${kind === 'LOSS_KIND_STOLEN' ? 'VOLÉ' : 'PERDU'} ? Ses accès sont révoqués et l’équipement verrouillé${kind === 'LOSS_KIND_STOLEN' ? ' puis effacé' : ''}.`)) {
        return;
      }
      try {
        await api.post(`devices/${encodeURIComponent(d.imei)}:declareLoss`, {
          kind, policeReportReference: f.get('report'), expectedVersion: d.version });
        toast(`${d.imei} déclaré ${kind === 'LOSS_KIND_STOLEN' ? 'volé : LOCK et WIPE en file' : 'perdu : LOCK en file'}`);
        render();
      } catch (err) {
        toast(err.message, 'error');
      }
    } },
    h('label', 'Déclarer ', h('select', { name: 'kind' }, h('option', { value: 'LOSS_KIND_STOLEN' }, 'volé'), h('option', { value: 'LOSS_KIND_LOST' }, 'perdu'))),
    h('label', 'Procès-verbal ', h('input', { name: 'report', required: true, placeholder: 'PV 2026/001234', maxlength: 64 })),
    h('button.danger', { type: 'submit' }, 'Déclarer'));
    actions.append(form);
  }
  const parts2 = [h('p', h('a', { href: `#/overview?unit=${encodeURIComponent(d.unitCode || '')}` }, '‹ Flotte')),
    h('h1', `Équipement ${d.imei}`), h('div.grid2', section('Détails', details, actions),
      may(FM, UM) ? section('Dernier relevé', later(async () => {
        try {
          const s = await api.get(`devices/${encodeURIComponent(d.imei)}/state`);
          const r = s.reading || {};
          return h('dl.details', [['Dernier envoi reçu', when(s.receiveTime)], ['Relevé du', when(r.recordedAt)],
            ['Batterie', r.batteryPercent === undefined ? '—' : `${r.batteryPercent} %`],
            ['Niveau de correctifs', r.securityPatchLevel ? `${r.securityPatchLevel} (déclaré le ${when(s.softwareTime)})` : '—'],
            ['Réseau', label(r.network, 'NETWORK_TYPE_')],
            ['Position', r.latitude === undefined ? '—' : `${r.latitude.toFixed(5)}, ${r.longitude.toFixed(5)} (relevée le ${when(s.positionTime)})`]]
            .flatMap(([k, v]) => [h('dt', k), h('dd', v)]));
        } catch (e) {
          if (e.status === 404) {
            return h('p.muted', 'L’équipement n’a encore rien transmis.');
          }
          throw e;
        }
      })) : null),
    section('Commandes à distance', commands(d)),
    section('Historique', paged(['Quand', 'Quoi', 'Qui'], async token => {
      const p = await api.get(`devices/${encodeURIComponent(d.imei)}/history`, { page_size: 10, page_token: token });
      return { next: p.nextPageToken, rows: (p.entries || []).map(x => h('tr', h('td', when(x.time)), h('td', x.action), h('td', x.actor))) };
    }))];
  return parts2;
}

/**
 * The device's remote commands. Declaring a loss queues LOCK (and WIPE) through inventory's outbox, a
 * moment after the answer: while one is missing the list is read again every second (20 s at most).
 */
function commands(d) {
  const box = h('div.later', h('p.muted', 'Chargement…'));
  const expected = d.state === 'DEVICE_STATE_STOLEN' ? ['LOCK', 'WIPE'] : d.state === 'DEVICE_STATE_LOST' ? ['LOCK'] : [];
  let tries = 0;
  async function load() {
    try {
      const list = (await api.get(`devices/${encodeURIComponent(d.imei)}/commands`)).commands || [];
      const missing = expected.filter(x => !list.some(c => c.command === x));
      box.replaceChildren(table(['Commande', 'Statut', 'Mise en file'], list.map(x => h('tr', { 'data-command': x.command },
        h('td', x.command), h('td', label(x.status)), h('td', when(x.queueTime))))),
      ...(missing.length ? [h('p.muted', `En attente de la mise en file de ${missing.join(' et ')}…`)] : []));
      tries++;
      if (missing.length && tries < 20 && (tries < 2 || box.isConnected)) {
        setTimeout(load, 1000);
      }
    } catch (e) {
      box.replaceChildren(problem(e));
    }
  }
  load();
  return box;
}

// ---------------------------------------------------------------- compliance

async function compliance({ params }) {
  const unit = params.get('unit') || user.unit || '';
  const hours = params.get('hours') || '24';
  const out = [h('h1', 'Conformité des correctifs et équipements silencieux')];
  if (may(FM, TECH, AUD)) {
    out.push(section(may(FM, AUD) ? 'Par modèle (toute la flotte)' : 'Par modèle (votre périmètre)', later(async () => {
      const c = await api.get('compliance');
      return [table(['Modèle', 'Niveau approuvé', 'Équipements', 'Remontant', 'En dessous', 'Écart max (jours)', 'Écart moyen (jours)', 'Délai fournisseur (jours)'],
        (c.models || []).map(m => h('tr', { 'data-model': m.model, 'data-non-compliant': m.nonCompliant || 0 }, h('td', m.model), h('td', m.approvedPatchLevel || 'aucun approuvé'),
          h('td.n', num(m.devices)), h('td.n', num(m.reporting)),
          h('td.n', { class: Number(m.nonCompliant) > 0 ? 'n bad' : 'n' }, num(m.nonCompliant)), h('td.n', num(m.maxGapDays)),
          h('td.n', num(m.averageGapDays)), h('td.n', num(m.supplierDelayDays))))),
      h('p.muted', `Dont équipements sur une version qu’aucune livraison ne nomme (comptés dans leur modèle) : ${num(c.unknownBuildDevices)}`)];
    })));
  }
  const unitForm = h('form.filters', { onsubmit: e => { e.preventDefault(); go('compliance', { unit: new FormData(e.target).get('unit').trim().toUpperCase(), hours }); } },
    h('label', 'Unité ', h('input', { name: 'unit', value: unit, required: true, placeholder: 'GN-RBRE-GGD35', size: 24 })),
    h('button', { type: 'submit' }, 'Afficher'));
  out.push(section(unit ? `Par unité et modèle — ${unit}` : 'Par unité et modèle', unitForm, unit ? later(async () => {
    const c = await api.get(`units/${encodeURIComponent(unit)}/compliance`);
    return table(['Unité', 'Modèle', 'Équipements', 'Remontant', 'Sous le niveau approuvé', 'Écart max (jours)', 'Niveau approuvé', 'Équipements en retard (plus gros écart d’abord)'],
      (c.lines || []).map(l => h('tr', h('td', l.unitCode), h('td', l.model), h('td.n', num(l.devices)), h('td.n', num(l.reporting)),
        h('td.n', { class: Number(l.nonCompliant) > 0 ? 'n bad' : 'n' }, num(l.nonCompliant)), h('td.n', num(l.maxGapDays)),
        h('td', l.approvedPatchLevel || 'aucun approuvé'), h('td', (l.nonCompliantImeis || []).slice(0, 5).map(i => [deviceLink(i), ' ']),
          (l.nonCompliantImeis || []).length > 5 ? `+${l.nonCompliantImeis.length - 5}` : ''))));
  }) : h('p.muted', 'Choisissez une unité.')));
  if (may(FM, TECH, AUD)) {
    const silentForm = h('form.filters', { onsubmit: e => { e.preventDefault(); go('compliance', { unit, hours: new FormData(e.target).get('hours') }); } },
      h('label', 'Silencieux depuis plus de ', h('input', { name: 'hours', type: 'number', min: 1, max: 8760, value: hours, size: 5 }), ' heures'),
      h('button', { type: 'submit' }, 'Afficher'));
    out.push(section('Équipements silencieux', silentForm, later(async () => {
      const s = await api.get('device-states:silent', { hours, page_size: 200 });
      return [h('p', { 'data-silent-total': s.total || 0 }, `${num(s.total)} équipement(s) silencieux depuis plus de ${hours} h`,
        Number(s.total) > (s.devices || []).length ? ` (les ${(s.devices || []).length} premiers affichés)` : ''),
      table(['Unité', 'Silencieux'], (s.byUnit || []).map(u => h('tr', h('td', u.unitCode || 'stock central'), h('td.n', num(u.count))))),
      table(['IMEI', 'Modèle', 'Unité', 'Dernier relevé reçu'], (s.devices || []).map(x => h('tr', h('td', deviceLink(x.imei)), h('td', x.model || ''),
        h('td', x.unitCode || 'stock central'), h('td', x.neverReported ? `jamais (enrôlé ${when(x.enrolTime)})` : when(x.lastReceiveTime)))))];
    })));
  }
  return out;
}

// ---------------------------------------------------------------- map

let leafletMap = null;

async function map({ params }) {
  const unit = params.get('unit') || user.unit || '';
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
  const p = await api.get(`units/${encodeURIComponent(unit)}/device-positions`, { max_age_minutes: maxAge });
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
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(leafletMap);
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

// ---------------------------------------------------------------- agreement, orders, statements

async function orders({ params }) {
  const agreements = (await api.get('agreements', { page_size: 100 })).agreements || [];
  if (!agreements.length) {
    return [h('h1', 'Marché et commandes'), h('p.muted', 'Aucun accord-cadre n’est enregistré.')];
  }
  const id = params.get('agreement') || agreements[0].id;
  const state = params.get('state') || '';
  const today = new Date();
  const year = Number(params.get('year') || today.getFullYear());
  const month = Number(params.get('month') || today.getMonth() + 1);
  const keep = { agreement: id, state, year, month };
  const chooser = h('form.filters', { onchange: e => go('orders', { ...keep, agreement: e.target.value }) },
    h('label', 'Accord-cadre ', h('select', { name: 'agreement' }, agreements.map(a => h('option', { value: a.id, selected: a.id === id }, `${a.id} — ${a.title}`)))));
  const consumption = later(async () => {
    const c = await api.get(`agreements/${encodeURIComponent(id)}/consumption`);
    return [h('div.cards',
      card('Packs commandés', num(c.packsOrdered), { 'data-consumption': 'packsOrdered' }),
      card('Maximum', num(c.maxPacks)), card('Marge restante', num(c.headroom), { 'data-consumption': 'headroom' }),
      card('Minimum', num(c.minPacks)), card('Prévision à l’échéance', num(c.forecastPacks)),
      card('Manque prévu au minimum', num(c.forecastShortfall), { class: Number(c.forecastShortfall) > 0 ? 'card warn' : 'card' }),
      card('Packs reçus', num(c.packsReceived)), card('Reçus par transfert', num(c.packsTransferredIn || '0'), { 'data-consumption': 'packsTransferredIn' }),
      card('Facturé (€ HT)', money(c.amountInvoiced || '0'))),
    table(['Type de pack', 'Commandés'], (c.byPackType || []).map(p => h('tr', h('td', label(p.packType, 'PACK_TYPE_')), h('td.n', num(p.packsOrdered))))),
    table(['Exercice', 'Enveloppe (€)', 'Engagé', 'Disponible', 'Facturé'], (c.byFiscalYear || []).map(y => h('tr',
      h('td', y.fiscalYear), h('td.n', money(y.budget)), h('td.n', money(y.committed)),
      h('td.n', { class: String(y.remaining).startsWith('-') ? 'n bad' : 'n' }, money(y.remaining)), h('td.n', money(y.invoiced)))))];
  });
  const stateFilter = h('form.filters', { onchange: e => go('orders', { ...keep, state: e.target.value }) },
    h('label', 'État ', h('select', { name: 'state' }, h('option', { value: '' }, 'tous'),
      ['DRAFT', 'SUBMITTED', 'APPROVED', 'SENT', 'ACKNOWLEDGED', 'PARTIALLY_DELIVERED', 'DELIVERED', 'CLOSED', 'CANCELLED', 'REJECTED']
        .map(s => h('option', { value: `ORDER_STATE_${s}`, selected: state === `ORDER_STATE_${s}` }, label(`ORDER_STATE_${s}`))))));
  const orderAction = (o, verb, text) => h('button', { type: 'button', 'data-order-action': verb, onclick: async () => {
    try {
      const body = { expectedVersion: o.version };
      if (verb === 'cancel') {
        const reason = prompt(`Motif de l’annulation de ${o.number} ?`);
        if (!reason) {
          return;
        }
        body.reason = reason;
      }
      const r = await api.post(`purchase-orders/${encodeURIComponent(o.number)}:${verb}`, body);
      toast(`${o.number}: ${label(r.state, 'ORDER_STATE_')}`);
      render();
    } catch (e) {
      toast(e.message, 'error');
    }
  } }, text);
  const list = paged(['Numéro', 'État', 'Packs', 'Montant (€ HT)', 'Site de livraison', 'Date souhaitée', 'Créé le', ''], async token => {
    const p = await api.get('purchase-orders', { agreement_id: id, state, page_size: 20, page_token: token });
    return {
      next: p.nextPageToken,
      rows: (p.items || []).map(o => h('tr', { 'data-order': o.number }, h('td', o.number), h('td', label(o.state, 'ORDER_STATE_')), h('td.n', num(o.packCount)),
        h('td.n', money(o.amount)), h('td', o.deliverySite), h('td', o.requestedDate ? `${o.requestedDate.year}-${String(o.requestedDate.month).padStart(2, '0')}-${String(o.requestedDate.day).padStart(2, '0')}` : '—'),
        h('td', when(o.createTime)), h('td', may(FM) ? [
          o.state === 'ORDER_STATE_DRAFT' ? orderAction(o, 'submit', 'Soumettre') : null,
          o.state === 'ORDER_STATE_SUBMITTED' ? orderAction(o, 'approve', 'Approuver') : null,
          ['ORDER_STATE_DRAFT', 'ORDER_STATE_SUBMITTED'].includes(o.state) ? orderAction(o, 'cancel', 'Annuler') : null] : null))),
    };
  }, { 'data-list': 'orders' });
  const monthForm = h('form.filters', { onsubmit: e => {
    e.preventDefault();
    const f = new FormData(e.target);
    go('orders', { ...keep, year: f.get('year'), month: f.get('month') });
  } },
  h('label', 'Année ', h('input', { name: 'year', type: 'number', min: 2000, max: 2100, value: year, size: 5 })),
  h('label', 'Mois ', h('input', { name: 'month', type: 'number', min: 1, max: 12, value: month, size: 3 })),
  h('button', { type: 'submit' }, 'Afficher'));
  const statementPath = `agreements/${encodeURIComponent(id)}/statements/${year}/${month}`;
  const downloadButton = (what, suffix, file, text) => h('button', { type: 'button', 'data-download': what, onclick: async () => {
    try {
      const response = await api.request('GET', `${statementPath}:${suffix}`, { raw: true });
      const blob = await response.blob();
      const a = h('a', { href: URL.createObjectURL(blob), download: `${file}-${id}-${year}-${String(month).padStart(2, '0')}.csv` });
      document.body.append(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    } catch (e) {
      toast(e.message, 'error');
    }
  } }, text);
  const statement = later(async () => {
    const s = await api.get(statementPath);
    const download = [downloadButton('statement', 'csv', 'statement', 'Télécharger le CSV'),
      downloadButton('detail', 'detail', 'lease-detail', 'Détail par pack (CSV)')];
    return [table(['Article', 'Nature', 'Libellé', 'Quantité', 'Jours facturés', 'Prix unitaire', 'Montant'], (s.lines || []).map(l => h('tr',
      h('td', l.itemCode), h('td', label(l.kind, 'ITEM_KIND_')), h('td', l.label), h('td.n', num(l.quantity)), h('td.n', num(l.billedDays)),
      h('td.n', money(l.unitPrice)), h('td.n', money(l.amount))))),
    h('dl.totals', h('dt', 'Total HT'), h('dd', { 'data-statement': 'totalExclTax' }, money(s.totalExclTax)), h('dt', `TVA (${Math.round(Number(s.vatRate) * 10000) / 100} %)`), h('dd', money(s.vat)),
      h('dt', 'Total TTC'), h('dd', { 'data-statement': 'totalInclTax' }, money(s.totalInclTax))), download];
  });
  // rule 12: at the end of its term every device of the agreement's packs must be RETURNED
  const endOfTerm = later(async () => {
    const r = await api.get('reports/end-of-term', { agreement_id: id });
    return [h('p', { 'data-end-of-term': 'total' }, `${num(r.notReturnedTotal || '0')} terminal(s) pas encore restitué(s).`),
      table(['Unité', 'Nom', 'Non restitués', 'Par état'], (r.units || []).map(u => h('tr', { 'data-end-of-term-unit': u.unitCode || '' },
        h('td', u.unitCode || 'stock central'), h('td', u.unitName || ''), h('td.n', num(u.notReturned)),
        h('td', (u.byState || []).map(b => `${label(b.state, 'DEVICE_STATE_')} ${num(b.count)}`).join(', ')))))];
  });
  const successors = agreements.filter(a => a.id !== id);
  const transfer = may(FM) && successors.length ? h('form.filters', { 'data-form': 'transfer', onsubmit: async e => {
    e.preventDefault();
    const f = new FormData(e.target);
    const [y, m, d] = String(f.get('date')).split('-').map(Number);
    const target = f.get('successor');
    if (!confirm(`Transférer les packs de ${id} vers ${target} à partir du ${f.get('date')} ?`)) {
      return;
    }
    try {
      const r = await api.post(`agreements/${encodeURIComponent(id)}:transferPacks`, {
        successorId: target, effectiveDate: { year: y, month: m, day: d },
        packType: f.get('packType') || undefined, unitCode: f.get('unitCode') || undefined });
      toast(`${num(r.transferred)} pack(s) transféré(s) vers ${target}`);
      render();
    } catch (err) {
      toast(err.message, 'error');
    }
  } },
  h('label', 'Accord successeur ', h('select', { name: 'successor' }, successors.map(a => h('option', { value: a.id }, a.id)))),
  h('label', 'À partir du ', h('input', { name: 'date', type: 'date', required: true })),
  h('label', 'Type de pack ', h('select', { name: 'packType' }, h('option', { value: '' }, 'tous'),
    ['SMARTPHONE_INDIVIDUAL', 'TABLET_INDIVIDUAL', 'TABLET_COLLECTIVE'].map(t => h('option', { value: t }, label(`PACK_TYPE_${t}`, 'PACK_TYPE_'))))),
  h('label', 'Unité ', h('input', { name: 'unitCode', size: 12, placeholder: 'toutes' })),
  h('button', { type: 'submit' }, 'Transférer')) : null;
  return [h('h1', 'Marché et commandes'), chooser, section('Consommation', consumption), section('Bons de commande', stateFilter, list),
    section(`Relevé de location ${year}-${String(month).padStart(2, '0')}`, monthForm, statement),
    section('Fin de terme', endOfTerm), transfer ? section('Transfert vers l’accord successeur', transfer) : null];
}

// ---------------------------------------------------------------- stock and repairs

async function workshop({ params }) {
  const repairState = params.get('repairs') || '';
  const alerts = later(async () => {
    const a = (await api.get('stock-alerts')).alerts || [];
    const agreements = may(FM) && a.some(x => !x.draftOrderNumber) ? ((await api.get('agreements', { page_size: 1 })).agreements || []) : [];
    return table(['Dépôt', 'Article', 'En stock', 'Minimum', 'Levée le', 'Commande brouillon', ''], a.map(x => h('tr', { 'data-alert': x.id },
      h('td', x.depotCode), h('td', x.itemCode), h('td.n.bad', num(x.quantity)), h('td.n', num(x.minimum)), h('td', when(x.raiseTime)),
      h('td', x.draftOrderNumber || '—'),
      h('td', may(FM) && !x.draftOrderNumber && agreements.length ? h('button', { type: 'button', 'data-action': 'propose', onclick: async () => {
        try {
          const r = await api.post(`stock-alerts/${x.id}:proposeReplenishment`, { agreementId: agreements[0].id });
          toast(`Commande brouillon ${r.draftOrderNumber} créée sur ${agreements[0].id}`);
          render();
        } catch (e) {
          toast(e.message, 'error');
        }
      } }, 'Proposer une commande') : null))));
  });
  const filter = h('form.filters', { onchange: e => go('workshop', { repairs: e.target.value }) },
    h('label', 'État ', h('select', { name: 'repairs' }, h('option', { value: '' }, 'tous'),
      ['OPEN', 'REPAIRED', 'FAILED'].map(s => h('option', { value: `REPAIR_STATE_${s}`, selected: repairState === `REPAIR_STATE_${s}` }, label(`REPAIR_STATE_${s}`))))));
  const repairs = paged(['Réparation', 'Équipement', 'Modèle', 'Dépôt', 'Technicien', 'État', 'Panne', 'Pièces', 'Ouverte le', 'Close le'], async token => {
    const p = await api.get('repairs', { state: repairState, page_size: 20, page_token: token });
    return {
      next: p.nextPageToken,
      rows: (p.repairs || []).map(r => h('tr', h('td', r.id), h('td', deviceLink(r.imei)), h('td', r.model), h('td', r.depotCode),
        h('td', r.technician), h('td', label(r.state, 'REPAIR_STATE_')), h('td', r.fault), h('td.n', num((r.parts || []).length)),
        h('td', when(r.openTime)), h('td', r.closeTime ? when(r.closeTime) : '—'))),
    };
  }, { 'data-list': 'repairs' });
  return [h('h1', 'Stocks et réparations'), section('Alertes de stock ouvertes', alerts), section('Réparations', filter, repairs)];
}

// ---------------------------------------------------------------- training

async function training() {
  const out = [h('h1', 'Formation')];
  out.push(section('Sessions à venir et en cours', paged(['Session', 'Module', 'Du', 'Au', 'Lieu', 'Places', 'Inscrits', 'En attente', ''], async token => {
    const p = await api.get('sessions', { page_size: 20, page_token: token });
    return {
      next: p.nextPageToken,
      rows: (p.sessions || []).map(s => {
        const enrolled = (s.enrolments || []).filter(e => ['ENROLLED', 'PASSED', 'FAILED', 'ABSENT'].includes(e.status)).length;
        const waiting = (s.enrolments || []).filter(e => e.status === 'WAITLISTED').length;
        const mine = (s.enrolments || []).find(e => e.technician === user.name && e.status !== 'WITHDRAWN');
        const canEnrol = user.has(TECH) && !mine && s.startDate > new Date().toISOString().slice(0, 10);
        return h('tr', { 'data-session': s.id }, h('td', s.id), h('td', s.courseCode), h('td', s.startDate), h('td', s.endDate), h('td', s.place),
          h('td.n', s.capacity), h('td.n', enrolled), h('td.n', waiting),
          h('td', mine ? label(mine.status) : canEnrol ? h('button', { type: 'button', 'data-action': 'enrol', onclick: async () => {
            try {
              const r = await api.post(`sessions/${encodeURIComponent(s.id)}:enroll`, {});
              const me = (r.enrolments || []).find(e => e.technician === user.name);
              toast(`${s.id} : ${me ? label(me.status) : 'fait'}`);
              render();
            } catch (e) {
              toast(e.message, 'error');
            }
          } }, 'M’inscrire') : null));
      }),
    };
  }, { 'data-list': 'sessions' })));
  if (may(FM, AUD)) {
    out.push(section('Certifications expirant sous 90 jours', later(async () => {
      const c = await api.get('certifications:expiring', { within_days: 90 });
      return table(['Technicien', 'Module', 'Modèles', 'Valable jusqu’au'], (c.certifications || []).map(x => h('tr',
        h('td', x.technician), h('td', x.courseCode), h('td', (x.modelFamilies || []).join(', ')), h('td', x.validUntil))));
    })));
  }
  return out;
}

// ---------------------------------------------------------------- shell

let config;

function shell() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const current = route().parts[0];
  nav.replaceChildren(...SECTIONS.filter(s => may(...s.roles)).map(s =>
    h('a', { href: `#/${s.id}`, class: current === s.id ? 'current' : null, 'data-nav': s.id }, s.title)));
  const roles = user.roles.filter(r => [FM, UM, TECH, AUD].includes(r));
  who.replaceChildren(h('span', { 'data-user': user.name }, user.name), h('span.muted', ` ${roles.join(', ')}${user.unit ? ` · ${user.unit}` : ''} `),
    h('button', { type: 'button', onclick: () => auth.logout() }, 'Se déconnecter'));
}

async function render() {
  if (!auth.tokens) {
    signIn();
    return;
  }
  user = auth.user();
  shell();
  const r = route();
  const section = SECTIONS.find(s => s.id === r.parts[0]);
  const page = r.parts[0] === 'devices' ? { render: device, roles: [FM, UM, TECH, AUD] } : section;
  main.replaceChildren(h('p.muted', 'Chargement…'));
  if (!SECTIONS.some(s => may(...s.roles))) {
    main.replaceChildren(h('h1', 'Compte non habilité'), h('p', `${user.name} ne détient aucun des rôles de la console (gestionnaire de flotte, gestionnaire d’unité, technicien, auditeur).`));
    return;
  }
  if (!page) {
    go(SECTIONS.find(s => may(...s.roles)).id);
    return;
  }
  if (!may(...page.roles)) {
    main.replaceChildren(h('h1', 'Accès refusé'), h('p', `Cette page est réservée à : ${page.roles.join(', ')}.`));
    return;
  }
  const seen = location.hash;
  try {
    const content = await page.render(r);
    if (seen === location.hash) {
      main.replaceChildren(...[content].flat(Infinity).filter(c => c !== null && c !== undefined));
      main.dataset.page = r.parts[0];
    }
  } catch (e) {
    if (seen === location.hash) {
      main.replaceChildren(problem(e));
    }
  }
}

function signIn(message) {
  document.getElementById('nav').replaceChildren();
  document.getElementById('who').replaceChildren();
  main.replaceChildren(h('div.signin', h('h1', 'Console de flotte NéoGEND'),
    h('p', 'Pour les gestionnaires de flotte, gestionnaires d’unité, techniciens et auditeurs de la flotte louée.'),
    message ? h('p.error', { role: 'alert' }, message) : null,
    h('button.primary', { type: 'button', id: 'sign-in', onclick: () => auth.login() }, 'Se connecter')));
}

async function start() {
  try {
    config = await (await fetch('config.json')).json();
  } catch (e) {
    main.replaceChildren(problem(new Error('impossible de lire les réglages de la console (config.json)')));
    return;
  }
  auth = new Auth(config);
  api = new Api(auth, () => signIn('Votre session a pris fin ; reconnectez-vous.'));
  try {
    const back = await auth.completeLogin();
    if (back) {
      history.replaceState(null, '', `/console/${back}`); // no hashchange: rendered once, below
    }
  } catch (e) {
    signIn(e.message);
    return;
  }
  window.addEventListener('hashchange', render);
  render();
}

start();
