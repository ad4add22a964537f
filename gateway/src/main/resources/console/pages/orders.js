import { h, table, card, section, toast, problem, later, paged } from '../dom.js';
import { LABELS, label, when, money, num, isoDay } from '../labels.js';
import { route, go, deviceLink, rerender } from '../router.js';
import { session, main, may, FM, UM, TECH, AUD } from '../session.js';
import { ApiError } from '../api.js';

// ---------------------------------------------------------------- agreement, orders, statements

export async function orders({ params }) {
  const agreements = (await session.api.get('agreements', { page_size: 100 })).agreements || [];
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
    const c = await session.api.get(`agreements/${encodeURIComponent(id)}/consumption`);
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
      const r = await session.api.post(`purchase-orders/${encodeURIComponent(o.number)}:${verb}`, body);
      toast(`${o.number}: ${label(r.state, 'ORDER_STATE_')}`);
      rerender();
    } catch (e) {
      toast(e.message, 'error');
    }
  } }, text);
  const list = paged(['Numéro', 'État', 'Packs', 'Montant (€ HT)', 'Site de livraison', 'Date souhaitée', 'Créé le', ''], async token => {
    const p = await session.api.get('purchase-orders', { agreement_id: id, state, page_size: 20, page_token: token });
    return {
      next: p.nextPageToken,
      rows: (p.items || []).map(o => h('tr', { 'data-order': o.number }, h('td', o.number), h('td', label(o.state, 'ORDER_STATE_')), h('td.n', num(o.packCount)),
        h('td.n', money(o.amount)), h('td', o.deliverySite), h('td', isoDay(o.requestedDate) || '—'),
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
      const response = await session.api.request('GET', `${statementPath}:${suffix}`, { raw: true });
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
    const s = await session.api.get(statementPath);
    const download = [downloadButton('statement', 'csv', 'statement', 'Télécharger le CSV'),
      downloadButton('detail', 'detail', 'lease-detail', 'Détail par pack (CSV)')];
    return [table(['Article', 'Nature', 'Libellé', 'Quantité', 'Jours facturés', 'Prix unitaire', 'Montant'], (s.lines || []).map(l => h('tr',
      h('td', l.itemCode), h('td', label(l.kind, 'ITEM_KIND_')), h('td', l.label), h('td.n', num(l.quantity)), h('td.n', num(l.billedDays)),
      h('td.n', money(l.unitPrice)), h('td.n', money(l.amount))))),
    h('dl.totals', h('dt', 'Total HT'), h('dd', { 'data-statement': 'totalExclTax' }, money(s.totalExclTax)), h('dt', `TVA (${Math.round(Number(s.vatRate) * 10000) / 100} %)`), h('dd', money(s.vat)),
      h('dt', 'Total TTC'), h('dd', { 'data-statement': 'totalInclTax' }, money(s.totalInclTax))), download];
  });
  // issue 20: the supplier's patch SLA, per release and per month (the month's penalty is the statement's deduction)
  const patchSla = later(async () => {
    const s = await session.api.get(`agreements/${encodeURIComponent(id)}/patch-sla`);
    const day = d => isoDay(d) || '—';
    return [h('p', { 'data-patch-sla': 'clause' }, s.clause
      ? `Délai contractuel : ${num(s.clause.delayDays)} jours du bulletin de sécurité Android à la publication de la version${s.clause.penaltyPerDay ? `, ${money(s.clause.penaltyPerDay)} € HT par jour de retard` : ' (jours de retard relevés, sans pénalité)'}.`
      : 'Cet accord-cadre n’a pas de clause de délai de correctifs.'),
    table(['Mois', 'Versions publiées', 'En retard', 'Jours de retard', 'Pénalité (€ HT)', 'Délai max (jours)', 'Délai moyen (jours)'],
      (s.months || []).map(m => h('tr', { 'data-sla-month': `${m.year}-${String(m.month).padStart(2, '0')}` },
        h('td', `${m.year}-${String(m.month).padStart(2, '0')}`), h('td.n', num(m.releases)), h('td.n', num(m.lateReleases)),
        h('td.n', { 'data-figure': 'lateDays' }, num(m.lateDays)), h('td.n', { 'data-figure': 'penalty' }, money(m.penalty)),
        h('td.n', num(m.maxDaysToPublish)), h('td.n', num(m.averageDaysToPublish))))),
    table(['Version', 'Modèle', 'Bulletin', 'Publiée', 'Approuvée', '95 % confirmés', 'Jours jusqu’à publication', 'Jours de retard', 'Pénalité (€ HT)'],
      (s.releases || []).map(r => h('tr', { 'data-sla-release': r.releaseId }, h('td', r.releaseId), h('td', r.model),
        h('td', day(r.bulletinDate)), h('td', day(r.publishedOn)), h('td', day(r.approvedOn)),
        h('td', r.fleetConfirmedOn ? `${day(r.fleetConfirmedOn)} (${num(r.confirmed)} / ${num(r.targeted)})` : `— (${num(r.confirmed)} / ${num(r.targeted)})`),
        h('td.n', num(r.daysToPublish)), h('td.n', { class: Number(r.lateDays) > 0 ? 'n bad' : 'n' }, num(r.lateDays)), h('td.n', money(r.penalty)))))];
  });
  // rule 12: at the end of its term every device of the agreement's packs must be RETURNED
  const endOfTerm = later(async () => {
    const r = await session.api.get('reports/end-of-term', { agreement_id: id });
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
      const r = await session.api.post(`agreements/${encodeURIComponent(id)}:transferPacks`, {
        successorId: target, effectiveDate: { year: y, month: m, day: d },
        packType: f.get('packType') || undefined, unitCode: f.get('unitCode') || undefined });
      toast(`${num(r.transferred)} pack(s) transféré(s) vers ${target}`);
      rerender();
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
    section('Délais de correctifs du fournisseur', patchSla),
    section('Fin de terme', endOfTerm), transfer ? section('Transfert vers l’accord successeur', transfer) : null];
}
