import { api, pathUrl } from './api.js';
import { $, formatBytes, formatDate, fromTemplate, labelFor, showMessage } from './ui.js';

const PAGE_SIZE = 20;
const MB = 1024 * 1024;

/**
 * The admin console: users with search and paging, storage used against the quota, role, block
 * with a reason, quota, a forced password change, ending sessions, deletion. The server refuses
 * what it protects (the start-up admin), and the page says why in words.
 */
export function initAdmin(session) {
  let offset = 0;
  let q = '';
  let open = null;

  async function load() {
    if (session.user?.role !== 'admin') return;
    try {
      const page = await api('GET', `/admin/users?offset=${offset}&limit=${PAGE_SIZE}${q ? `&q=${encodeURIComponent(q)}` : ''}`);
      render(page);
    } catch (error) {
      showMessage(`Could not load the users: ${error.message}`, 'error');
    }
  }

  function render({ items, total }) {
    $('#admin-list').replaceChildren(...items.flatMap(renderUser));
    $('#admin-count').textContent = total === 1 ? '1 user' : `${total} users`;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    $('#admin-page').textContent = `Page ${Math.floor(offset / PAGE_SIZE) + 1} of ${pages}`;
    $('#admin-prev').disabled = offset === 0;
    $('#admin-next').disabled = offset + PAGE_SIZE >= total;
  }

  function status(user) {
    const parts = [];
    if (user.blockLogin) parts.push(user.blockLoginReason ? `Blocked: ${user.blockLoginReason}` : 'Blocked');
    if (user.changePasswordOnFirstLogin) parts.push('Must change password');
    return parts.join(' · ') || `Active since ${formatDate(user.createdAt)}`;
  }

  function renderUser(user) {
    const tr = fromTemplate('admin-row');
    tr.dataset.username = user.username;
    $('.user-name', tr).textContent = user.username;
    $('.user-role', tr).textContent = user.startupAdmin ? 'start-up admin' : user.role === 'admin' ? 'admin' : '';
    const quota = user.storageQuota === null ? '(no quota)' : `of ${formatBytes(user.storageQuota)}`;
    const storage = `${formatBytes(user.bytesStored)} ${quota} · ${user.fileCount} file${user.fileCount === 1 ? '' : 's'}`;
    $('.user-storage', tr).textContent = storage;
    $('.user-status', tr).textContent = status(user);
    $('.narrow-meta', tr).textContent = `${storage} · ${status(user)}`;
    const toggle = $('.details-toggle', tr);
    const isOpen = open === user.username;
    toggle.setAttribute('aria-expanded', String(isOpen));
    toggle.setAttribute('aria-label', `Manage ${user.username}`);
    toggle.textContent = isOpen ? 'Close' : 'Manage';
    toggle.addEventListener('click', () => {
      open = isOpen ? null : user.username;
      load();
    });
    if (!isOpen) return [tr];
    tr.classList.add('open');
    const details = fromTemplate('details-row');
    $('td', details).colSpan = 4;
    const panel = fromTemplate('admin-panel');
    $('.details-panel', details).append(panel);
    $('.details-panel', details).setAttribute('aria-label', `Manage ${user.username}`);
    wirePanel(panel, user);
    return [tr, details];
  }

  async function change(user, body, words) {
    try {
      await api('PATCH', pathUrl('/admin/users', [user.username]), body);
      showMessage(words, 'ok');
    } catch (error) {
      showMessage(`Could not change ${user.username}: ${error.message}`, 'error');
    }
    await load();
  }

  function wirePanel(panel, user) {
    const role = $('.user-role-select', panel);
    const quota = $('.user-quota', panel);
    const reason = $('.user-reason', panel);
    labelFor($('.role-label', panel), role, `Role of ${user.username}`);
    labelFor($('.quota-label', panel), quota, `Quota of ${user.username} in MB (empty: unlimited)`);
    labelFor($('.reason-label', panel), reason, `Reason for blocking ${user.username}`);
    role.value = user.role;
    quota.value = user.storageQuota === null ? '' : String(Math.round(user.storageQuota / MB));
    reason.value = user.blockLoginReason ?? '';
    $('.user-save', panel).addEventListener('click', () => {
      const mb = quota.value.trim();
      if (mb !== '' && !(Number.isInteger(Number(mb)) && Number(mb) >= 0)) return showMessage('A quota is a whole number of MB, or empty for none.', 'error');
      change(user, { role: role.value, storageQuota: mb === '' ? null : Number(mb) * MB }, `Saved ${user.username}'s role and quota.`);
    });
    const block = $('.user-block', panel);
    const unblock = $('.user-unblock', panel);
    block.hidden = user.blockLogin;
    unblock.hidden = !user.blockLogin;
    // The server refuses these for the start-up admin; the page says so instead of offering them.
    $('.startup-note', panel).hidden = !user.startupAdmin;
    role.disabled = user.startupAdmin;
    block.disabled = user.startupAdmin;
    reason.disabled = user.startupAdmin;
    $('.user-delete', panel).disabled = user.startupAdmin;
    block.addEventListener('click', () => {
      if (!window.confirm(`Block ${user.username}? They are logged out everywhere and cannot log in until you unblock them.`)) return;
      change(user, { blockLogin: true, blockLoginReason: reason.value.trim() || null }, `Blocked ${user.username}; their sessions are ended.`);
    });
    unblock.addEventListener('click', () => change(user, { blockLogin: false, blockLoginReason: null }, `Unblocked ${user.username}.`));
    $('.user-force', panel).addEventListener('click', () => change(user, { changePasswordOnFirstLogin: true }, `${user.username} must change their password at the next login.`));
    $('.user-sessions', panel).addEventListener('click', async () => {
      if (!window.confirm(`End every session of ${user.username}? They are logged out everywhere and must log in again; their app passwords keep working.`)) return;
      try {
        await api('DELETE', `${pathUrl('/admin/users', [user.username])}/sessions`);
        showMessage(`Ended every session of ${user.username}.`, 'ok');
      } catch (error) {
        showMessage(`Could not end the sessions: ${error.message}`, 'error');
      }
    });
    $('.user-delete', panel).addEventListener('click', async () => {
      if (!window.confirm(`Delete ${user.username} with all their files, sounds and trash? This cannot be undone.`)) return;
      try {
        await api('DELETE', pathUrl('/user', [user.username]));
        showMessage(`Deleted ${user.username}.`, 'ok');
        open = null;
      } catch (error) {
        showMessage(`Could not delete ${user.username}: ${error.message}`, 'error');
      }
      await load();
    });
  }

  $('#admin-search').addEventListener('submit', (event) => {
    event.preventDefault();
    q = $('#admin-q').value.trim();
    offset = 0;
    load();
  });
  $('#admin-prev').addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE_SIZE);
    load();
  });
  $('#admin-next').addEventListener('click', () => {
    offset += PAGE_SIZE;
    load();
  });
  session.onChange((user) => {
    $('#tab-admin').hidden = user?.role !== 'admin';
  });
  return { shown: load };
}
