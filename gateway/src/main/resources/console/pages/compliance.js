import { h, table, card, section, toast, problem, later, paged } from '../dom.js';
import { LABELS, label, when, money, num } from '../labels.js';
import { route, go, deviceLink, rerender } from '../router.js';
import { session, main, may, FM, UM, TECH, AUD } from '../session.js';
import { ApiError } from '../api.js';

// ---------------------------------------------------------------- compliance

export async function compliance({ params }) {
  const unit = params.get('unit') || session.user.unit || '';
  const hours = params.get('hours') || '24';
  const out = [h('h1', 'Conformité des correctifs et équipements silencieux')];
  if (may(FM, TECH, AUD)) {
    out.push(section(may(FM, AUD) ? 'Par modèle (toute la flotte)' : 'Par modèle (votre périmètre)', later(async () => {
      const c = await session.api.get('compliance');
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
    const c = await session.api.get(`units/${encodeURIComponent(unit)}/compliance`);
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
      const s = await session.api.get('device-states:silent', { hours, page_size: 200 });
      return [h('p', { 'data-silent-total': s.total || 0 }, `${num(s.total)} équipement(s) silencieux depuis plus de ${hours} h`,
        Number(s.total) > (s.devices || []).length ? ` (les ${(s.devices || []).length} premiers affichés)` : ''),
      table(['Unité', 'Silencieux'], (s.byUnit || []).map(u => h('tr', h('td', u.unitCode || 'stock central'), h('td.n', num(u.count))))),
      table(['IMEI', 'Modèle', 'Unité', 'Dernier relevé reçu'], (s.devices || []).map(x => h('tr', h('td', deviceLink(x.imei)), h('td', x.model || ''),
        h('td', x.unitCode || 'stock central'), h('td', x.neverReported ? `jamais (enrôlé ${when(x.enrolTime)})` : when(x.lastReceiveTime)))))];
    })));
  }
  return out;
}
