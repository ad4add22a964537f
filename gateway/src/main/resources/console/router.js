// Pages are addressed by the URL's fragment (#/section/part?param=…).

import { h } from './dom.js';

export function route() {
  const [path, query] = (location.hash || '#/overview').slice(2).split('?');
  return { parts: path.split('/').map(decodeURIComponent), params: new URLSearchParams(query || '') };
}

export function go(path, params) {
  const q = new URLSearchParams(Object.entries(params || {}).filter(([, v]) => v)).toString();
  location.hash = `#/${path}${q ? `?${q}` : ''}`;
}

export function deviceLink(imei) {
  return h('a', { href: `#/devices/${encodeURIComponent(imei)}` }, imei);
}

/** Renders the current page again (after an action changed what it shows): the shell listens to hashchange. */
export function rerender() {
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}
