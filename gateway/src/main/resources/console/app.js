// The NéoGEND fleet console: a single page over the gateway's REST API. Every figure shown is the
// API's answer to the signed-in user's token; actions a role may not take are not offered (and the
// API refuses them anyway). The DOM is built with createElement/textContent only (no HTML strings).
// The shell: sections, sign-in and rendering; pages in pages/, helpers in dom.js, labels.js, router.js,
// session.js (ES modules, no build step).

import { Auth } from './auth.js';
import { Api } from './api.js';
import { h, table, card, section, toast, problem, later, paged } from './dom.js';
import { LABELS, label, when, money, num } from './labels.js';
import { route, go, deviceLink } from './router.js';
import { session, main, may, FM, UM, TECH, AUD } from './session.js';
import { overview } from './pages/overview.js';
import { device } from './pages/device.js';
import { compliance } from './pages/compliance.js';
import { map } from './pages/map.js';
import { orders } from './pages/orders.js';
import { workshop } from './pages/workshop.js';
import { training } from './pages/training.js';
import { updates } from './pages/updates.js';

const SECTIONS = [
  { id: 'overview', title: 'Flotte', roles: [FM, UM, TECH, AUD], render: overview },
  { id: 'compliance', title: 'Conformité', roles: [FM, UM, TECH, AUD], render: compliance },
  { id: 'updates', title: 'Mises à jour ROM', roles: [FM, UM, AUD], render: updates },
  { id: 'map', title: 'Carte', roles: [FM, UM], render: map },
  { id: 'orders', title: 'Marché et commandes', roles: [FM, AUD], render: orders },
  { id: 'workshop', title: 'Stocks et réparations', roles: [FM, TECH, AUD], render: workshop },
  { id: 'training', title: 'Formation', roles: [FM, TECH, AUD], render: training },
];

// ---------------------------------------------------------------- shell

function shell() {
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const current = route().parts[0];
  nav.replaceChildren(...SECTIONS.filter(s => may(...s.roles)).map(s =>
    h('a', { href: `#/${s.id}`, class: current === s.id ? 'current' : null, 'data-nav': s.id }, s.title)));
  const roles = session.user.roles.filter(r => [FM, UM, TECH, AUD].includes(r));
  who.replaceChildren(h('span', { 'data-user': session.user.name }, session.user.name), h('span.muted', ` ${roles.join(', ')}${session.user.unit ? ` · ${session.user.unit}` : ''} `),
    h('button', { type: 'button', onclick: () => session.auth.logout() }, 'Se déconnecter'));
}

async function render() {
  if (!session.auth.tokens) {
    signIn();
    return;
  }
  session.user = session.auth.user();
  shell();
  const r = route();
  const section = SECTIONS.find(s => s.id === r.parts[0]);
  const page = r.parts[0] === 'devices' ? { render: device, roles: [FM, UM, TECH, AUD] } : section;
  main.replaceChildren(h('p.muted', 'Chargement…'));
  if (!SECTIONS.some(s => may(...s.roles))) {
    main.replaceChildren(h('h1', 'Compte non habilité'), h('p', `${session.user.name} ne détient aucun des rôles de la console (gestionnaire de flotte, gestionnaire d’unité, technicien, auditeur).`));
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
    h('button.primary', { type: 'button', id: 'sign-in', onclick: () => session.auth.login() }, 'Se connecter')));
}

async function start() {
  try {
    session.config = await (await fetch('config.json')).json();
  } catch (e) {
    main.replaceChildren(problem(new Error('impossible de lire les réglages de la console (config.json)')));
    return;
  }
  session.auth = new Auth(session.config);
  session.api = new Api(session.auth, () => signIn('Votre session a pris fin ; reconnectez-vous.'));
  try {
    const back = await session.auth.completeLogin();
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
