// What every benchmark script needs: free ports, child servers that die with the run, and medians.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const log = (...args) => console.error(...args);

export const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
    server.on('error', fail);
  });
}

/**
 * Child processes whose output goes to `<work>/<name>.log`, all killed (and `work` removed)
 * when the benchmark exits, however it exits.
 */
export function processes(work) {
  const children = new Set();
  process.on('exit', () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(work, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

  function start(name, command, args, options = {}) {
    const logFile = openSync(join(work, `${name}.log`), 'w');
    const child = spawn(command, args, { stdio: ['ignore', logFile, logFile], ...options });
    closeSync(logFile);
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  }

  async function stop(child) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  /** Resolves once `url` answers at all; throws with the child's log if it dies or never does. */
  async function waitUntilUp(url, child, name) {
    for (let i = 0; i < 300; i++) {
      if (child.exitCode !== null) break;
      try {
        await fetch(url);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`${name} did not start; see its log:\n${readFileSync(join(work, `${name}.log`), 'utf8').slice(-2000)}`);
  }

  return { start, stop, waitUntilUp };
}

/** Signs a user up on a running Cloudstash and logs in; returns the session token. */
export async function signUpAndLogIn(base, credentials = { username: 'benchuser', password: 'bench-password-1' }) {
  const json = { 'Content-Type': 'application/json' };
  const registered = await fetch(`${base}/register`, { method: 'POST', headers: json, body: JSON.stringify(credentials) });
  if (!registered.ok) throw new Error(`register answered ${registered.status}: ${await registered.text()}`);
  const login = await fetch(`${base}/login`, { method: 'POST', headers: json, body: JSON.stringify(credentials) });
  const { token } = await login.json();
  if (!token) throw new Error(`login answered ${login.status}`);
  return token;
}
