import { api, pathUrl } from './api.js';
import { $ } from './ui.js';

/** Asks for a name in a modal dialog; resolves with it (trimmed), or null when cancelled. */
export function askName({ title, label, value, ok }) {
  const dialog = $('#name-dialog');
  const input = $('#name-dialog-input');
  $('#name-dialog-title').textContent = title;
  $('#name-dialog-label').textContent = label;
  $('#name-dialog-ok').textContent = ok;
  input.value = value;
  return new Promise((resolve) => {
    const cancel = $('#name-dialog-cancel');
    const onCancel = () => dialog.close('');
    cancel.addEventListener('click', onCancel, { once: true });
    dialog.addEventListener(
      'close',
      () => {
        cancel.removeEventListener('click', onCancel);
        const name = input.value.trim();
        resolve(dialog.returnValue === 'ok' && name ? name : null);
      },
      { once: true },
    );
    dialog.returnValue = '';
    dialog.showModal();
    input.select();
  });
}

/**
 * A folder browser in a modal dialog: open folders, go up, choose "Move here". Resolves with
 * the chosen folder's path, or null. `exclude` (a folder being moved) cannot be entered.
 */
export function pickFolder(what, start, exclude) {
  const dialog = $('#move-dialog');
  let where = [...start];
  $('#move-dialog-what').textContent = what;
  /** Only the latest listing is drawn: a quick Up or Open must not be overwritten by a slower earlier answer. */
  let shown = 0;

  async function show() {
    const turn = ++shown;
    $('#move-dialog-where').textContent = where.length ? `In ${where.join('/')}` : 'In Home';
    $('#move-dialog-up').disabled = where.length === 0;
    let folders = [];
    try {
      folders = (await api('GET', where.length ? pathUrl('/folders', where) : '/folders')).folders;
    } catch {
      if (turn !== shown) return;
      where = [];
      return show();
    }
    if (turn !== shown) return;
    const entries = folders.filter((folder) => !exclude || [...where, folder.name].join('/') !== exclude.join('/'));
    $('#move-dialog-folders').replaceChildren(
      ...entries.map((folder) => {
        const li = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'secondary small';
        button.append(document.getElementById('folder-icon').content.firstElementChild.cloneNode(true), folder.name);
        button.setAttribute('aria-label', `Open ${folder.name}`);
        button.addEventListener('click', () => {
          where = [...where, folder.name];
          void show();
        });
        li.append(button);
        return li;
      }),
    );
    $('#move-dialog-empty').hidden = entries.length > 0;
  }

  return new Promise((resolve) => {
    const up = () => {
      where = where.slice(0, -1);
      void show();
    };
    const ok = () => dialog.close('ok');
    const cancel = () => dialog.close('');
    $('#move-dialog-up').addEventListener('click', up);
    $('#move-dialog-ok').addEventListener('click', ok);
    $('#move-dialog-cancel').addEventListener('click', cancel);
    dialog.addEventListener(
      'close',
      () => {
        $('#move-dialog-up').removeEventListener('click', up);
        $('#move-dialog-ok').removeEventListener('click', ok);
        $('#move-dialog-cancel').removeEventListener('click', cancel);
        resolve(dialog.returnValue === 'ok' ? where : null);
      },
      { once: true },
    );
    dialog.returnValue = '';
    void show().then(() => dialog.showModal());
  });
}
