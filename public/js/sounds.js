import { api, uploadForm } from './api.js';
import { $, formatDate, formatDuration, fromTemplate, showMessage, withProgress } from './ui.js';

const PAGE_SIZE = 20;

/** The public sound list (newest first, paged) and, when logged in, upload and delete. */
export function initSounds(session) {
  let offset = 0;
  let total = 0;

  async function load() {
    let page;
    try {
      page = await api('GET', `/sounds?limit=${PAGE_SIZE}&offset=${offset}`);
    } catch (error) {
      showMessage(`Could not load the sounds: ${error.message}`, 'error');
      return;
    }
    total = page.total;
    if (offset > 0 && page.items.length === 0 && total > 0) {
      // The last page emptied (a delete): step back one page.
      offset = Math.max(0, offset - PAGE_SIZE);
      return load();
    }
    render(page.items);
  }

  function render(items) {
    const list = $('#sound-list');
    list.replaceChildren(...items.map(renderSound));
    $('#sounds-empty').hidden = items.length > 0;
    $('#sounds-count').textContent = total === 1 ? '1 sound' : `${total} sounds`;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    $('#sounds-page').textContent = `Page ${Math.floor(offset / PAGE_SIZE) + 1} of ${pages}`;
    $('#sounds-newer').disabled = offset === 0;
    $('#sounds-older').disabled = offset + PAGE_SIZE >= total;
  }

  function renderSound(sound) {
    const item = fromTemplate('sound-item');
    item.dataset.id = String(sound.id);
    $('.sound-title', item).textContent = sound.title;
    const meta = $('.sound-meta', item);
    const describe = (seconds) => `${sound.owner.username} · ${formatDuration(seconds)} · ${formatDate(sound.createdAt)}`;
    meta.textContent = describe(sound.durationSeconds);
    const audio = $('audio', item);
    // preload="metadata": the player knows the real length, and seeks by ranges, before anyone presses play.
    audio.addEventListener('loadedmetadata', () => {
      if (Number.isFinite(audio.duration)) meta.textContent = describe(audio.duration);
    });
    audio.src = sound.streamUrl;
    audio.setAttribute('aria-label', `Play ${sound.title}`);
    const user = session.user;
    const remove = $('.sound-delete', item);
    // Only the owner (or an admin) sees Delete; the server checks again.
    remove.parentElement.hidden = !user || (user.id !== sound.owner.id && user.role !== 'admin');
    remove.hidden = remove.parentElement.hidden;
    remove.setAttribute('aria-label', `Delete ${sound.title}`);
    remove.addEventListener('click', () => deleteSound(sound));
    return item;
  }

  async function deleteSound(sound) {
    if (!window.confirm(`Delete "${sound.title}"?`)) return;
    try {
      await api('DELETE', `/sounds/${sound.id}`);
      showMessage(`Deleted "${sound.title}".`, 'ok');
      await load();
    } catch (error) {
      showMessage(error.message, 'error');
    }
  }

  const form = $('#sound-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = $('#sound-file').files[0];
    if (!file) return showMessage('Choose a sound file to upload.', 'error');
    const data = new FormData();
    const title = $('#sound-title').value.trim();
    if (title) data.append('title', title);
    data.append('file', file);
    const button = $('#sound-submit');
    button.disabled = true;
    showMessage(`Uploading "${file.name}"…`);
    try {
      const sound = await withProgress($('#sound-progress'), (progress) => uploadForm('/sounds', data, progress));
      form.reset();
      showMessage(`Uploaded "${sound.title}".`, 'ok');
      offset = 0;
      await load();
    } catch (error) {
      showMessage(`Upload failed: ${error.message}`, 'error');
    } finally {
      button.disabled = false;
    }
  });

  $('#sounds-newer').addEventListener('click', () => {
    offset = Math.max(0, offset - PAGE_SIZE);
    load();
  });
  $('#sounds-older').addEventListener('click', () => {
    offset += PAGE_SIZE;
    load();
  });

  session.onChange((user) => {
    $('#sound-upload').hidden = !user;
    load();
  });

  return { shown: load };
}
