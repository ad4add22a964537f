import { h, table, card, section, toast, problem, later, paged } from '../dom.js';
import { LABELS, label, when, money, num } from '../labels.js';
import { route, go, deviceLink, rerender } from '../router.js';
import { session, main, may, FM, UM, TECH, AUD } from '../session.js';
import { ApiError } from '../api.js';

// ---------------------------------------------------------------- one device

export async function device({ parts }) {
  const imei = parts[1];
  const d = (await session.api.get(`devices/${encodeURIComponent(imei)}`));
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
        await session.api.post(`devices/${encodeURIComponent(d.imei)}:declareLoss`, {
          kind, policeReportReference: f.get('report'), expectedVersion: d.version });
        toast(`${d.imei} déclaré ${kind === 'LOSS_KIND_STOLEN' ? 'volé : LOCK et WIPE en file' : 'perdu : LOCK en file'}`);
        rerender();
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
          const s = await session.api.get(`devices/${encodeURIComponent(d.imei)}/state`);
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
      const p = await session.api.get(`devices/${encodeURIComponent(d.imei)}/history`, { page_size: 10, page_token: token });
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
      const list = (await session.api.get(`devices/${encodeURIComponent(d.imei)}/commands`)).commands || [];
      const kind = c => String(c.command || '').replace('COMMAND_KIND_', '');
      const missing = expected.filter(x => !list.some(c => kind(c) === x));
      // an UPDATE says which release, and why it failed or was postponed
      const detail = x => [x.update ? `${x.update.releaseId} (${x.update.buildFingerprint})` : '',
        x.postponements ? `reportée ${x.postponements} fois` : '', x.outcomeReason || ''].filter(Boolean).join(' — ');
      box.replaceChildren(table(['Commande', 'Statut', 'Mise en file', 'Détail'], list.map(x => h('tr', { 'data-command': kind(x) },
        h('td', label(x.command)), h('td', label(x.status)), h('td', when(x.queueTime)), h('td', detail(x))))),
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
