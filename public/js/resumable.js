// Resumable uploads (tus, CONTRACT §7) for big files, with tus-js-client (loaded as
// vendor/tus.min.js). The upload URL is kept in localStorage under the file's fingerprint, so a
// reload or a dropped connection continues where the server stopped instead of from zero.
import { ApiError, describeFailure } from './api.js';

/** Files from this size on go through tus; smaller ones are one PUT, which is quicker for them. */
export const RESUMABLE_FROM_BYTES = 4 * 1024 * 1024;
/** One PATCH per chunk: a lost connection costs at most one chunk. */
const CHUNK_BYTES = 8 * 1024 * 1024;
const STORAGE_PREFIX = 'tus::';

function failureOf(error) {
  const response = error.originalResponse;
  if (!response) return new ApiError(0, 'The upload was interrupted. Check your connection and try again.');
  const status = response.getStatus();
  let body = null;
  try {
    body = JSON.parse(response.getBody());
  } catch {
    // Not JSON: the fixed words for the status serve.
  }
  return new ApiError(status, describeFailure(status, body));
}

/**
 * Uploads `file` to the path (names) as a new version. `onProgress` gets 0..1, `onState`
 * 'uploading' | 'paused' | 'offline'. While the browser is offline the upload waits and goes on
 * by itself when the network is back.
 */
export function resumableUpload(file, path, { onProgress, onState }) {
  let paused = false;
  let settle;
  const done = new Promise((resolve, reject) => {
    settle = { resolve, reject };
  });
  const upload = new window.tus.Upload(file, {
    endpoint: '/uploads/',
    chunkSize: CHUNK_BYTES,
    retryDelays: [0, 1000, 3000, 5000, 10000],
    metadata: { filename: path.join('/'), filetype: file.type },
    removeFingerprintOnSuccess: true,
    onProgress: (sent, total) => onProgress(total > 0 ? sent / total : 1),
    onSuccess: () => settle.resolve(),
    onError: (error) => {
      // tus-js-client does not retry while the browser says it is offline: wait for the network.
      if (!navigator.onLine) {
        onState('offline');
        window.addEventListener(
          'online',
          () => {
            if (paused) return;
            onState('uploading');
            upload.start();
          },
          { once: true },
        );
        return;
      }
      settle.reject(failureOf(error));
    },
  });
  onState('uploading');
  // The same file begun before a reload or a lost connection continues from the server's offset.
  upload
    .findPreviousUploads()
    .then((previous) => {
      if (previous.length > 0) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    })
    .catch((error) => settle.reject(new ApiError(0, `The upload could not start: ${error.message}`)));
  return {
    done,
    pause() {
      paused = true;
      // The server keeps what arrived; Resume asks it where to go on.
      upload.abort().catch(() => undefined);
      onState('paused');
    },
    resume() {
      paused = false;
      onState('uploading');
      upload.start();
    },
  };
}

/** The uploads tus-js-client remembers in this browser: `{key, filename, uploadUrl}`. */
function remembered() {
  const entries = [];
  for (let i = 0; i < localStorage.length; i++) {
    const key = localStorage.key(i);
    if (!key || !key.startsWith(STORAGE_PREFIX)) continue;
    try {
      const { metadata, uploadUrl } = JSON.parse(localStorage.getItem(key));
      if (metadata && metadata.filename) entries.push({ key, filename: metadata.filename, uploadUrl });
    } catch {
      // Not one of ours.
    }
  }
  return entries;
}

/** The names of unfinished uploads this browser remembers: choosing the same file again continues them. */
export function interruptedUploads() {
  return [...new Set(remembered().map((entry) => entry.filename))].sort();
}

/**
 * Forgets remembered uploads the server no longer has (expired, abandoned, finished from
 * another tab): asks the server about each, as the logged-in user.
 */
export async function forgetFinishedUploads() {
  for (const { key, uploadUrl } of remembered()) {
    if (!uploadUrl) {
      localStorage.removeItem(key);
      continue;
    }
    try {
      const response = await fetch(uploadUrl, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' }, credentials: 'same-origin' });
      const gone = response.status === 404 || response.status === 410;
      const complete = response.ok && response.headers.get('Upload-Offset') === response.headers.get('Upload-Length');
      if (gone || complete) localStorage.removeItem(key);
    } catch {
      // Offline: ask again next time.
    }
  }
}
