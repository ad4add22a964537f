import { h, table, card, section, toast, problem, later, paged } from '../dom.js';
import { LABELS, label, when, money, num, isoDay } from '../labels.js';
import { route, go, deviceLink, rerender } from '../router.js';
import { session, main, may, FM, UM, TECH, AUD } from '../session.js';
import { ApiError } from '../api.js';

// ---------------------------------------------------------------- training

export async function training() {
  const out = [h('h1', 'Formation')];
  out.push(section('Sessions à venir et en cours', paged(['Session', 'Module', 'Du', 'Au', 'Lieu', 'Places', 'Inscrits', 'En attente', ''], async token => {
    const p = await session.api.get('sessions', { page_size: 20, page_token: token });
    return {
      next: p.nextPageToken,
      rows: (p.sessions || []).map(s => {
        const enrolled = (s.enrolments || []).filter(e => ['ENROLMENT_STATUS_ENROLLED', 'ENROLMENT_STATUS_PASSED', 'ENROLMENT_STATUS_FAILED', 'ENROLMENT_STATUS_ABSENT'].includes(e.status)).length;
        const waiting = (s.enrolments || []).filter(e => e.status === 'ENROLMENT_STATUS_WAITLISTED').length;
        const mine = (s.enrolments || []).find(e => e.technician === session.user.name && e.status !== 'ENROLMENT_STATUS_WITHDRAWN');
        // days are Paris days, as the training service counts them: open until the first day, and on it while a seat is free
        const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
        const canEnrol = session.user.has(TECH) && !mine
          && (isoDay(s.startDate) > today || (isoDay(s.startDate) === today && enrolled < s.capacity));
        return h('tr', { 'data-session': s.id }, h('td', s.id), h('td', s.courseCode), h('td', isoDay(s.startDate)), h('td', isoDay(s.endDate)), h('td', s.place),
          h('td.n', s.capacity), h('td.n', enrolled), h('td.n', waiting),
          h('td', mine ? label(mine.status) : canEnrol ? h('button', { type: 'button', 'data-action': 'enrol', onclick: async () => {
            try {
              const r = await session.api.post(`sessions/${encodeURIComponent(s.id)}:enroll`, {});
              const me = (r.enrolments || []).find(e => e.technician === session.user.name);
              toast(`${s.id} : ${me ? label(me.status) : 'fait'}`);
              rerender();
            } catch (e) {
              toast(e.message, 'error');
            }
          } }, 'M’inscrire') : null));
      }),
    };
  }, { 'data-list': 'sessions' })));
  if (may(FM, AUD)) {
    out.push(section('Certifications expirant sous 90 jours', later(async () => {
      const c = await session.api.get('certifications:expiring', { within_days: 90 });
      return table(['Technicien', 'Module', 'Modèles', 'Valable jusqu’au'], (c.certifications || []).map(x => h('tr',
        h('td', x.technician), h('td', x.courseCode), h('td', (x.modelFamilies || []).join(', ')), h('td', isoDay(x.validUntil)))));
    })));
  }
  return out;
}
