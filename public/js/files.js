import { api, downloadPost, pathUrl, uploadPut } from './api.js';
import { $, formatBytes, formatDate, fromTemplate, showMessage, withProgress } from './ui.js';
import { askName, pickFolder } from './dialogs.js';
import { forgetFinishedUploads, interruptedUploads, RESUMABLE_FROM_BYTES, resumableUpload } from './resumable.js';

let shareFormCount = 0;
const DRAG_TYPE = 'application/x-cloudstash-path';
const join = (names) => names.join('/');

/**
 * "My files": a folder at a time, with breadcrumbs. Files: upload into the folder, versions,
 * download, rename, move (drag onto a folder or "Move to…"), delete, share. Folders: open,
 * create, rename, move, delete. And the files other users shared with this one.
 */
export function initFiles(session) {
  let cwd = [];

  async function load() {
    const user = session.user;
    $('#files-login').hidden = Boolean(user);
    $('#files-body').hidden = !user;
    if (!user) return;
    try {
      const [listing, incoming] = await Promise.all([api('GET', cwd.length ? pathUrl('/folders', cwd) : '/folders'), api('GET', '/shares/incoming')]);
      renderCrumbs();
      renderListing(listing);
      renderShared(incoming);
    } catch (error) {
      if (error.status === 404 && cwd.length > 0) {
        // The folder went away (deleted or moved elsewhere): show the root instead.
        cwd = [];
        return load();
      }
      showMessage(`Could not load your files: ${error.message}`, 'error');
    }
  }

  function open(path) {
    cwd = path;
    return load();
  }

  function renderCrumbs() {
    const crumbs = [{ name: 'Home', path: [] }, ...cwd.map((name, i) => ({ name, path: cwd.slice(0, i + 1) }))];
    $('#breadcrumbs').replaceChildren(
      ...crumbs.map(({ name, path }, i) => {
        const li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'link';
        button.textContent = name;
        if (i === crumbs.length - 1) button.setAttribute('aria-current', 'page');
        button.addEventListener('click', () => open(path));
        acceptDrops(button, path);
        li.append(button);
        return li;
      }),
    );
    $('#upload-target').textContent = cwd.length ? `into ${join(cwd)}` : '';
  }

  function renderListing(listing) {
    $('#file-list').replaceChildren(...listing.folders.map(renderFolder), ...listing.files.map(renderFile));
    $('#files-empty').hidden = listing.folders.length + listing.files.length > 0;
  }

  /** Drag a row by its path; drop it on a folder row or a breadcrumb to move it there. */
  function draggable(item, path) {
    item.addEventListener('dragstart', (event) => {
      event.dataTransfer.setData(DRAG_TYPE, JSON.stringify(path));
      event.dataTransfer.effectAllowed = 'move';
    });
  }

  function acceptDrops(element, folderPath) {
    element.addEventListener('dragover', (event) => {
      if (!event.dataTransfer.types.includes(DRAG_TYPE)) return;
      event.preventDefault();
      element.classList.add('drop-target');
    });
    element.addEventListener('dragleave', () => element.classList.remove('drop-target'));
    element.addEventListener('drop', (event) => {
      element.classList.remove('drop-target');
      const raw = event.dataTransfer.getData(DRAG_TYPE);
      if (!raw) return;
      event.preventDefault();
      const from = JSON.parse(raw);
      if (join(from) === join(folderPath)) return;
      move(from, [...folderPath, from[from.length - 1]]);
    });
  }

  function renderFolder(folder) {
    const item = fromTemplate('folder-item');
    const path = [...cwd, folder.name];
    item.dataset.name = folder.name;
    $('.folder-name', item).textContent = folder.name;
    $('.folder-meta', item).textContent = `folder · created ${formatDate(folder.createdAt)}`;
    const openButton = $('.folder-open', item);
    openButton.setAttribute('aria-label', `Open folder ${folder.name}`);
    openButton.addEventListener('click', () => open(path));
    wireCommon(item, path, folder.name, 'folder');
    $('.folder-delete', item).setAttribute('aria-label', `Delete folder ${folder.name}`);
    $('.folder-delete', item).addEventListener('click', () => deleteFolder(path));
    draggable(item, path);
    acceptDrops(item, path);
    return item;
  }

  /** Rename and Move to…, the same for files and folders. */
  function wireCommon(item, path, name, kind) {
    const rename = $('.item-rename', item);
    rename.setAttribute('aria-label', `Rename ${name}`);
    rename.addEventListener('click', async () => {
      const newName = await askName({ title: `Rename ${kind}`, label: 'New name', value: name, ok: 'Rename' });
      if (newName && newName !== name) await move(path, [...path.slice(0, -1), newName]);
    });
    const moveButton = $('.item-move', item);
    moveButton.setAttribute('aria-label', `Move ${name} to another folder`);
    moveButton.addEventListener('click', async () => {
      const target = await pickFolder(join(path), cwd, kind === 'folder' ? path : null);
      if (target) await move(path, [...target, name]);
    });
  }

  async function move(from, to) {
    try {
      await api('POST', '/move', { from: join(from), to: join(to) });
      showMessage(`Moved "${join(from)}" to "${join(to)}".`, 'ok');
    } catch (error) {
      showMessage(`Could not move "${from[from.length - 1]}": ${error.message}`, 'error');
    }
    await load();
  }

  function renderFile(file) {
    const name = file.name;
    const path = [...cwd, name];
    const item = fromTemplate('file-item');
    item.dataset.name = name;
    $('.file-name', item).textContent = name;
    $('.file-meta', item).textContent = `${formatBytes(file.size)} · ${formatDate(file.updatedAt)}${file.shared ? ' · shared' : ''}`;
    const download = $('.file-download', item);
    download.href = pathUrl('/files', path);
    download.download = name;
    download.setAttribute('aria-label', `Download ${name}`);

    const toggle = $('.file-versions-toggle', item);
    const versions = $('.versions', item);
    toggle.addEventListener('click', async () => {
      const opened = toggle.getAttribute('aria-expanded') === 'true';
      toggle.setAttribute('aria-expanded', String(!opened));
      toggle.textContent = opened ? 'Versions' : 'Hide versions';
      versions.hidden = opened;
      if (!opened) await renderVersions(path, versions);
    });

    wireCommon(item, path, name, 'file');
    $('.file-delete', item).addEventListener('click', () => deleteFile(path));

    const form = $('.share-form', item);
    const input = $('.share-user', form);
    shareFormCount += 1;
    input.id = `share-user-${shareFormCount}`;
    const label = $('label', form);
    label.htmlFor = input.id;
    label.textContent = `Share ${name} with user`;
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      shareFile(path, input.value.trim(), form);
    });
    draggable(item, path);
    return item;
  }

  async function renderVersions(path, list) {
    list.replaceChildren();
    const name = path[path.length - 1];
    try {
      const versions = await api('GET', `${pathUrl('/files', path)}/versions`);
      list.replaceChildren(
        ...versions.map((version) => {
          const li = document.createElement('li');
          const link = document.createElement('a');
          link.href = `${pathUrl('/files', path)}?version=${version.version}`;
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

  async function deleteFile(path) {
    const name = path[path.length - 1];
    if (!window.confirm(`Delete "${name}" and all its versions?`)) return;
    try {
      await api('DELETE', pathUrl('/files', path));
      showMessage(`Deleted "${name}".`, 'ok');
      await load();
    } catch (error) {
      showMessage(error.message, 'error');
    }
  }

  async function deleteFolder(path) {
    const name = path[path.length - 1];
    if (!window.confirm(`Delete the folder "${name}" and everything in it?`)) return;
    try {
      await api('DELETE', pathUrl('/folders', path));
      showMessage(`Deleted the folder "${name}".`, 'ok');
      await load();
    } catch (error) {
      showMessage(error.message, 'error');
    }
  }

  async function shareFile(path, username, form) {
    const name = path[path.length - 1];
    if (!username) return showMessage('Type the name of the user to share with.', 'error');
    const button = $('button', form);
    button.disabled = true;
    try {
      // POST /share takes numeric ids (S4): resolve both names first.
      const [file, user] = await Promise.all([
        api('GET', `${pathUrl('/files', path)}/id`),
        api('GET', pathUrl('/directory/users', [username])).catch((error) => {
          throw error.status === 404 ? new Error(`There is no user called "${username}".`) : error;
        }),
      ]);
      await api('POST', '/share', { file_id: file.id, user_destination_id: user.id });
      form.reset();
      showMessage(`Shared "${name}" with ${user.username}.`, 'ok');
      await load();
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
  const controls = { pause: $('#upload-pause'), resume: $('#upload-resume'), state: $('#upload-state') };
  /** The resumable upload running now, for the Pause and Resume buttons. */
  let running = null;

  const STATE_WORDS = {
    uploading: '',
    paused: 'Paused. Resume continues where it stopped.',
    offline: 'The connection dropped. The upload goes on by itself when you are back online.',
  };
  function showState(state) {
    controls.pause.hidden = state !== 'uploading';
    controls.resume.hidden = state !== 'paused';
    controls.state.textContent = STATE_WORDS[state] ?? '';
  }
  controls.pause.addEventListener('click', () => running?.pause());
  controls.resume.addEventListener('click', () => running?.resume());

  function showInterrupted() {
    const names = interruptedUploads();
    const note = $('#upload-interrupted');
    note.hidden = names.length === 0;
    note.textContent = names.length ? `Unfinished: ${names.join(', ')}. Choose the same file again to continue where it stopped.` : '';
  }

  /** One file into the open folder: big ones resumable (tus), small ones one PUT. Resolves to words for the result. */
  async function uploadOne(file, onProgress) {
    const path = [...cwd, file.name];
    if (file.size < RESUMABLE_FROM_BYTES) {
      const result = await uploadPut(pathUrl('/files', path), file, onProgress);
      return `"${result.name}" (version ${result.version})`;
    }
    running = resumableUpload(file, path, { onProgress, onState: showState });
    try {
      await running.done;
      return `"${file.name}"`;
    } finally {
      running = null;
      showState('done');
      showInterrupted();
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const files = [...$('#file-input').files];
    if (files.length === 0) return showMessage('Choose one or more files to upload.', 'error');
    const button = $('#file-submit');
    button.disabled = true;
    showMessage(files.length === 1 ? `Uploading "${files[0].name}"…` : `Uploading ${files.length} files…`);
    const total = files.reduce((sum, file) => sum + file.size, 0) || 1;
    const stored = [];
    try {
      await withProgress($('#file-progress'), async (progress) => {
        let done = 0;
        for (const file of files) {
          stored.push(await uploadOne(file, (fraction) => progress((done + fraction * file.size) / total)));
          done += file.size;
        }
      });
      form.reset();
      showMessage(`Uploaded ${stored.join(', ')}.`, 'ok');
    } catch (error) {
      showMessage(`Upload failed: ${error.message}${stored.length ? ` (uploaded before it: ${stored.join(', ')})` : ''}`, 'error');
    } finally {
      button.disabled = false;
      await load();
    }
  });
  showInterrupted();
  session.onChange((user) => {
    if (user) forgetFinishedUploads().then(showInterrupted);
  });

  $('#folder-new').addEventListener('click', async () => {
    const name = await askName({ title: 'New folder', label: 'Folder name', value: '', ok: 'Create folder' });
    if (!name) return;
    try {
      await api('POST', pathUrl('/folders', [...cwd, name]));
      showMessage(`Created the folder "${name}".`, 'ok');
    } catch (error) {
      showMessage(`Could not create the folder: ${error.message}`, 'error');
    }
    await load();
  });

  $('#files-refresh').addEventListener('click', load);
  session.onChange(() => {
    cwd = [];
    if (!$('#view-files').hidden) load();
  });

  return { shown: load };
}
