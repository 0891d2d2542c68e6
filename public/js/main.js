import { initAccount as initAccountView } from './account.js';
import { initAdmin } from './admin.js';
import { api, onRefused } from './api.js';
import { initFiles } from './files.js';
import { initSounds } from './sounds.js';
import { initTrash } from './trash.js';
import { $, clearMessage, clearMessagesOnNewActions, showMessage, showNotice } from './ui.js';

/** Who is logged in: `{id, username, role}` or null. Views re-render when it changes. */
const session = {
  user: null,
  listeners: [],
  set(user) {
    this.user = user;
    for (const listener of this.listeners) listener(user);
  },
  onChange(listener) {
    this.listeners.push(listener);
  },
};

async function readSession() {
  // GET / answers the caller's account when the session cookie is valid, else a greeting.
  try {
    const me = await api('GET', '/');
    session.set(me && typeof me.id === 'number' ? { id: me.id, username: me.username, role: me.role } : null);
  } catch {
    session.set(null);
  }
}

/**
 * Whether the page's session still stands, asked when the server refused something (or the tab
 * comes back into view): a block, "log out everywhere" on another device or an expiry ends it
 * under the page, which then goes back to the login form and says why, in the server's words
 * when it gave them. A refusal of one action (not allowed, a wrong password) changes nothing.
 */
let checking = null;
function checkSession(refusal) {
  if (!session.user) return Promise.resolve();
  checking ??= (async () => {
    const user = session.user;
    let response;
    try {
      response = await fetch('/', { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
    } catch {
      return; // Offline: nothing is known about the session.
    }
    // 403: a session that must change its password first; it stands.
    if (!response.ok) return;
    const me = await response.json().catch(() => null);
    if (me && me.id === user.id) return;
    session.set(null);
    const blocked = refusal?.reason?.startsWith('Login blocked') ? refusal.message : '';
    showNotice(blocked ? `You are logged out. ${blocked}` : 'You are logged out: your session has ended. Log in again to continue.');
  })().finally(() => {
    checking = null;
  });
  return checking;
}

function renderWho(user) {
  $('#who-text').textContent = user ? `Logged in as ${user.username}` : 'Not logged in';
  $('#logout').hidden = !user;
  $('#account').hidden = Boolean(user);
}

function initAccount() {
  const form = $('#account-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const action = event.submitter?.value ?? 'login';
    const username = $('#username').value.trim();
    const password = $('#password').value;
    if (!/^[A-Za-z0-9]{3,20}$/.test(username)) return showMessage('A username is 3 to 20 letters and digits.', 'error');
    if (password.length < 8) return showMessage('A password has at least 8 characters.', 'error');
    for (const button of form.querySelectorAll('button')) button.disabled = true;
    try {
      if (action === 'register') await api('POST', '/register', { username, password });
      await api('POST', '/login', { username, password });
      form.reset();
      await readSession();
      showMessage(action === 'register' ? `Welcome, ${username}! Your account is ready.` : `Welcome back, ${username}.`, 'ok');
    } catch (error) {
      // The server's words: "Wrong username or password", or why the login is blocked.
      showMessage(error.message, 'error');
    } finally {
      for (const button of form.querySelectorAll('button')) button.disabled = false;
    }
  });

  $('#logout').addEventListener('click', async () => {
    try {
      await api('POST', '/logout');
    } catch {
      // The session is gone either way; the page only has to forget it.
    }
    session.set(null);
    showMessage('You are logged out.', 'ok');
  });
}

function initTabs(views) {
  const show = (name) => {
    for (const [key, view] of Object.entries(views)) {
      $(`#tab-${key}`).setAttribute('aria-pressed', String(key === name));
      $(`#view-${key}`).hidden = key !== name;
    }
    clearMessage();
    views[name].shown();
  };
  for (const key of Object.keys(views)) $(`#tab-${key}`).addEventListener('click', () => show(key));
  return show;
}

async function start() {
  clearMessagesOnNewActions();
  onRefused(checkSession);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void checkSession();
  });
  session.onChange(renderWho);
  const sounds = initSounds(session);
  const files = initFiles(session);
  const trash = initTrash(session);
  const account = initAccountView(session);
  const admin = initAdmin(session);
  initAccount();
  const show = initTabs({ sounds, files, trash, account, admin });
  // An admin view left open by a user who logs out (or is no admin) goes back to the sounds.
  session.onChange((user) => {
    if (user?.role !== 'admin' && !$('#view-admin').hidden) show('sounds');
  });
  await readSession();
  await sounds.shown();
}

start();
