// The NéoGEND fleet console: a single page over the gateway's REST API. Every figure shown is the
// API's answer to the signed-in user's token; actions a role may not take are not offered (and the
// API refuses them anyway). The DOM is built with createElement/textContent only (no HTML strings).

import { Auth } from './auth.js';
import { Api, ApiError } from './api.js';

const FM = 'fleet-manager', UM = 'unit-manager', TECH = 'technician', AUD = 'auditor';
const SECTIONS = [
  { id: 'overview', title: 'Fleet', roles: [FM, UM, TECH, AUD], render: overview },
  { id: 'compliance', title: 'Compliance', roles: [FM, UM, TECH, AUD], render: compliance },
  { id: 'map', title: 'Map', roles: [FM, UM], render: map },
  { id: 'orders', title: 'Agreement & orders', roles: [FM, AUD], render: orders },
  { id: 'workshop', title: 'Stock & repairs', roles: [FM, TECH, AUD], render: workshop },
  { id: 'training', title: 'Training', roles: [FM, TECH, AUD], render: training },
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

function label(value, prefix) {
  if (!value) {
    return '—';
  }
  const text = String(value).replace(prefix, '').toLowerCase().replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}

function num(n) {
  return Number(n || 0).toLocaleString('en-GB');
}

function table(headers, rows, attrs) {
  return h('div.scroll', h('table', attrs || {},
    h('thead', h('tr', headers.map(x => h('th', x)))),
    h('tbody', rows.length ? rows : h('tr', h('td.muted', { colspan: headers.length }, 'Nothing to show.')))));
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
  return h('p.error', { role: 'alert' }, e instanceof ApiError ? e.message : `Error: ${e.message}`);
}

/** A placeholder filled by an async loader; a failure shows the API's problem in place. */
function later(load) {
  const box = h('div.later', h('p.muted', 'Loading…'));
  Promise.resolve().then(load).then(content => box.replaceChildren(...[content].flat()))
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
    box.replaceChildren(h('p.muted', 'Loading…'));
    try {
      const { rows, next } = await fetchPage(tokens[index]);
      tokens.length = index + 1;
      if (next) {
        tokens.push(next);
      }
      box.replaceChildren(table(headers, rows), h('div.pager',
        h('button', { type: 'button', disabled: index === 0, onclick: () => { index--; show(); } }, '‹ Previous'),
        h('span.muted', `Page ${index + 1}`),
        h('button', { type: 'button', 'data-next-page': true, disabled: !next, onclick: () => { index++; show(); } }, 'Next ›')));
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
  const tree = h('ul.tree', { 'aria-label': 'Units' });
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
    const toggle = h('button.twisty', { type: 'button', 'aria-expanded': 'false', title: `Sub-units of ${u.code}`,
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
  const scope = unit ? `Unit ${unit} and its sub-units` : 'Every device you may see';
  const byState = (counts.byState || []).map(s => h('tr',
    h('td', h('a', { href: `#/overview?${new URLSearchParams({ unit, state: s.state, pack })}` }, label(s.state, 'DEVICE_STATE_'))),
    h('td.n', { 'data-count-state': s.state }, num(s.count))));
  const byPack = (counts.byPackType || []).map(p => ({ ...p, packType: p.packType || 'PACK_TYPE_UNSPECIFIED' })).map(p => h('tr',
    h('td', p.packType === 'PACK_TYPE_UNSPECIFIED' ? 'No pack type' :
      h('a', { href: `#/overview?${new URLSearchParams({ unit, state, pack: p.packType })}` }, label(p.packType, 'PACK_TYPE_'))),
    h('td.n', { 'data-count-pack': p.packType }, num(p.count))));
  const byUnit = (counts.byUnit || []).map(u => h('tr',
    h('td', u.unitCode ? h('a', { href: `#/overview?unit=${encodeURIComponent(u.unitCode)}` }, u.unitCode) : 'Central stock'),
    h('td.n', { 'data-count-unit': u.unitCode || 'central' }, num(u.count))));
  const filters = h('form.filters', { onsubmit: e => {
    e.preventDefault();
    const f = new FormData(e.target);
    go('overview', { unit, state: f.get('state'), pack: f.get('pack') });
  } },
  h('label', 'State ', h('select', { name: 'state' }, h('option', { value: '' }, 'any'),
    ['IN_STOCK', 'ASSIGNED', 'IN_REPAIR', 'LOST', 'STOLEN', 'PENDING_RETURN', 'RETURNED'].map(s =>
      h('option', { value: `DEVICE_STATE_${s}`, selected: state === `DEVICE_STATE_${s}` }, label(s))))),
  h('label', 'Pack type ', h('select', { name: 'pack' }, h('option', { value: '' }, 'any'),
    ['SMARTPHONE_INDIVIDUAL', 'TABLET_INDIVIDUAL', 'TABLET_COLLECTIVE'].map(p =>
      h('option', { value: `PACK_TYPE_${p}`, selected: pack === `PACK_TYPE_${p}` }, label(p))))),
  h('button', { type: 'submit' }, 'Filter'));
  const devices = paged(['IMEI', 'Model', 'State', 'Pack type', 'Unit', 'Holder'], async token => {
    const page = await api.get('devices', { unit_code: unit, state, pack_type: pack, page_size: 20, page_token: token });
    return {
      next: page.nextPageToken,
      rows: (page.devices || []).map(d => h('tr', h('td', deviceLink(d.imei)), h('td', d.model),
        h('td', h('span', { class: `state ${d.state}` }, label(d.state, 'DEVICE_STATE_'))), h('td', label(d.packType, 'PACK_TYPE_')),
        h('td', d.unitCode || 'central stock'), h('td', d.holderAgentId || '—'))),
    };
  }, { 'data-list': 'devices' });
  return h('div.split',
    h('aside.side', h('h2', 'Units'), h('p', h('a', { href: '#/overview', class: unit ? null : 'current' }, 'Everything')), unitTree(unit)),
    h('div.content',
      h('h1', 'Fleet overview'), h('p.muted', scope),
      h('div.cards', card('Devices', num(counts.total), { 'data-total': counts.total || 0 })),
      h('div.grid3', section('By state', table(['State', 'Devices'], byState)),
        section('By pack type', table(['Pack type', 'Devices'], byPack)),
        section('By holding unit', table(['Unit', 'Devices'], byUnit))),
      section('Devices', filters, devices)));
}

// ---------------------------------------------------------------- one device

async function device({ parts }) {
  const imei = parts[1];
  const d = (await api.get(`devices/${encodeURIComponent(imei)}`));
  const rows = [['IMEI', d.imei], ['Serial number', d.serialNumber], ['Model', d.model], ['Kind', label(d.kind, 'DEVICE_KIND_')],
    ['State', label(d.state, 'DEVICE_STATE_')], ['Pack type', label(d.packType, 'PACK_TYPE_')], ['Pack', d.packId || '—'],
    ['Unit', d.unitCode || 'central stock'], ['Holder', d.holderAgentId || '—'], ['ROM build', d.romBuild || '—'],
    ['Police report', d.policeReportReference || '—'], ['Updated', when(d.updateTime)]];
  const details = h('dl.details', rows.flatMap(([k, v]) => [h('dt', k), h('dd', { 'data-field': k }, v)]));
  const actions = h('div.actions');
  const canDeclare = may(FM, UM) && !['DEVICE_STATE_LOST', 'DEVICE_STATE_STOLEN', 'DEVICE_STATE_RETURNED'].includes(d.state);
  if (canDeclare) {
    const form = h('form.inline', { 'data-action': 'declare-loss', onsubmit: async e => {
      e.preventDefault();
      const f = new FormData(e.target);
      const kind = f.get('kind');
      if (!confirm(`Declare ${d.imei} ${kind === 'LOSS_KIND_STOLEN' ? 'STOLEN' : 'LOST'}? Its credentials are revoked and the device locked${kind === 'LOSS_KIND_STOLEN' ? ' and wiped' : ''}.`)) {
        return;
      }
      try {
        await api.post(`devices/${encodeURIComponent(d.imei)}:declareLoss`, {
          kind, policeReportReference: f.get('report'), expectedVersion: d.version });
        toast(`${d.imei} declared ${kind === 'LOSS_KIND_STOLEN' ? 'stolen: LOCK and WIPE queued' : 'lost: LOCK queued'}`);
        render();
      } catch (err) {
        toast(err.message, 'error');
      }
    } },
    h('label', 'Declare ', h('select', { name: 'kind' }, h('option', { value: 'LOSS_KIND_STOLEN' }, 'stolen'), h('option', { value: 'LOSS_KIND_LOST' }, 'lost'))),
    h('label', 'Police report ', h('input', { name: 'report', required: true, placeholder: 'PV 2026/001234', maxlength: 64 })),
    h('button.danger', { type: 'submit' }, 'Declare'));
    actions.append(form);
  }
  const parts2 = [h('p', h('a', { href: `#/overview?unit=${encodeURIComponent(d.unitCode || '')}` }, '‹ Fleet')),
    h('h1', `Device ${d.imei}`), h('div.grid2', section('Details', details, actions),
      may(FM, UM) ? section('Latest report', later(async () => {
        try {
          const s = await api.get(`devices/${encodeURIComponent(d.imei)}/state`);
          const r = s.reading || {};
          return h('dl.details', [['Received', when(s.receiveTime)], ['Battery', r.batteryPercent === undefined ? '—' : `${r.batteryPercent} %`],
            ['Patch level', r.securityPatchLevel || '—'], ['Network', label(r.network, 'NETWORK_TYPE_')],
            ['Position', r.latitude === undefined ? '—' : `${r.latitude.toFixed(5)}, ${r.longitude.toFixed(5)}`]]
            .flatMap(([k, v]) => [h('dt', k), h('dd', v)]));
        } catch (e) {
          if (e.status === 404) {
            return h('p.muted', 'The device has not reported yet.');
          }
          throw e;
        }
      })) : null),
    section('Remote commands', commands(d)),
    section('History', paged(['When', 'What', 'Who'], async token => {
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
  const box = h('div.later', h('p.muted', 'Loading…'));
  const expected = d.state === 'DEVICE_STATE_STOLEN' ? ['LOCK', 'WIPE'] : d.state === 'DEVICE_STATE_LOST' ? ['LOCK'] : [];
  let tries = 0;
  async function load() {
    try {
      const list = (await api.get(`devices/${encodeURIComponent(d.imei)}/commands`)).commands || [];
      const missing = expected.filter(x => !list.some(c => c.command === x));
      box.replaceChildren(table(['Command', 'Status', 'Queued'], list.map(x => h('tr', { 'data-command': x.command },
        h('td', x.command), h('td', x.status), h('td', when(x.queueTime))))),
      missing.length ? h('p.muted', `Waiting for ${missing.join(' and ')} to be queued…`) : null);
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
  const out = [h('h1', 'Patch compliance and silent devices')];
  if (may(FM, TECH, AUD)) {
    out.push(section('By model (whole fleet)', later(async () => {
      const c = await api.get('compliance');
      return [table(['Model', 'Approved patch level', 'Reporting', 'Below it', 'Largest gap (days)', 'Average gap (days)', 'Supplier delay (days)'],
        (c.models || []).map(m => h('tr', { 'data-model': m.model }, h('td', m.model), h('td', m.approvedPatchLevel || '—'), h('td.n', num(m.devices)),
          h('td.n', { class: Number(m.nonCompliant) > 0 ? 'n bad' : 'n' }, num(m.nonCompliant)), h('td.n', num(m.maxGapDays)),
          h('td.n', num(m.averageGapDays)), h('td.n', num(m.supplierDelayDays))))),
      h('p.muted', `Devices reporting a build no release names: ${num(c.unknownBuildDevices)}`)];
    })));
  }
  const unitForm = h('form.filters', { onsubmit: e => { e.preventDefault(); go('compliance', { unit: new FormData(e.target).get('unit').trim().toUpperCase(), hours }); } },
    h('label', 'Unit ', h('input', { name: 'unit', value: unit, required: true, placeholder: 'GN-RBRE-GGD35', size: 24 })),
    h('button', { type: 'submit' }, 'Show'));
  out.push(section(unit ? `By unit and model — ${unit}` : 'By unit and model', unitForm, unit ? later(async () => {
    const c = await api.get(`units/${encodeURIComponent(unit)}/compliance`);
    return table(['Unit', 'Model', 'Devices', 'Reporting', 'Below approved level', 'Largest gap (days)', 'Approved level', 'Devices below (largest gap first)'],
      (c.lines || []).map(l => h('tr', h('td', l.unitCode), h('td', l.model), h('td.n', num(l.devices)), h('td.n', num(l.reporting)),
        h('td.n', { class: Number(l.nonCompliant) > 0 ? 'n bad' : 'n' }, num(l.nonCompliant)), h('td.n', num(l.maxGapDays)),
        h('td', l.approvedPatchLevel || 'none approved'), h('td', (l.nonCompliantImeis || []).slice(0, 5).map(i => [deviceLink(i), ' ']),
          (l.nonCompliantImeis || []).length > 5 ? `+${l.nonCompliantImeis.length - 5}` : ''))));
  }) : h('p.muted', 'Choose a unit.')));
  if (may(FM, TECH, AUD)) {
    const silentForm = h('form.filters', { onsubmit: e => { e.preventDefault(); go('compliance', { unit, hours: new FormData(e.target).get('hours') }); } },
      h('label', 'Silent for more than ', h('input', { name: 'hours', type: 'number', min: 1, max: 8760, value: hours, size: 5 }), ' hours'),
      h('button', { type: 'submit' }, 'Show'));
    out.push(section('Silent devices', silentForm, later(async () => {
      const s = await api.get('device-states:silent', { hours, page_size: 200 });
      return [h('p', { 'data-silent-total': s.total || 0 }, `${num(s.total)} device(s) silent for more than ${hours} h`,
        Number(s.total) > (s.devices || []).length ? ` (first ${(s.devices || []).length} shown)` : ''),
      table(['IMEI', 'Last reading received'], (s.devices || []).map(x => h('tr', h('td', deviceLink(x.imei)), h('td', when(x.lastReceiveTime)))))];
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
  h('label', 'Unit ', h('input', { name: 'unit', value: unit, required: true, size: 24, placeholder: 'GN-RBRE-GGD35' })),
  h('label', 'Positions newer than ', h('input', { name: 'age', type: 'number', min: 1, value: maxAge, size: 6, placeholder: 'any' }), ' min'),
  h('button', { type: 'submit' }, 'Show'));
  const out = [h('h1', 'Latest positions'), h('p.muted', 'Every position read here is recorded in the access audit.'), form];
  if (!unit) {
    out.push(h('p.muted', 'Choose a unit.'));
    return out;
  }
  const p = await api.get(`units/${encodeURIComponent(unit)}/device-positions`, { max_age_minutes: maxAge });
  const placed = (p.states || []).filter(s => s.reading && s.reading.latitude !== undefined);
  const mapBox = h('div.map', { id: 'map', role: 'application', 'aria-label': `Map of ${unit}` });
  out.push(h('p', { 'data-positions': placed.length }, `${placed.length} positioned device(s) of ${num(p.devicesInUnit)} in ${unit} and its sub-units`),
    mapBox, table(['IMEI', 'Position', 'Accuracy', 'Received'], placed.map(s => h('tr', h('td', deviceLink(s.imei)),
      h('td', `${s.reading.latitude.toFixed(5)}, ${s.reading.longitude.toFixed(5)}`),
      h('td', s.reading.accuracyM === undefined ? '—' : `${Math.round(s.reading.accuracyM)} m`), h('td', when(s.receiveTime))))));
  requestAnimationFrame(() => {
    const L = window.L;
    leafletMap = L.map(mapBox, { attributionControl: true });
    L.control.scale({ imperial: false }).addTo(leafletMap);
    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { attribution: config.tileAttribution, maxZoom: 19 }).addTo(leafletMap);
    } else {
      mapBox.classList.add('no-tiles');
      leafletMap.attributionControl.addAttribution('No tile server configured (NEOGEND_CONSOLE_TILE_URL)');
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
    return [h('h1', 'Agreement & orders'), h('p.muted', 'No framework agreement is recorded.')];
  }
  const id = params.get('agreement') || agreements[0].id;
  const state = params.get('state') || '';
  const today = new Date();
  const year = Number(params.get('year') || today.getFullYear());
  const month = Number(params.get('month') || today.getMonth() + 1);
  const keep = { agreement: id, state, year, month };
  const chooser = h('form.filters', { onchange: e => go('orders', { ...keep, agreement: e.target.value }) },
    h('label', 'Agreement ', h('select', { name: 'agreement' }, agreements.map(a => h('option', { value: a.id, selected: a.id === id }, `${a.id} — ${a.title}`)))));
  const consumption = later(async () => {
    const c = await api.get(`agreements/${encodeURIComponent(id)}/consumption`);
    return [h('div.cards',
      card('Packs ordered', num(c.packsOrdered), { 'data-consumption': 'packsOrdered' }),
      card('Maximum', num(c.maxPacks)), card('Headroom', num(c.headroom), { 'data-consumption': 'headroom' }),
      card('Minimum', num(c.minPacks)), card('Forecast at term', num(c.forecastPacks)),
      card('Forecast shortfall', num(c.forecastShortfall), { class: Number(c.forecastShortfall) > 0 ? 'card warn' : 'card' }),
      card('Packs received', num(c.packsReceived)), card('Invoiced (€ excl. VAT)', c.amountInvoiced || '0')),
    table(['Pack type', 'Ordered'], (c.byPackType || []).map(p => h('tr', h('td', label(p.packType, 'PACK_TYPE_')), h('td.n', num(p.packsOrdered))))),
    table(['Fiscal year', 'Budget envelope (€)', 'Committed', 'Remaining', 'Invoiced'], (c.byFiscalYear || []).map(y => h('tr',
      h('td', y.fiscalYear), h('td.n', y.budget), h('td.n', y.committed), h('td.n', { class: String(y.remaining).startsWith('-') ? 'n bad' : 'n' }, y.remaining),
      h('td.n', y.invoiced))))];
  });
  const stateFilter = h('form.filters', { onchange: e => go('orders', { ...keep, state: e.target.value }) },
    h('label', 'State ', h('select', { name: 'state' }, h('option', { value: '' }, 'any'),
      ['DRAFT', 'SUBMITTED', 'APPROVED', 'SENT', 'ACKNOWLEDGED', 'PARTIALLY_DELIVERED', 'DELIVERED', 'CLOSED', 'CANCELLED', 'REJECTED']
        .map(s => h('option', { value: `ORDER_STATE_${s}`, selected: state === `ORDER_STATE_${s}` }, label(s))))));
  const orderAction = (o, verb, text) => h('button', { type: 'button', 'data-order-action': verb, onclick: async () => {
    try {
      const body = { expectedVersion: o.version };
      if (verb === 'cancel') {
        const reason = prompt(`Why cancel ${o.number}?`);
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
  const list = paged(['Number', 'State', 'Packs', 'Amount (€ excl. VAT)', 'Delivery site', 'Requested', 'Created', ''], async token => {
    const p = await api.get('purchase-orders', { agreement_id: id, state, page_size: 20, page_token: token });
    return {
      next: p.nextPageToken,
      rows: (p.items || []).map(o => h('tr', { 'data-order': o.number }, h('td', o.number), h('td', label(o.state, 'ORDER_STATE_')), h('td.n', num(o.packCount)),
        h('td.n', o.amount), h('td', o.deliverySite), h('td', o.requestedDate ? `${o.requestedDate.year}-${String(o.requestedDate.month).padStart(2, '0')}-${String(o.requestedDate.day).padStart(2, '0')}` : '—'),
        h('td', when(o.createTime)), h('td', may(FM) ? [
          o.state === 'ORDER_STATE_DRAFT' ? orderAction(o, 'submit', 'Submit') : null,
          o.state === 'ORDER_STATE_SUBMITTED' ? orderAction(o, 'approve', 'Approve') : null,
          ['ORDER_STATE_DRAFT', 'ORDER_STATE_SUBMITTED'].includes(o.state) ? orderAction(o, 'cancel', 'Cancel') : null] : null))),
    };
  }, { 'data-list': 'orders' });
  const monthForm = h('form.filters', { onsubmit: e => {
    e.preventDefault();
    const f = new FormData(e.target);
    go('orders', { ...keep, year: f.get('year'), month: f.get('month') });
  } },
  h('label', 'Year ', h('input', { name: 'year', type: 'number', min: 2000, max: 2100, value: year, size: 5 })),
  h('label', 'Month ', h('input', { name: 'month', type: 'number', min: 1, max: 12, value: month, size: 3 })),
  h('button', { type: 'submit' }, 'Show'));
  const statementPath = `agreements/${encodeURIComponent(id)}/statements/${year}/${month}`;
  const statement = later(async () => {
    const s = await api.get(statementPath);
    const download = h('button', { type: 'button', 'data-download': 'statement', onclick: async () => {
      try {
        const response = await api.request('GET', `${statementPath}:csv`, { raw: true });
        const blob = await response.blob();
        const a = h('a', { href: URL.createObjectURL(blob), download: `statement-${id}-${year}-${String(month).padStart(2, '0')}.csv` });
        document.body.append(a);
        a.click();
        setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
      } catch (e) {
        toast(e.message, 'error');
      }
    } }, 'Download CSV');
    return [table(['Item', 'Kind', 'Label', 'Quantity', 'Billed days', 'Unit price', 'Amount'], (s.lines || []).map(l => h('tr',
      h('td', l.itemCode), h('td', label(l.kind, 'ITEM_KIND_')), h('td', l.label), h('td.n', num(l.quantity)), h('td.n', num(l.billedDays)),
      h('td.n', l.unitPrice), h('td.n', l.amount)))),
    h('dl.totals', h('dt', 'Total excl. VAT'), h('dd', { 'data-statement': 'totalExclTax' }, s.totalExclTax), h('dt', `VAT (${s.vatRate})`), h('dd', s.vat),
      h('dt', 'Total incl. VAT'), h('dd', { 'data-statement': 'totalInclTax' }, s.totalInclTax)), download];
  });
  return [h('h1', 'Agreement & orders'), chooser, section('Consumption', consumption), section('Purchase orders', stateFilter, list),
    section(`Lease statement ${year}-${String(month).padStart(2, '0')}`, monthForm, statement)];
}

// ---------------------------------------------------------------- stock and repairs

async function workshop({ params }) {
  const repairState = params.get('repairs') || '';
  const alerts = later(async () => {
    const a = (await api.get('stock-alerts')).alerts || [];
    const agreements = may(FM) && a.some(x => !x.draftOrderNumber) ? ((await api.get('agreements', { page_size: 1 })).agreements || []) : [];
    return table(['Depot', 'Item', 'In stock', 'Minimum', 'Raised', 'Draft order', ''], a.map(x => h('tr', { 'data-alert': x.id },
      h('td', x.depotCode), h('td', x.itemCode), h('td.n.bad', num(x.quantity)), h('td.n', num(x.minimum)), h('td', when(x.raiseTime)),
      h('td', x.draftOrderNumber || '—'),
      h('td', may(FM) && !x.draftOrderNumber && agreements.length ? h('button', { type: 'button', 'data-action': 'propose', onclick: async () => {
        try {
          const r = await api.post(`stock-alerts/${x.id}:proposeReplenishment`, { agreementId: agreements[0].id });
          toast(`Draft order ${r.draftOrderNumber} created under ${agreements[0].id}`);
          render();
        } catch (e) {
          toast(e.message, 'error');
        }
      } }, 'Propose an order') : null))));
  });
  const filter = h('form.filters', { onchange: e => go('workshop', { repairs: e.target.value }) },
    h('label', 'State ', h('select', { name: 'repairs' }, h('option', { value: '' }, 'any'),
      ['OPEN', 'REPAIRED', 'FAILED'].map(s => h('option', { value: `REPAIR_STATE_${s}`, selected: repairState === `REPAIR_STATE_${s}` }, label(s))))));
  const repairs = paged(['Repair', 'Device', 'Model', 'Depot', 'Technician', 'State', 'Fault', 'Parts', 'Opened', 'Closed'], async token => {
    const p = await api.get('repairs', { state: repairState, page_size: 20, page_token: token });
    return {
      next: p.nextPageToken,
      rows: (p.repairs || []).map(r => h('tr', h('td', r.id), h('td', deviceLink(r.imei)), h('td', r.model), h('td', r.depotCode),
        h('td', r.technician), h('td', label(r.state, 'REPAIR_STATE_')), h('td', r.fault), h('td.n', num((r.parts || []).length)),
        h('td', when(r.openTime)), h('td', r.closeTime ? when(r.closeTime) : '—'))),
    };
  }, { 'data-list': 'repairs' });
  return [h('h1', 'Stock & repairs'), section('Open stock alerts', alerts), section('Repairs', filter, repairs)];
}

// ---------------------------------------------------------------- training

async function training() {
  const out = [h('h1', 'Training')];
  out.push(section('Upcoming and running sessions', paged(['Session', 'Course', 'From', 'To', 'Place', 'Seats', 'Enrolled', 'Waiting', ''], async token => {
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
              toast(`${s.id}: ${me ? label(me.status) : 'done'}`);
              render();
            } catch (e) {
              toast(e.message, 'error');
            }
          } }, 'Enrol me') : null));
      }),
    };
  }, { 'data-list': 'sessions' })));
  if (may(FM, AUD)) {
    out.push(section('Certifications expiring within 90 days', later(async () => {
      const c = await api.get('certifications:expiring', { within_days: 90 });
      return table(['Technician', 'Course', 'Models', 'Valid until'], (c.certifications || []).map(x => h('tr',
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
    h('button', { type: 'button', onclick: () => auth.logout() }, 'Sign out'));
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
  main.replaceChildren(h('p.muted', 'Loading…'));
  if (!SECTIONS.some(s => may(...s.roles))) {
    main.replaceChildren(h('h1', 'Not for this account'), h('p', `${user.name} holds none of the console's roles (fleet manager, unit manager, technician, auditor).`));
    return;
  }
  if (!page) {
    go(SECTIONS.find(s => may(...s.roles)).id);
    return;
  }
  if (!may(...page.roles)) {
    main.replaceChildren(h('h1', 'Not allowed'), h('p', `This page is for: ${page.roles.join(', ')}.`));
    return;
  }
  const seen = location.hash;
  try {
    const content = await page.render(r);
    if (seen === location.hash) {
      main.replaceChildren(...[content].flat());
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
  main.replaceChildren(h('div.signin', h('h1', 'NéoGEND fleet console'),
    h('p', 'For fleet managers, unit managers, technicians and auditors of the leased fleet.'),
    message ? h('p.error', { role: 'alert' }, message) : null,
    h('button.primary', { type: 'button', id: 'sign-in', onclick: () => auth.login() }, 'Sign in with Keycloak')));
}

async function start() {
  try {
    config = await (await fetch('config.json')).json();
  } catch (e) {
    main.replaceChildren(problem(new Error('cannot read the console settings (config.json)')));
    return;
  }
  auth = new Auth(config);
  api = new Api(auth, () => signIn('Your session ended; sign in again.'));
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
