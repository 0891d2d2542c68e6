import { api } from './api.js';
import { $, formatBytes, formatDate, showMessage } from './ui.js';
import { askName } from './dialogs.js';

/** The trash: what was deleted, newest first; restore (elsewhere when its place is taken), delete for good, empty. */
export function initTrash(session) {
  async function load() {
    const user = session.user;
    $('#trash-login').hidden = Boolean(user);
    $('#trash-body').hidden = !user;
    if (!user) return;
    try {
      render(await api('GET', '/trash'));
    } catch (error) {
      showMessage(`Could not load the trash: ${error.message}`, 'error');
    }
  }

  function button(text, className, label, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = className;
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    return b;
  }

  function render(items) {
    $('#trash-list').replaceChildren(
      ...items.map((item) => {
        const tr = document.createElement('tr');
        tr.className = 'item';
        tr.dataset.path = item.path;
        const name = document.createElement('td');
        name.className = 'col-name';
        const strong = document.createElement('span');
        strong.className = 'name';
        strong.textContent = item.path;
        const meta = document.createElement('span');
        meta.className = 'muted narrow-meta';
        meta.textContent = `${item.type} · ${formatBytes(item.size)} · deleted ${formatDate(item.deletedAt)}`;
        name.append(strong, meta);
        const size = document.createElement('td');
        size.className = 'col-size';
        size.textContent = item.type === 'folder' ? `folder · ${formatBytes(item.size)}` : formatBytes(item.size);
        const when = document.createElement('td');
        when.className = 'col-modified';
        when.textContent = formatDate(item.deletedAt);
        const actions = document.createElement('td');
        actions.className = 'col-actions';
        const row = document.createElement('div');
        row.className = 'row wrap end';
        row.append(
          button('Restore', 'secondary small', `Restore ${item.path}`, () => restore(item)),
          button('Delete forever', 'danger small', `Delete ${item.path} forever`, () => remove(item)),
        );
        actions.append(row);
        tr.append(name, size, when, actions);
        return tr;
      }),
    );
    $('#trash-table').hidden = items.length === 0;
    $('#trash-none').hidden = items.length > 0;
    $('#trash-empty-all').disabled = items.length === 0;
  }

  async function restore(item, to) {
    try {
      const back = await api('POST', `/trash/${item.id}/restore`, to === undefined ? {} : { to });
      showMessage(`Restored "${back.path}".`, 'ok');
    } catch (error) {
      if (error.status !== 409) return showMessage(`Could not restore: ${error.message}`, 'error');
      // Its place is taken: offer another path.
      const taken = to ?? item.path;
      const other = await askName({ title: `"${taken}" is taken`, label: 'Restore as (a path, folders joined by /)', value: `${taken} (restored)`, ok: 'Restore' });
      if (other) return restore(item, other);
      showMessage(`"${item.path}" stays in the trash: something else is at that path now.`, 'error');
    }
    await load();
  }

  async function remove(item) {
    if (!window.confirm(`Delete "${item.path}" forever? This cannot be undone.`)) return;
    try {
      await api('DELETE', `/trash/${item.id}`);
      showMessage(`Deleted "${item.path}" forever.`, 'ok');
    } catch (error) {
      showMessage(error.message, 'error');
    }
    await load();
  }

  $('#trash-empty-all').addEventListener('click', async () => {
    if (!window.confirm('Delete everything in the trash forever? This cannot be undone.')) return;
    try {
      await api('DELETE', '/trash');
      showMessage('The trash is empty.', 'ok');
    } catch (error) {
      showMessage(error.message, 'error');
    }
    await load();
  });

  session.onChange(() => {
    if (!$('#view-trash').hidden) load();
  });
  return { shown: load };
}
