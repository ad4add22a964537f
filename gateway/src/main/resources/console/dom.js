// DOM helpers: the DOM is built with createElement/textContent only (no HTML strings).

import { ApiError } from './api.js';


/** h('tag.class', {attr: value, onclick: fn}, children…) — text children become text nodes. */
export function h(spec, attrs, ...children) {
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

export function table(headers, rows, attrs) {
  return h('div.scroll', h('table', attrs || {},
    h('thead', h('tr', headers.map(x => h('th', x)))),
    h('tbody', rows.length ? rows : h('tr', h('td.muted', { colspan: headers.length }, 'Rien à afficher.')))));
}

export function card(title, value, attrs) {
  return h('div.card', attrs || {}, h('div.card-title', title), h('div.card-value', value));
}

export function section(title, ...body) {
  return h('section.panel', h('h2', title), ...body);
}

export function toast(text, kind) {
  const t = document.getElementById('toast');
  t.textContent = text;
  t.className = kind || 'ok';
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.className = ''; t.textContent = ''; }, 6000);
}

export function problem(e) {
  return h('p.error', { role: 'alert' }, e instanceof ApiError ? e.message : `Erreur : ${e.message}`);
}

/** A placeholder filled by an async loader; a failure shows the API's problem in place. */
export function later(load) {
  const box = h('div.later', h('p.muted', 'Chargement…'));
  Promise.resolve().then(load).then(content => box.replaceChildren(...[content].flat(Infinity).filter(c => c !== null && c !== undefined)))
    .catch(e => box.replaceChildren(problem(e)));
  return box;
}

/**
 * A paginated list: fetch(pageToken) returns {rows, next}; Previous/Next walk the API's page tokens.
 */
export function paged(headers, fetchPage, attrs) {
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
