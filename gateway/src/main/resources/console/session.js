// Who is signed in and what the console was told at start, shared by every page (set by app.js).

export const FM = 'fleet-manager', UM = 'unit-manager', TECH = 'technician', AUD = 'auditor';

/** The signed-in session: set once by app.js (auth, api, config), user on every render. */
export const session = { auth: null, api: null, user: null, config: null };

export const main = document.getElementById('main');

/** Whether the signed-in user holds one of these roles. */
export function may(...roles) {
  return roles.some(r => session.user.has(r));
}
