import { api, pathUrl } from './api.js';
import { $, copyText as copy, formatDate, fromTemplate, showMessage } from './ui.js';


/** A user agent in a few words ("Chrome on Linux", "rclone"), or what it says when it is none we know. */
function describeAgent(agent) {
  if (!agent) return 'Unknown client';
  const browser = [['Edg/', 'Edge'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Safari/', 'Safari'], ['rclone', 'rclone'], ['curl', 'curl']].find(([mark]) => agent.includes(mark));
  const system = [['Windows', 'Windows'], ['Android', 'Android'], ['iPhone', 'iPhone'], ['Mac OS', 'macOS'], ['Linux', 'Linux']].find(([mark]) => agent.includes(mark));
  if (!browser) return agent.length > 60 ? `${agent.slice(0, 57)}…` : agent;
  return system ? `${browser[1]} on ${system[1]}` : browser[1];
}

/** "Account": the WebDAV address, app passwords (shown once), sessions, and a password change. */
export function initAccount(session) {
  async function load() {
    const user = session.user;
    $('#account-login').hidden = Boolean(user);
    $('#account-body').hidden = !user;
    $('#app-password-new').hidden = true;
    if (!user) return;
    $('#dav-address').value = `${window.location.origin}/dav/`;
    try {
      const [passwords, sessions] = await Promise.all([api('GET', '/auth/app-passwords'), api('GET', '/auth/sessions')]);
      renderAppPasswords(passwords);
      renderSessions(sessions);
    } catch (error) {
      showMessage(`Could not load your account: ${error.message}`, 'error');
    }
  }

  async function refreshLists() {
    const [passwords, sessions] = await Promise.all([api('GET', '/auth/app-passwords'), api('GET', '/auth/sessions')]);
    renderAppPasswords(passwords);
    renderSessions(sessions);
  }

  function renderAppPasswords(passwords) {
    $('#app-password-list').replaceChildren(
      ...passwords.map((entry) => {
        const item = fromTemplate('app-password-item');
        $('.app-password-name', item).textContent = entry.name;
        $('.app-password-meta', item).textContent = `created ${formatDate(entry.createdAt)} · ${entry.lastUsedAt ? `last used ${formatDate(entry.lastUsedAt)}` : 'never used'}`;
        const revoke = $('.app-password-revoke', item);
        revoke.setAttribute('aria-label', `Revoke app password ${entry.name}`);
        revoke.addEventListener('click', async () => {
          if (!window.confirm(`Revoke "${entry.name}"? Whatever uses it will be logged out.`)) return;
          try {
            await api('DELETE', pathUrl('/auth/app-passwords', [String(entry.id)]));
            showMessage(`Revoked "${entry.name}".`, 'ok');
            await refreshLists();
          } catch (error) {
            showMessage(error.message, 'error');
          }
        });
        return item;
      }),
    );
    $('#app-passwords-empty').hidden = passwords.length > 0;
  }

  function renderSessions(sessions) {
    $('#session-list').replaceChildren(
      ...sessions.map((entry) => {
        const item = fromTemplate('session-item');
        const agent = describeAgent(entry.userAgent);
        $('.session-agent', item).textContent = entry.current ? `This browser (${agent})` : agent;
        $('.session-meta', item).textContent = `${(entry.ip ?? '').replace(/^::ffff:/, '')} · since ${formatDate(entry.createdAt)} · last seen ${formatDate(entry.lastSeenAt)}`;
        const end = $('.session-end', item);
        end.hidden = entry.current;
        end.setAttribute('aria-label', `End the session of ${agent} from ${formatDate(entry.createdAt)}`);
        end.addEventListener('click', async () => {
          if (!window.confirm(`End the session of ${agent}, last seen ${formatDate(entry.lastSeenAt)}? It is logged out and must log in again.`)) return;
          try {
            await api('DELETE', pathUrl('/auth/sessions', [entry.id]));
            showMessage('Session ended.', 'ok');
            await refreshLists();
          } catch (error) {
            showMessage(error.message, 'error');
          }
        });
        return item;
      }),
    );
  }

  $('#sessions-end-others').addEventListener('click', async () => {
    if (!window.confirm('Log out everywhere else? Every other browser and device logged in to your account must log in again. App passwords keep working.')) return;
    try {
      await api('DELETE', '/auth/sessions');
      showMessage('Logged out everywhere else.', 'ok');
      await refreshLists();
    } catch (error) {
      showMessage(error.message, 'error');
    }
  });

  $('#dav-copy').addEventListener('click', () => copy($('#dav-address').value, 'the WebDAV address'));
  $('#app-password-copy').addEventListener('click', () => copy($('#app-password-value').value, 'the app password'));

  $('#app-password-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = $('#app-password-name').value.trim();
    if (!name) return showMessage('Give the app password a name, such as the device it is for.', 'error');
    try {
      const created = await api('POST', '/auth/app-passwords', { name });
      $('#app-password-form').reset();
      $('#app-password-value').value = created.password;
      $('#app-password-new').hidden = false;
      showMessage(`Created the app password "${created.name}".`, 'ok');
      await refreshLists();
    } catch (error) {
      showMessage(`Could not create the app password: ${error.message}`, 'error');
    }
  });

  $('#password-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const currentPassword = $('#current-password').value;
    const newPassword = $('#new-password').value;
    // Opt-in: revoking them means setting up every sync app and phone again.
    const revokeAppPasswords = $('#password-revoke-apps').checked;
    if (newPassword.length < 8) return showMessage('A password has at least 8 characters.', 'error');
    try {
      await api('PUT', `${pathUrl('/user', [session.user.username])}/password`, { currentPassword, newPassword });
    } catch (error) {
      return showMessage(`Could not change the password: ${error.message}${revokeAppPasswords ? ' Your app passwords were not revoked.' : ''}`, 'error');
    }
    $('#password-form').reset();
    let words = 'Password changed. Your other sessions are logged out. Your app passwords still work.';
    let kind = 'ok';
    if (revokeAppPasswords) {
      try {
        await api('DELETE', '/auth/app-passwords');
        words = 'Password changed. Your other sessions are logged out. All your app passwords are revoked: set up your sync apps and phones again with new ones.';
      } catch (error) {
        words = `Password changed and your other sessions are logged out, but the app passwords could not be revoked: ${error.message} Revoke them below one by one.`;
        kind = 'error';
      }
    }
    showMessage(words, kind);
    try {
      await refreshLists();
    } catch (error) {
      showMessage(`${words} The lists below could not be refreshed: ${error.message}`, 'error');
    }
  });

  session.onChange(() => {
    if (!$('#view-account').hidden) load();
  });
  return { shown: load };
}
