import { h, table, card, section, toast, problem, later, paged } from '../dom.js';
import { LABELS, label, when, money, num } from '../labels.js';
import { route, go, deviceLink, rerender } from '../router.js';
import { session, main, may, FM, UM, TECH, AUD } from '../session.js';
import { ApiError } from '../api.js';

// ---------------------------------------------------------------- fleet overview

function unitTree(selected) {
  const tree = h('ul.tree', { 'aria-label': 'Unités' });
  async function children(parent, into) {
    let token = '';
    do {
      const page = await session.api.get('units', { parent_code: parent, page_size: 200, page_token: token });
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

export async function overview({ params }) {
  const unit = params.get('unit') || '';
  const state = params.get('state') || '';
  const pack = params.get('pack') || '';
  const counts = await session.api.get('devices:count', { unit_code: unit });
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
    const page = await session.api.get('devices', { unit_code: unit, state, pack_type: pack, page_size: 20, page_token: token });
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
