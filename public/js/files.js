import { api, downloadPost, encodeName, uploadForm } from './api.js';
import { $, formatBytes, formatDate, fromTemplate, showMessage, withProgress } from './ui.js';

let shareFormCount = 0;

/** "My files": the user's own files with versions, upload, download, delete and share; and files shared with them. */
export function initFiles(session) {
  async function load() {
    const user = session.user;
    $('#files-login').hidden = Boolean(user);
    $('#files-body').hidden = !user;
    if (!user) return;
    try {
      const [names, incoming] = await Promise.all([api('GET', '/files'), api('GET', '/shares/incoming')]);
      renderFiles(names);
      renderShared(incoming);
    } catch (error) {
      showMessage(`Could not load your files: ${error.message}`, 'error');
    }
  }

  function renderFiles(names) {
    $('#file-list').replaceChildren(...names.map(renderFile));
    $('#files-empty').hidden = names.length > 0;
  }

  function renderFile(name) {
    const item = fromTemplate('file-item');
    item.dataset.name = name;
    $('.file-name', item).textContent = name;
    const download = $('.file-download', item);
    download.href = `/files/${encodeName(name)}`;
    download.download = name;
    download.setAttribute('aria-label', `Download ${name}`);

    const toggle = $('.file-versions-toggle', item);
    const versions = $('.versions', item);
    toggle.addEventListener('click', async () => {
      const open = toggle.getAttribute('aria-expanded') === 'true';
      toggle.setAttribute('aria-expanded', String(!open));
      toggle.textContent = open ? 'Versions' : 'Hide versions';
      versions.hidden = open;
      if (!open) await renderVersions(name, versions);
    });

    $('.file-delete', item).addEventListener('click', () => deleteFile(name));

    const form = $('.share-form', item);
    const input = $('.share-user', form);
    shareFormCount += 1;
    input.id = `share-user-${shareFormCount}`;
    const label = $('label', form);
    label.htmlFor = input.id;
    label.textContent = `Share ${name} with user`;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      shareFile(name, input.value.trim(), form);
    });
    return item;
  }

  async function renderVersions(name, list) {
    list.replaceChildren();
    try {
      const versions = await api('GET', `/files/${encodeName(name)}/versions`);
      list.replaceChildren(
        ...versions.map((version) => {
          const li = document.createElement('li');
          const link = document.createElement('a');
          link.href = `/files/${encodeName(name)}?version=${version.version}`;
          link.download = name;
          link.textContent = `Version ${version.version}`;
          li.append(link, ` · ${formatBytes(version.size)} · ${formatDate(version.createdAt)}`);
          return li;
        }),
      );
    } catch (error) {
      showMessage(`Could not load the versions: ${error.message}`, 'error');
    }
  }

  async function deleteFile(name) {
    if (!window.confirm(`Delete "${name}" and all its versions?`)) return;
    try {
      await api('DELETE', `/files/${encodeName(name)}`);
      showMessage(`Deleted "${name}".`, 'ok');
      await load();
    } catch (error) {
      showMessage(error.message, 'error');
    }
  }

  async function shareFile(name, username, form) {
    if (!username) return showMessage('Type the name of the user to share with.', 'error');
    const button = $('button', form);
    button.disabled = true;
    try {
      // POST /share takes numeric ids (S4): resolve both names first.
      const [file, user] = await Promise.all([
        api('GET', `/files/${encodeName(name)}/id`),
        api('GET', `/directory/users/${encodeName(username)}`).catch((error) => {
          throw error.status === 404 ? new Error(`There is no user called "${username}".`) : error;
        }),
      ]);
      await api('POST', '/share', { file_id: file.id, user_destination_id: user.id });
      form.reset();
      showMessage(`Shared "${name}" with ${user.username}.`, 'ok');
    } catch (error) {
      showMessage(`Could not share: ${error.message}`, 'error');
    } finally {
      button.disabled = false;
    }
  }

  function renderShared(shares) {
    $('#shared-list').replaceChildren(
      ...shares.map((share) => {
        const item = fromTemplate('shared-item');
        $('.shared-name', item).textContent = share.name;
        $('.shared-meta', item).textContent = `from ${share.owner} · ${formatBytes(share.size)} · ${formatDate(share.sharedAt)}`;
        const button = $('.shared-download', item);
        button.setAttribute('aria-label', `Download ${share.name} from ${share.owner}`);
        button.addEventListener('click', async () => {
          try {
            await downloadPost('/download', { file_id: share.file_id }, share.name);
          } catch (error) {
            showMessage(`Download failed: ${error.message}`, 'error');
          }
        });
        return item;
      }),
    );
    $('#shared-empty').hidden = shares.length > 0;
  }

  const form = $('#file-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const files = [...$('#file-input').files];
    if (files.length === 0) return showMessage('Choose one or more files to upload.', 'error');
    const data = new FormData();
    for (const file of files) data.append('file', file);
    const button = $('#file-submit');
    button.disabled = true;
    showMessage(files.length === 1 ? `Uploading "${files[0].name}"…` : `Uploading ${files.length} files…`);
    try {
      const result = await withProgress($('#file-progress'), (progress) => uploadForm('/upload', data, progress));
      form.reset();
      const stored = result.files.map((file) => `"${file.name}" (version ${file.version})`).join(', ');
      showMessage(`Uploaded ${stored}.`, 'ok');
      await load();
    } catch (error) {
      showMessage(`Upload failed: ${error.message}`, 'error');
    } finally {
      button.disabled = false;
    }
  });

  $('#files-refresh').addEventListener('click', load);
  session.onChange(() => {
    if (!$('#view-files').hidden) load();
  });

  return { shown: load };
}
