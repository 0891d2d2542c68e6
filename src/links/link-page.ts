/** As the web page writes sizes (public/js/ui.js). */
function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  for (; value >= 1024 && unit < units.length - 1; unit++) value /= 1024;
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface LinkPageFacts {
  /** The link's own URL path, `/s/{token}`. */
  action: string;
  name: string;
  size: number;
  needsPassword: boolean;
  error?: string;
}

/** The page around `content`: plain HTML on the web page's stylesheet, no script. */
function shell(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title} · Cloudstash</title>
<link rel="icon" href="/app/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/app/styles.css">
</head>
<body class="link-page">
<main class="card">
  ${content}
</main>
</body>
</html>`;
}

/**
 * The small page a browser gets for a public link (CONTRACT §8): the file's name and size and a
 * download button, or a password form.
 */
export function linkPage(facts: LinkPageFacts): string {
  const name = escapeHtml(facts.name);
  const action = escapeHtml(facts.action);
  // After the input: the stylesheet hides it once a new password is typed (the right one
  // answers with the file, and the page stays).
  const error = facts.error ? `<p class="error" role="alert">${escapeHtml(facts.error)}</p>` : '';
  const body = facts.needsPassword
    ? `<form method="post" action="${action}" class="stack">
        <label for="password">This file is protected by a password</label>
        <input id="password" name="password" type="password" autocomplete="off" required autofocus>
        ${error}
        <button type="submit">Download</button>
      </form>`
    : `${error}<p><a class="button" href="${action}?download=1" download>Download</a></p>`;
  return shell(
    name,
    `<p class="muted">Cloudstash · shared file</p>
  <h1>${name}</h1>
  <p>${formatBytes(facts.size)}</p>
  ${body}`,
  );
}

/**
 * What a browser gets for a link that is unknown, revoked, expired, used up or whose file is
 * gone: as with the JSON answer, one page for all of them, so that none can be told apart.
 */
export function deadLinkPage(): string {
  return shell(
    'Link not available',
    `<p class="muted">Cloudstash · shared file</p>
  <h1>This link is no longer available</h1>
  <p>It may have expired, reached its download limit or been removed. Ask the person who sent it for a new link.</p>`,
  );
}
