import { api, pathUrl } from './api.js';
import { $, copyText, formatBytes, formatDate, fromTemplate, labelFor, showMessage } from './ui.js';

const join = (names) => names.join('/');
const LINK_URLS = 'cloudstash:link-urls';

/** Link URLs this browser made: the server keeps only a hash of each token, so it cannot show them again. */
function rememberedUrls() {
  try {
    return JSON.parse(localStorage.getItem(LINK_URLS) ?? '{}');
  } catch {
    return {};
  }
}
function rememberUrl(id, url) {
  const urls = rememberedUrls();
  urls[id] = url;
  localStorage.setItem(LINK_URLS, JSON.stringify(urls));
}
function forgetUrl(id) {
  const urls = rememberedUrls();
  delete urls[id];
  localStorage.setItem(LINK_URLS, JSON.stringify(urls));
}

/** How often the open details ask for their links' download counts, which change elsewhere. */
const LINK_REFRESH_MS = 5000;

/**
 * A file's versions (download, restore), the users it is shared with (and ending a share), and
 * its public links (make one with password, expiry and limit; copy; revoke). `changed` is called
 * when the file itself changed (a restored version), so the table can show it; `sharedChanged`
 * with whether it is shared with anyone now.
 */
export function renderFilePanels(container, file, path, { changed, sharedChanged }) {
  const panels = fromTemplate('file-panels');
  container.append(panels);
  const name = path[path.length - 1];

  async function loadVersions() {
    const list = $('.versions', panels);
    try {
      const versions = await api('GET', `${pathUrl('/files', path)}/versions`);
      list.replaceChildren(
        ...versions.map((version, i) => {
          const li = document.createElement('li');
          const link = document.createElement('a');
          link.href = `${pathUrl('/files', path)}?version=${version.version}`;
          link.download = name;
          link.textContent = `Version ${version.version}`;
          link.setAttribute('aria-label', `Download version ${version.version} of ${name}`);
          li.append(link, ` · ${formatBytes(version.size)} · ${formatDate(version.createdAt)}${i === 0 ? ' · current' : ''} `);
          if (i > 0) {
            const restore = document.createElement('button');
            restore.type = 'button';
            restore.className = 'secondary small';
            restore.textContent = 'Restore';
            restore.setAttribute('aria-label', `Restore version ${version.version} of ${name}`);
            restore.addEventListener('click', async () => {
              try {
                const made = await api('POST', `${pathUrl('/files', path)}/versions/${version.version}/restore`);
                showMessage(`Restored version ${version.version} of "${name}" as version ${made.version}.`, 'ok');
                await changed();
              } catch (error) {
                showMessage(`Could not restore: ${error.message}`, 'error');
              }
            });
            li.append(restore);
          }
          return li;
        }),
      );
    } catch (error) {
      showMessage(`Could not load the versions: ${error.message}`, 'error');
    }
  }

  async function loadShares() {
    const shares = (await api('GET', '/shares/outgoing')).filter((share) => share.file_id === file.id);
    $('.shares', panels).replaceChildren(
      ...shares.map((share) => {
        const li = document.createElement('li');
        const end = document.createElement('button');
        end.type = 'button';
        end.className = 'secondary small';
        end.textContent = 'Stop sharing';
        end.setAttribute('aria-label', `Stop sharing ${name} with ${share.username}`);
        end.addEventListener('click', async () => {
          try {
            await api('DELETE', '/share', { file_id: file.id, user_destination_id: share.user_destination_id });
            showMessage(`"${name}" is no longer shared with ${share.username}.`, 'ok');
            await loadShares();
          } catch (error) {
            showMessage(`Could not stop sharing: ${error.message}`, 'error');
          }
        });
        li.append(`${share.username} · since ${formatDate(share.sharedAt)} `, end);
        return li;
      }),
    );
    $('.shares-none', panels).hidden = shares.length > 0;
    sharedChanged(shares.length > 0);
  }

  const shareForm = $('.share-form', panels);
  const shareInput = $('.share-user', shareForm);
  labelFor($('.share-label', shareForm), shareInput, `Share ${name} with user`);
  shareForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const username = shareInput.value.trim();
    if (!username) return showMessage('Type the name of the user to share with.', 'error');
    const button = $('button', shareForm);
    button.disabled = true;
    try {
      // POST /share takes numeric ids (S4): the user's name is resolved first.
      const user = await api('GET', pathUrl('/directory/users', [username])).catch((error) => {
        throw error.status === 404 ? new Error(`There is no user called "${username}".`) : error;
      });
      await api('POST', '/share', { file_id: file.id, user_destination_id: user.id });
      shareForm.reset();
      showMessage(`Shared "${name}" with ${user.username}.`, 'ok');
      await loadShares();
    } catch (error) {
      showMessage(`Could not share: ${error.message}`, 'error');
    } finally {
      button.disabled = false;
    }
  });

  /** What the list says of a link, besides its URL. */
  const linkFacts = (link) =>
    [
      link.maxDownloads === null ? `${link.downloads} downloads` : `${link.downloads} of ${link.maxDownloads} downloads`,
      `expires ${formatDate(link.expiresAt)}`,
      link.hasPassword ? 'password' : 'no password',
    ].join(' · ');

  async function loadLinks() {
    const links = (await api('GET', '/links')).filter((link) => link.path === join(path));
    const list = $('.links', panels);
    const shown = [...list.children];
    if (shown.length === links.length && links.every((link, i) => shown[i].dataset.id === String(link.id))) {
      // The same links: only their counts can have changed. The buttons stay, and with them the focus.
      links.forEach((link, i) => {
        $('.link-facts', shown[i]).textContent = linkFacts(link);
      });
      return;
    }
    const urls = rememberedUrls();
    list.replaceChildren(
      ...links.map((link) => {
        const li = document.createElement('li');
        li.dataset.id = String(link.id);
        const url = urls[link.id];
        if (url) {
          const a = document.createElement('a');
          a.href = url;
          a.textContent = new URL(url, location.href).href;
          a.className = 'link-url';
          li.append(a, document.createElement('br'));
        }
        const facts = document.createElement('span');
        facts.className = 'link-facts';
        facts.textContent = linkFacts(link);
        li.append(facts, ' ');
        if (url) {
          const copy = document.createElement('button');
          copy.type = 'button';
          copy.className = 'secondary small';
          copy.textContent = 'Copy link';
          copy.setAttribute('aria-label', `Copy the link to ${name}`);
          copy.addEventListener('click', () => copyText(new URL(url, location.href).href, 'the link'));
          li.append(copy, ' ');
        }
        const revoke = document.createElement('button');
        revoke.type = 'button';
        revoke.className = 'danger small';
        revoke.textContent = 'Revoke';
        revoke.setAttribute('aria-label', `Revoke the link to ${name} made ${formatDate(link.createdAt)}`);
        revoke.addEventListener('click', async () => {
          try {
            await api('DELETE', `/links/${link.id}`);
            forgetUrl(link.id);
            showMessage('Link revoked: it no longer opens.', 'ok');
            await loadLinks();
          } catch (error) {
            showMessage(`Could not revoke: ${error.message}`, 'error');
          }
        });
        li.append(revoke);
        return li;
      }),
    );
    $('.links-none', panels).hidden = links.length > 0;
  }

  /**
   * Downloads happen elsewhere: while these details are open and the page is in view, the counts
   * are asked for again now and then (only when there are links), and when the tab comes back.
   */
  function followLinkCounts() {
    const refresh = () => {
      if (!panels.isConnected) return stop();
      if (document.visibilityState === 'visible' && $('.links', panels).children.length > 0) loadLinks().catch(() => undefined);
    };
    const timer = setInterval(refresh, LINK_REFRESH_MS);
    document.addEventListener('visibilitychange', refresh);
    function stop() {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', refresh);
    }
  }

  const linkForm = $('.link-form', panels);
  const password = $('.link-password', linkForm);
  const expiry = $('.link-expiry', linkForm);
  const limit = $('.link-limit', linkForm);
  labelFor($('.link-password-label', linkForm), password, `Link password for ${name} (optional)`);
  labelFor($('.link-expiry-label', linkForm), expiry, 'Expires on (optional)');
  labelFor($('.link-limit-label', linkForm), limit, 'Download limit (optional)');
  expiry.min = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  linkForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { path: join(path) };
    if (password.value) body.password = password.value;
    // The end of the chosen day, in this browser's time zone.
    if (expiry.value) body.expiresAt = new Date(`${expiry.value}T23:59:59`).toISOString();
    if (limit.value) {
      const max = Number(limit.value);
      if (!Number.isInteger(max) || max < 1) return showMessage('A download limit is a whole number, 1 or more.', 'error');
      body.maxDownloads = max;
    }
    try {
      const link = await api('POST', '/links', body);
      rememberUrl(link.id, link.url);
      linkForm.reset();
      const href = new URL(link.url, location.href).href;
      const copied = await navigator.clipboard.writeText(href).then(
        () => true,
        () => false,
      );
      showMessage(copied ? `Made a public link to "${name}" and copied it: ${href}` : `Made a public link to "${name}": ${href}`, 'ok');
      await loadLinks();
    } catch (error) {
      showMessage(`Could not make the link: ${error.message}`, 'error');
    }
  });

  Promise.all([loadVersions(), loadShares(), loadLinks()]).catch((error) => showMessage(`Could not load the details: ${error.message}`, 'error'));
  followLinkCounts();
}
