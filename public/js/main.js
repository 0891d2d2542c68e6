import { initAccount as initAccountView } from './account.js';
import { initAdmin } from './admin.js';
import { api } from './api.js';
import { initFiles } from './files.js';
import { initSounds } from './sounds.js';
import { initTrash } from './trash.js';
import { $, showMessage, clearMessage } from './ui.js';

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
      showMessage(error.status === 403 && action === 'login' ? 'Wrong username or password.' : error.message, 'error');
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
