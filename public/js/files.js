import { api, downloadPost, pathUrl, uploadPut } from './api.js';
import { $, formatBytes, formatDate, fromTemplate, showMessage, withProgress } from './ui.js';
import { askName, pickFolder } from './dialogs.js';
import { renderFilePanels } from './file-details.js';
import { forgetFinishedUploads, interruptedUploads, RESUMABLE_FROM_BYTES, resumableUpload } from './resumable.js';

const DRAG_TYPE = 'application/x-cloudstash-path';
const join = (names) => names.join('/');

/** How each column sorts; folders always come first, among themselves by the same rule where it applies. */
const SORTS = {
  name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  size: (a, b) => (a.size ?? -1) - (b.size ?? -1),
  modified: (a, b) => Date.parse(a.modified) - Date.parse(b.modified),
  shared: (a, b) => Number(a.shared) - Number(b.shared),
};

/** Every file under a dropped entry, with its path relative to the drop (folders walked). */
async function filesOfEntry(entry, prefix) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    return [{ file, names: [...prefix, file.name] }];
  }
  const reader = entry.createReader();
  const children = [];
  // readEntries answers in batches until it answers an empty one.
  for (;;) {
    const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  const nested = await Promise.all(children.map((child) => filesOfEntry(child, [...prefix, entry.name])));
  return nested.flat();
}

async function filesOfDrop(dataTransfer) {
  const items = [...dataTransfer.items].filter((item) => item.kind === 'file');
  const entries = items.map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null));
  if (entries.every((entry) => entry)) return (await Promise.all(entries.map((entry) => filesOfEntry(entry, [])))).flat();
  return [...dataTransfer.files].map((file) => ({ file, names: [file.name] }));
}

/**
 * "My files", a file manager: a folder at a time with breadcrumbs, a table sortable by name,
 * size, date and shared state (folders first), selection with bulk move and delete, upload by
 * picker or by dropping files and whole folders, and per item a details row: download, rename,
 * move, delete, and for files versions, shares and public links. And what others shared.
 */
