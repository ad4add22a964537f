import { h, table, card, section, toast, later } from '../dom.js';
import { label, when, num } from '../labels.js';
import { go, rerender } from '../router.js';
import { session, may, FM } from '../session.js';

// ---------------------------------------------------------------- ROM update campaigns (issue 20)

/** The figures of a campaign's progress, in the API's order (CampaignProgress), with their headings. */
const FIGURES = [['targeted', 'Ciblés'], ['sent', 'Envoyés'], ['delivered', 'Remis'], ['installed', 'Installés (à confirmer)'],
  ['confirmed', 'Confirmés'], ['failed', 'En échec'], ['silent', 'Silencieux'], ['withdrawn', 'Retirés'], ['skipped', 'Écartés']];

function progress(heading, name, lines, key) {
  return table([heading, ...FIGURES.map(([, title]) => title)], lines.map(p => h('tr', { [`data-${name}`]: key(p) },
    h('td', key(p)), FIGURES.map(([figure]) => h('td.n', { 'data-figure': figure }, num(p[figure]))))));
}

function action(c, verb, text) {
  return h('button', { type: 'button', 'data-campaign-action': verb, onclick: async () => {
    if (verb === 'cancel' && !confirm(`Annuler la campagne ${c.id} ? Les mises à jour pas encore installées seront retirées.`)) {
      return;
    }
    try {
      const r = await session.api.post(`update-campaigns/${encodeURIComponent(c.id)}:${verb}`);
      toast(`${c.id}: ${label(r.state, 'CAMPAIGN_STATE_')}`);
      rerender();
    } catch (e) {
      toast(e.message, 'error');
    }
  } }, text);
}

function download(id) {
  return h('button', { type: 'button', 'data-download': 'campaign', onclick: async () => {
    try {
      const response = await session.api.request('GET', `update-campaigns/${encodeURIComponent(id)}:csv`, { raw: true });
      const a = h('a', { href: URL.createObjectURL(await response.blob()), download: `campaign-${id}.csv` });
      document.body.append(a);
      a.click();
      setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    } catch (e) {
      toast(e.message, 'error');
    }
  } }, 'Télécharger le CSV (par vague et unité)');
}

export async function updates({ params }) {
  const campaigns = (await session.api.get('update-campaigns')).campaigns || [];
  const out = [h('h1', 'Mises à jour ROM')];
  if (!campaigns.length) {
    out.push(h('p.muted', 'Aucune campagne de mise à jour.'));
    return out;
  }
  const id = params.get('campaign') || campaigns[0].id;
  out.push(section('Campagnes (les plus récentes d’abord)', table(
    ['Campagne', 'Version', 'Modèle', 'Périmètre', 'État', 'Vague', 'Ciblés', 'Créée le'],
    campaigns.map(c => h('tr', { 'data-campaign': c.id, class: c.id === id ? 'current' : null },
      h('td', h('a', { href: '#', onclick: e => { e.preventDefault(); go('updates', { campaign: c.id }); } }, c.id)),
      h('td', c.releaseId), h('td', c.model), h('td', c.unitCode || 'toute la flotte'),
      h('td', { 'data-state': c.state }, label(c.state, 'CAMPAIGN_STATE_')),
      h('td.n', `${c.currentWave || 0} / ${(c.wavePercents || []).length}`), h('td.n', num(c.targeted)), h('td', when(c.createTime)))))));
  out.push(section(`Campagne ${id}`, later(async () => {
    const v = await session.api.get(`update-campaigns/${encodeURIComponent(id)}`);
    const c = v.campaign;
    const actions = may(FM) ? [
      c.state === 'CAMPAIGN_STATE_RUNNING' ? action(c, 'pause', 'Suspendre') : null,
      ['CAMPAIGN_STATE_PAUSED', 'CAMPAIGN_STATE_HALTED'].includes(c.state) ? action(c, 'resume', 'Reprendre') : null,
      ['CAMPAIGN_STATE_RUNNING', 'CAMPAIGN_STATE_PAUSED', 'CAMPAIGN_STATE_HALTED'].includes(c.state) ? action(c, 'cancel', 'Annuler') : null] : [];
    return [h('div.cards',
      card('État', label(c.state, 'CAMPAIGN_STATE_'), { 'data-campaign-card': 'state', class: c.state === 'CAMPAIGN_STATE_HALTED' ? 'card warn' : 'card' }),
      card('Vague en cours', `${c.currentWave || 0} / ${(c.wavePercents || []).length} (${(c.wavePercents || []).join(' – ')} %)`),
      (c.unitWaves || []).length ? card('Vagues par unité', [...c.unitWaves.map((w, i) => `${i + 1}) ${(w.unitCodes || []).join(', ')}`),
        `${c.unitWaves.length + 1}) les autres unités (s’il en reste)`].join(' ; ')) : null,
      card('Ciblés', num(c.targeted), { 'data-campaign-card': 'targeted' }),
      card('Laissés de côté', num(c.leftOut)),
      card('Seuil d’arrêt', `${c.haltFailurePercent || 0} % d’échecs`)),
    c.haltReason ? h('p.error', { role: 'alert', 'data-halt-reason': true }, c.haltReason) : null,
    h('p.muted', `Version ${c.releaseId} (${c.model}), ${c.unitCode ? `unités sous ${c.unitCode}` : 'toute la flotte'}, lancée par ${c.createdBy || '—'} le ${when(c.createTime)}.`,
      (c.maintenanceWindows || []).length ? ` Fenêtres de maintenance (heure de Paris) : ${c.maintenanceWindows.map(w =>
        `${w.unitCode} ${String(w.start?.hours || 0).padStart(2, '0')}:${String(w.start?.minutes || 0).padStart(2, '0')}–${String(w.end?.hours || 0).padStart(2, '0')}:${String(w.end?.minutes || 0).padStart(2, '0')}`).join(', ')}.` : ''),
    h('div.actions', actions, download(c.id)),
    h('h3', 'Par vague'), progress('Vague', 'wave', v.waves || [], p => String(p.wave || 0)),
    h('h3', 'Par unité'), progress('Unité', 'unit', v.units || [], p => p.unitCode || '')];
  })));
  return out;
}
