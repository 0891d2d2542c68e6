export const $ = (selector, root = document) => root.querySelector(selector);

/** A notice that outranks what the action in progress says (the session ended under it), until the next action. */
let pinned = false;

/** One line of feedback for the last action; it stays until the next action starts (see `clearMessagesOnNewActions`). */
export function showMessage(text, kind = 'info') {
  if (pinned) return;
  const box = $('#message');
  box.textContent = text;
  box.className = `message ${kind}`;
  box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  box.hidden = false;
}

/** Like showMessage, but what the interrupted action says afterwards does not replace it. */
export function showNotice(text, kind = 'error') {
  pinned = false;
  showMessage(text, kind);
  pinned = true;
}

export function clearMessage() {
  pinned = false;
  $('#message').hidden = true;
}

/**
 * A new action (a button, a link, a form, a drop) starts with no old message: what it says
 * replaces it, and when it says nothing, nothing out of date is left standing.
 */
export function clearMessagesOnNewActions() {
  const clear = (event) => {
    if (event.type !== 'click' || event.target.closest?.('button, a[href], summary')) clearMessage();
  };
  for (const type of ['click', 'submit', 'drop']) document.addEventListener(type, clear, { capture: true });
}

export function fromTemplate(id) {
  return document.getElementById(id).content.firstElementChild.cloneNode(true);
}

/** Whole seconds, rounded down as the browser's player shows them, so that both say the same. */
export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined) return 'unknown length';
  const total = Math.floor(seconds);
  const minutes = Math.floor(total / 60);
  return `${minutes}:${String(total % 60).padStart(2, '0')}`;
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatDate(iso) {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Runs `task` with the progress bar shown, and hides it afterwards. */
export async function withProgress(bar, task) {
  bar.value = 0;
  bar.hidden = false;
  try {
    return await task((fraction) => {
      bar.value = Math.round(fraction * 100);
    });
  } finally {
    bar.hidden = true;
  }
}

/** Copies text to the clipboard and says so; when the browser refuses, says what to do instead. */
export async function copyText(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    showMessage(`Copied ${what}.`, 'ok');
  } catch {
    showMessage(`Could not copy: select the ${what} and copy it yourself.`, 'error');
  }
}

let labelCount = 0;
/** Ties a template's label to its input with a fresh id, and names it. */
export function labelFor(label, input, text) {
  labelCount += 1;
  input.id = `field-${labelCount}`;
  label.htmlFor = input.id;
  if (text !== undefined) label.textContent = text;
}
