import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../..');
let built: Promise<string> | undefined;

/**
 * Compiles src/ with tsc (what `npm run build` does) into a folder of this test process, so
 * that suites running in parallel never overwrite each other's build or `dist/`. The folder is
 * under node_modules/ so that the compiled code finds its dependencies and public/.
 */
export function buildServer(): Promise<string> {
  built ??= (async () => {
    const outDir = join(ROOT, 'node_modules', '.cache', `cloudstash-built-${process.pid}`);
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: ROOT,
    });
    const main = join(outDir, 'main.js');
    if (!existsSync(main)) throw new Error(`tsc wrote no ${main}`);
    return main;
  })();
  return built;
}

/** `dist/main.js` as `npm run build` leaves it. */
export const DIST_MAIN = join(ROOT, 'dist', 'main.js');

export interface LogLine {
  msg?: string;
  level?: number;
  [member: string]: unknown;
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  logs: LogLine[];
  /** Resolves with the first log line that matches (already written or still to come). */
  waitForLog(match: (line: LogLine) => boolean): Promise<LogLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts the built server as a child process (PORT=0) and resolves once it listens. */
export async function startServer(main: string, env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  const waiters: { match: (line: LogLine) => boolean; resolve: (line: LogLine) => void }[] = [];
  let stderr = '';
  let partial = '';
  child.stdout?.setEncoding('utf8').on('data', (data: string) => {
    const parts = (partial + data).split('\n');
    partial = parts.pop() ?? '';
    for (const text of parts) {
      if (text.trim() === '') continue;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { msg: text, notJson: true };
      }
      logs.push(line);
      for (const waiter of [...waiters]) {
        if (waiter.match(line)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (data: string) => (stderr += data));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));

  const waitForLog = (match: (line: LogLine) => boolean): Promise<LogLine> => {
    const seen = logs.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolveLine, reject) => {
      waiters.push({ match, resolve: resolveLine });
      void exited.then(({ code, signal }) => reject(new Error(`server exited (${code ?? signal}) before the expected log line; stderr: ${stderr}`)));
    });
  };

  const listening = await waitForLog((line) => typeof line.msg === 'string' && line.msg.includes('listening on http://localhost:'));
  const port = Number(/localhost:(\d+)/.exec(listening.msg ?? '')?.[1]);
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    port,
    logs,
    waitForLog,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
