import { h, table, card, section, toast, problem, later, paged } from '../dom.js';
import { LABELS, label, when, money, num } from '../labels.js';
import { route, go, deviceLink, rerender } from '../router.js';
import { session, main, may, FM, UM, TECH, AUD } from '../session.js';
import { ApiError } from '../api.js';

// ---------------------------------------------------------------- stock and repairs

export async function workshop({ params }) {
  const repairState = params.get('repairs') || '';
  const alerts = later(async () => {
    const a = (await session.api.get('stock-alerts')).alerts || [];
    const agreements = may(FM) && a.some(x => !x.draftOrderNumber) ? ((await session.api.get('agreements', { page_size: 1 })).agreements || []) : [];
    return table(['Dépôt', 'Article', 'En stock', 'Minimum', 'Levée le', 'Commande brouillon', ''], a.map(x => h('tr', { 'data-alert': x.id },
      h('td', x.depotCode), h('td', x.itemCode), h('td.n.bad', num(x.quantity)), h('td.n', num(x.minimum)), h('td', when(x.raiseTime)),
      h('td', x.draftOrderNumber || '—'),
      h('td', may(FM) && !x.draftOrderNumber && agreements.length ? h('button', { type: 'button', 'data-action': 'propose', onclick: async () => {
        try {
          const r = await session.api.post(`stock-alerts/${x.id}:proposeReplenishment`, { agreementId: agreements[0].id });
          toast(`Commande brouillon ${r.draftOrderNumber} créée sur ${agreements[0].id}`);
          rerender();
        } catch (e) {
          toast(e.message, 'error');
        }
      } }, 'Proposer une commande') : null))));
  });
  const filter = h('form.filters', { onchange: e => go('workshop', { repairs: e.target.value }) },
    h('label', 'État ', h('select', { name: 'repairs' }, h('option', { value: '' }, 'tous'),
      ['OPEN', 'REPAIRED', 'FAILED'].map(s => h('option', { value: `REPAIR_STATE_${s}`, selected: repairState === `REPAIR_STATE_${s}` }, label(`REPAIR_STATE_${s}`))))));
  const repairs = paged(['Réparation', 'Équipement', 'Modèle', 'Dépôt', 'Technicien', 'État', 'Panne', 'Pièces', 'Ouverte le', 'Close le'], async token => {
    const p = await session.api.get('repairs', { state: repairState, page_size: 20, page_token: token });
    return {
      next: p.nextPageToken,
      rows: (p.repairs || []).map(r => h('tr', h('td', r.id), h('td', deviceLink(r.imei)), h('td', r.model), h('td', r.depotCode),
        h('td', r.technician), h('td', label(r.state, 'REPAIR_STATE_')), h('td', r.fault), h('td.n', num((r.parts || []).length)),
        h('td', when(r.openTime)), h('td', r.closeTime ? when(r.closeTime) : '—'))),
    };
  }, { 'data-list': 'repairs' });
  return [h('h1', 'Stocks et réparations'), section('Alertes de stock ouvertes', alerts), section('Réparations', filter, repairs)];
}