export function initFiles(session) {
  let cwd = [];
  let sort = { key: 'name', dir: 1 };
  let rows = [];
  const selected = new Set();
  /** The row whose details are open, by name, kept across reloads of the listing. */
  let expanded = null;

  async function load() {
    const user = session.user;
    $('#files-login').hidden = Boolean(user);
    $('#files-body').hidden = !user;
    if (!user) return;
    try {
      const [listing, incoming] = await Promise.all([api('GET', cwd.length ? pathUrl('/folders', cwd) : '/folders'), api('GET', '/shares/incoming')]);
      rows = [
        ...listing.folders.map((folder) => ({ kind: 'folder', name: folder.name, size: null, modified: folder.createdAt, shared: false, folder })),
        ...listing.files.map((file) => ({ kind: 'file', name: file.name, size: file.size, modified: file.updatedAt, shared: file.shared, file })),
      ];
      for (const name of [...selected]) if (!rows.some((row) => row.name === name)) selected.delete(name);
      if (expanded && !rows.some((row) => row.name === expanded)) expanded = null;
      renderCrumbs();
      renderTable();
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
    selected.clear();
    expanded = null;
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
        acceptMoves(button, path);
        li.append(button);
        return li;
      }),
    );
    $('#upload-target').textContent = cwd.length ? `into ${join(cwd)}` : '';
  }

  function sorted() {
    const compare = SORTS[sort.key];
    const by = (a, b) => compare(a, b) * sort.dir || SORTS.name(a, b);
    return [...rows.filter((row) => row.kind === 'folder').sort(by), ...rows.filter((row) => row.kind === 'file').sort(by)];
  }

  function renderTable() {
    for (const th of document.querySelectorAll('#file-table th[data-sort]')) {
      const order = th.dataset.sort === sort.key ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none';
      th.setAttribute('aria-sort', order);
      // The arrow is for the eye; screen readers hear aria-sort.
      $('.arrow', th).textContent = { ascending: '▲', descending: '▼', none: '' }[order];
    }
    $('#file-list').replaceChildren(...sorted().flatMap(renderRow));
    $('#files-empty').hidden = rows.length > 0;
    $('#file-table').hidden = rows.length === 0;
    renderSelection();
  }

  function renderSelection() {
    const count = selected.size;
    $('#bulk-bar').hidden = count === 0;
    $('#bulk-count').textContent = count === 1 ? '1 item selected' : `${count} items selected`;
    const all = $('#select-all');
    all.checked = count > 0 && count === rows.length;
    all.indeterminate = count > 0 && count < rows.length;
  }

  function renderRow(row) {
    const path = [...cwd, row.name];
    const tr = fromTemplate(row.kind === 'folder' ? 'folder-row' : 'file-row');
    tr.dataset.name = row.name;
    const checkbox = $('.select', tr);
    checkbox.checked = selected.has(row.name);
    checkbox.setAttribute('aria-label', `Select ${row.name}`);
    checkbox.addEventListener('change', () => {
      if (checkbox.checked) selected.add(row.name);
      else selected.delete(row.name);
      renderSelection();
    });
    $('.col-modified', tr).textContent = formatDate(row.modified);
    showShared(tr, row);
    if (row.kind === 'folder') {
      $('.folder-name', tr).textContent = row.name;
      const openButton = $('.folder-open', tr);
      openButton.setAttribute('aria-label', `Open folder ${row.name}`);
      openButton.addEventListener('click', () => open(path));
      acceptMoves(tr, path);
    } else {
      $('.file-name', tr).textContent = row.name;
      $('.col-size', tr).textContent = formatBytes(row.size);
    }
    tr.addEventListener('dragstart', (event) => {
      event.dataTransfer.setData(DRAG_TYPE, JSON.stringify(path));
      event.dataTransfer.effectAllowed = 'move';
    });

    const toggle = $('.details-toggle', tr);
    toggle.setAttribute('aria-label', `Details of ${row.name}`);
    const isOpen = expanded === row.name;
    toggle.setAttribute('aria-expanded', String(isOpen));
    toggle.textContent = isOpen ? 'Close' : 'Details';
    toggle.addEventListener('click', () => {
      expanded = isOpen ? null : row.name;
      renderTable();
      if (!isOpen) document.querySelector(`#file-list tr.details .item-rename`)?.focus();
    });
    if (!isOpen) return [tr];
    tr.classList.add('open');
    const details = fromTemplate('details-row');
    const panel = $('.details-panel', details);
    panel.setAttribute('aria-label', `Details of ${row.name}`);
    panel.append(renderActions(row, path));
    if (row.kind === 'file') {
      renderFilePanels(panel, row.file, path, {
        changed: load,
        sharedChanged: (shared) => {
          row.shared = shared;
          showShared(tr, row);
        },
      });
    }
    return [tr, details];
  }

  /** The row's "Shared" column, and on a narrow screen the line under the name. */
  function showShared(tr, row) {
    $('.col-shared', tr).textContent = row.shared ? 'Shared' : '';
    if (row.kind === 'file') $('.narrow-meta', tr).textContent = `${formatBytes(row.size)} · ${formatDate(row.modified)}${row.shared ? ' · shared' : ''}`;
  }

  function renderActions(row, path) {
    const actions = fromTemplate('item-actions');
    if (row.kind === 'file') {
      const download = $('.file-download', actions);
      download.hidden = false;
      download.href = pathUrl('/files', path);
      download.download = row.name;
      download.setAttribute('aria-label', `Download ${row.name}`);
    }
    const kind = row.kind;
    const rename = $('.item-rename', actions);
    rename.setAttribute('aria-label', `Rename ${row.name}`);
    rename.addEventListener('click', async () => {
      const newName = await askName({ title: `Rename ${kind}`, label: 'New name', value: row.name, ok: 'Rename' });
      if (newName && newName !== row.name) {
        if (await move(path, [...cwd, newName])) expanded = newName;
        await load();
      }
    });
    const moveButton = $('.item-move', actions);
    moveButton.setAttribute('aria-label', `Move ${row.name} to another folder`);
    moveButton.addEventListener('click', async () => {
      const target = await pickFolder(join(path), cwd, kind === 'folder' ? path : null);
      if (!target) return;
      await move(path, [...target, row.name]);
      await load();
    });
    const remove = $('.item-delete', actions);
    remove.setAttribute('aria-label', `Delete ${kind === 'folder' ? 'folder ' : ''}${row.name}`);
    remove.addEventListener('click', async () => {
      if (!window.confirm(kind === 'folder' ? `Move the folder "${row.name}" and everything in it to the trash?` : `Move "${row.name}" to the trash?`)) return;
      if (await trash(row)) showMessage(`Moved "${row.name}" to the trash.`, 'ok');
      await load();
    });
    return actions;
  }

  /** Drop a dragged row on a folder row or a breadcrumb to move it there. */
  function acceptMoves(element, folderPath) {
    element.addEventListener('dragover', (event) => {
      if (!event.dataTransfer.types.includes(DRAG_TYPE)) return;
      event.preventDefault();
      event.stopPropagation();
      element.classList.add('drop-target');
    });
    element.addEventListener('dragleave', () => element.classList.remove('drop-target'));
    element.addEventListener('drop', async (event) => {
      element.classList.remove('drop-target');
      const raw = event.dataTransfer.getData(DRAG_TYPE);
      if (!raw) return;
      event.preventDefault();
      event.stopPropagation();
      const from = JSON.parse(raw);
      if (join(from) === join(folderPath)) return;
      await move(from, [...folderPath, from[from.length - 1]]);
      await load();
    });
  }

  /** One move (a rename when only the name changes); says what happened. Resolves to whether it worked. */
  async function move(from, to, quiet = false) {
    const renaming = join(from.slice(0, -1)) === join(to.slice(0, -1));
    try {
      await api('POST', '/move', { from: join(from), to: join(to) });
      if (quiet) return true;
      if (renaming) showMessage(`Renamed "${from[from.length - 1]}" to "${to[to.length - 1]}".`, 'ok');
      else showMessage(`Moved "${join(from)}" to "${join(to)}".`, 'ok');
      return true;
    } catch (error) {
      showMessage(`Could not ${renaming ? 'rename' : 'move'} "${from[from.length - 1]}": ${error.message}`, 'error');
      return false;
    }
  }

  async function trash(row) {
    const path = [...cwd, row.name];
    try {
      await api('DELETE', pathUrl(row.kind === 'folder' ? '/folders' : '/files', path));
      selected.delete(row.name);
      return true;
    } catch (error) {
      showMessage(`Could not delete "${row.name}": ${error.message}`, 'error');
      return false;
    }
  }

  for (const th of document.querySelectorAll('#file-table th[data-sort]')) {
    $('button', th).addEventListener('click', () => {
      const key = th.dataset.sort;
      sort = { key, dir: sort.key === key ? -sort.dir : 1 };
      renderTable();
    });
  }
  $('#select-all').addEventListener('change', (event) => {
    if (event.target.checked) for (const row of rows) selected.add(row.name);
    else selected.clear();
    renderTable();
  });
  $('#bulk-clear').addEventListener('click', () => {
    selected.clear();
    renderTable();
  });
  $('#bulk-delete').addEventListener('click', async () => {
    const chosen = rows.filter((row) => selected.has(row.name));
    if (!window.confirm(`Move ${chosen.length === 1 ? `"${chosen[0].name}"` : `${chosen.length} items`} to the trash?`)) return;
    let done = 0;
    for (const row of chosen) if (await trash(row)) done += 1;
    if (done === chosen.length) showMessage(done === 1 ? `Moved "${chosen[0].name}" to the trash.` : `Moved ${done} items to the trash.`, 'ok');
    await load();
  });
  $('#bulk-move').addEventListener('click', async () => {
    const chosen = rows.filter((row) => selected.has(row.name));
    const folders = chosen.filter((row) => row.kind === 'folder').map((row) => [...cwd, row.name]);
    const target = await pickFolder(chosen.length === 1 ? join([...cwd, chosen[0].name]) : `${chosen.length} items`, cwd, folders.length === 1 ? folders[0] : null);
    if (!target) return;
    let done = 0;
    for (const row of chosen) if (await move([...cwd, row.name], [...target, row.name], true)) done += 1;
    selected.clear();
    if (done === chosen.length) showMessage(`Moved ${done === 1 ? `"${chosen[0].name}"` : `${done} items`} to "${join(target) || 'Home'}".`, 'ok');
    await load();
  });

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

  // Uploads: the picker, the folder picker, or a drop onto the table.
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

  /** One file at `names` under the open folder: big ones resumable (tus), small ones one PUT. Resolves to words for the result. */
  async function uploadOne({ file, names }, onProgress) {
    const path = [...cwd, ...names];
    if (file.size < RESUMABLE_FROM_BYTES) {
      const result = await uploadPut(pathUrl('/files', path), file, onProgress);
      return `"${join(names)}" (version ${result.version})`;
    }
    running = resumableUpload(file, path, { onProgress, onState: showState });
    try {
      await running.done;
      return `"${join(names)}"`;
    } finally {
      running = null;
      showState('done');
      showInterrupted();
    }
  }

  let uploading = false;
  async function uploadMany(entries) {
    if (entries.length === 0) return showMessage('Choose one or more files to upload.', 'error');
    if (uploading) return showMessage('Wait for the upload in progress to finish.', 'error');
    uploading = true;
    const button = $('#file-submit');
    button.disabled = true;
    showMessage(entries.length === 1 ? `Uploading "${join(entries[0].names)}"…` : `Uploading ${entries.length} files…`);
    const total = entries.reduce((sum, entry) => sum + entry.file.size, 0) || 1;
    const stored = [];
    try {
      await withProgress($('#file-progress'), async (progress) => {
        let done = 0;
        for (const entry of entries) {
          stored.push(await uploadOne(entry, (fraction) => progress((done + fraction * entry.file.size) / total)));
          done += entry.file.size;
        }
      });
      form.reset();
      showMessage(stored.length > 5 ? `Uploaded ${stored.length} files.` : `Uploaded ${stored.join(', ')}.`, 'ok');
    } catch (error) {
      showMessage(`Upload failed: ${error.message}${stored.length ? ` (uploaded before it: ${stored.length} file${stored.length === 1 ? '' : 's'})` : ''}`, 'error');
    } finally {
      uploading = false;
      button.disabled = false;
      await load();
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const files = [...$('#file-input').files].map((file) => ({ file, names: [file.name] }));
    // A folder picker names each file by its path inside the chosen folder.
    const folder = [...$('#folder-input').files].map((file) => ({ file, names: (file.webkitRelativePath || file.name).split('/') }));
    uploadMany([...files, ...folder]);
  });

  const zone = $('#drop-zone');
  const isFileDrag = (event) => event.dataTransfer && [...event.dataTransfer.types].includes('Files');
  zone.addEventListener('dragover', (event) => {
    if (!isFileDrag(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    zone.classList.add('dropping');
    $('#drop-hint').hidden = false;
  });
  zone.addEventListener('dragleave', (event) => {
    if (zone.contains(event.relatedTarget)) return;
    zone.classList.remove('dropping');
    $('#drop-hint').hidden = true;
  });
  zone.addEventListener('drop', async (event) => {
    if (!isFileDrag(event)) return;
    event.preventDefault();
    zone.classList.remove('dropping');
    $('#drop-hint').hidden = true;
    try {
      await uploadMany(await filesOfDrop(event.dataTransfer));
    } catch (error) {
      showMessage(`Could not read what was dropped: ${error.message}`, 'error');
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
    selected.clear();
    expanded = null;
    if (!$('#view-files').hidden) load();
  });

  return { shown: load };
}
