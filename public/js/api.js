// Talks to the Cloudstash API on this origin. The session lives in the HttpOnly `session`
// cookie that the login routes set, so no token is ever handled by script.

/** An API answer that was not a success, with the message to show a person and the server's own words (`reason`). */
export class ApiError extends Error {
  constructor(status, message, reason = '') {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

/** Told of every 401 and 403 before the caller is: the session may have ended under the page. */
let refusalListener = async () => {};
export function onRefused(listener) {
  refusalListener = listener;
}

const serverWords = (body) => (body && typeof body === 'object' ? body.error || body.message || '' : '');

/** The ApiError for a failed answer, once the refusal listener has had its say. */
async function failure(status, body) {
  const error = new ApiError(status, describeFailure(status, body), serverWords(body));
  if (status === 401 || status === 403) {
    try {
      await refusalListener(error);
    } catch {
      // Checking the session is a courtesy; the caller still says what failed.
    }
  }
  return error;
}

const STATUS_WORDS = {
  401: 'Please log in first.',
  413: 'That file is too large for this server.',
  415: 'That file is not a supported audio format. Use MP3, WAV, OGG/Opus, FLAC, M4A/AAC or WebM.',
  429: 'Too many requests. Wait a moment and try again.',
  507: 'Your storage quota is full, even with your old trash purged. Delete something and empty the trash first.',
};

/** The words for a failed answer: fixed ones for the statuses people meet, else the server's. */
export function describeFailure(status, body) {
  if (STATUS_WORDS[status]) return STATUS_WORDS[status];
  const text = serverWords(body);
  if (text) return text.endsWith('.') ? text : `${text}.`;
  if (status >= 500) return 'The server had a problem. Try again later.';
  return `The request failed (HTTP ${status}).`;
}

async function readBody(response) {
  const type = response.headers.get('content-type') || '';
  if (!type.includes('application/json')) return null;
  try {
    return await response.json();
  } catch {
    return null;
  }
}

/** fetch + JSON: resolves with the parsed body (or null), rejects with an ApiError. */
export async function api(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'Could not reach the server. Check your connection.');
  }
  const parsed = await readBody(response);
  if (!response.ok) throw await failure(response.status, parsed);
  return parsed;
}

/** One file's bytes as a PUT (a new version at that path), with progress from 0 to 1. */
export function uploadPut(path, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', path);
    xhr.setRequestHeader('Accept', 'application/json');
    if (file.type) xhr.setRequestHeader('Content-Type', file.type);
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response);
      else failure(xhr.status, xhr.response).then(reject);
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'The upload was interrupted. The file may be too large, or the connection dropped.')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'The upload was cancelled.')));
    xhr.send(file);
  });
}

/**
 * A multipart upload with progress (fetch cannot report upload progress; XMLHttpRequest can).
 * `onProgress` gets a fraction from 0 to 1.
 */
export function uploadForm(path, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.responseType = 'json';
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      const body = xhr.response;
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else failure(xhr.status, body).then(reject);
    });
    // A server that refuses a large upload early may close the connection before it is read.
    xhr.addEventListener('error', () => reject(new ApiError(0, 'The upload was interrupted. The file may be too large, or the connection dropped.')));
    xhr.addEventListener('abort', () => reject(new ApiError(0, 'The upload was cancelled.')));
    xhr.send(formData);
  });
}

/** POST that answers with file bytes (S4's /download): saved through a temporary link. */
export async function downloadPost(path, body, filename) {
  let response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'Could not reach the server. Check your connection.');
  }
  if (!response.ok) throw await failure(response.status, await readBody(response));
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const encodeName = (name) => encodeURIComponent(name);

/** A path (a list of names) as a URL under `prefix`: names encoded one by one, literal slashes between. */
export const pathUrl = (prefix, names) => `${prefix}/${names.map(encodeName).join('/')}`;
