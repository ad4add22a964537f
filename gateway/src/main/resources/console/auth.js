// Login with Keycloak: authorization code + PKCE (S256) with the public client the gateway names
// in config.json. Tokens live in this tab's sessionStorage only and are refreshed before expiry.

const KEY = 'neogend.console.tokens';
const PENDING = 'neogend.console.login';

function b64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(n) {
  const bytes = new Uint8Array(n);
  crypto.getRandomValues(bytes);
  return b64url(bytes);
}

function redirectUri() {
  return `${location.origin}/console/`;
}

function claimsOf(jwt) {
  const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
  const json = decodeURIComponent(atob(part).split('').map(c => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''));
  return JSON.parse(json);
}

export class Auth {
  constructor(config) {
    this.config = config;
    this.tokens = JSON.parse(sessionStorage.getItem(KEY) || 'null');
  }

  endpoint(path) {
    return `${this.config.issuer}/protocol/openid-connect/${path}`;
  }

  /** Sends the browser to Keycloak's login page; comes back to /console/ with a code. */
  async login() {
    const verifier = randomText(48);
    const state = randomText(16);
    const challenge = b64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state, route: location.hash || '#/overview' }));
    const q = new URLSearchParams({
      client_id: this.config.clientId, redirect_uri: redirectUri(), response_type: 'code', scope: 'openid',
      state, code_challenge: challenge, code_challenge_method: 'S256',
    });
    location.assign(`${this.endpoint('auth')}?${q}`);
  }

  /** Finishes a login when the URL carries Keycloak's answer; returns the route to show, or null. */
  async completeLogin() {
    const params = new URLSearchParams(location.search);
    if (!params.has('code') && !params.has('error')) {
      return null;
    }
    const pending = JSON.parse(sessionStorage.getItem(PENDING) || 'null');
    sessionStorage.removeItem(PENDING);
    history.replaceState(null, '', '/console/');
    if (params.has('error')) {
      throw new Error(`Keycloak a refusé la connexion : ${params.get('error_description') || params.get('error')}`);
    }
    if (!pending || pending.state !== params.get('state')) {
      throw new Error('cette réponse ne correspond à aucune connexion commencée ici ; reconnectez-vous');
    }
    await this.tokenRequest({
      grant_type: 'authorization_code', code: params.get('code'), redirect_uri: redirectUri(),
      code_verifier: pending.verifier, client_id: this.config.clientId,
    });
    return pending.route;
  }

  async tokenRequest(form) {
    let response;
    try {
      response = await fetch(this.endpoint('token'), {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form),
      });
    } catch (e) {
      throw new Error(`Keycloak injoignable (${this.config.issuer})`);
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      this.forget();
      throw new Error(`Keycloak a refusé la demande de jeton : ${body.error_description || body.error || response.status}`);
    }
    this.tokens = {
      access: body.access_token, refresh: body.refresh_token, id: body.id_token,
      expiresAt: Date.now() + (body.expires_in || 60) * 1000,
    };
    sessionStorage.setItem(KEY, JSON.stringify(this.tokens));
  }

  /** A valid access token (refreshed when it expires within 30 s), or null when signed out. */
  async accessToken() {
    if (!this.tokens) {
      return null;
    }
    if (Date.now() > this.tokens.expiresAt - 30000) {
      if (!this.tokens.refresh) {
        this.forget();
        return null;
      }
      await this.tokenRequest({ grant_type: 'refresh_token', refresh_token: this.tokens.refresh, client_id: this.config.clientId });
    }
    return this.tokens.access;
  }

  /** Who is signed in: name, roles, unit (from the access token). */
  user() {
    if (!this.tokens) {
      return null;
    }
    const c = claimsOf(this.tokens.access);
    const roles = (c.realm_access && c.realm_access.roles) || [];
    return { name: c.preferred_username || c.sub, roles, unit: c.unit_code || '', has: r => roles.includes(r) };
  }

  forget() {
    this.tokens = null;
    sessionStorage.removeItem(KEY);
  }

  logout() {
    const idToken = this.tokens && this.tokens.id;
    this.forget();
    const q = new URLSearchParams({ client_id: this.config.clientId, post_logout_redirect_uri: redirectUri() });
    if (idToken) {
      q.set('id_token_hint', idToken);
    }
    location.assign(`${this.endpoint('logout')}?${q}`);
  }
}
