// Calls to the gateway's REST API with the signed-in user's token. Errors are the API's problem
// documents, shown as they are (status, code, detail), never swallowed.

export class ApiError extends Error {
  constructor(status, problem) {
    super(`${status} ${problem.code || ''}: ${problem.detail || problem.title || 'échec de la requête'}`);
    this.status = status;
    this.problem = problem;
  }
}

export class Api {
  constructor(auth, onSignedOut) {
    this.auth = auth;
    this.onSignedOut = onSignedOut;
  }

  async request(method, path, { query, body, raw } = {}) {
    const token = await this.auth.accessToken();
    if (!token) {
      this.onSignedOut();
      throw new ApiError(401, { code: 'UNAUTHENTICATED', detail: 'déconnecté' });
    }
    const url = new URL(`/api/v1/${path}`, location.origin);
    Object.entries(query || {}).forEach(([k, v]) => {
      if (v !== undefined && v !== null && v !== '') {
        url.searchParams.set(k, v);
      }
    });
    const headers = { Authorization: `Bearer ${token}` };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
    }
    let response;
    for (let attempt = 0; ; attempt++) {
      response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      // over the gateway's per-user rate: wait as told and try again (twice at most); a write is
      // safe to resend, it was refused before reaching any service
      if (response.status !== 429 || attempt >= 2) {
        break;
      }
      const wait = Math.min(Number(response.headers.get('Retry-After')) || 1, 10);
      await new Promise(resolve => setTimeout(resolve, wait * 1000));
    }
    if (response.status === 401) {
      this.auth.forget();
      this.onSignedOut();
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => ({ detail: response.statusText }));
      throw new ApiError(response.status, problem);
    }
    return raw ? response : response.json();
  }

  get(path, query) {
    return this.request('GET', path, { query });
  }

  post(path, body) {
    return this.request('POST', path, { body: body || {} });
  }
}
