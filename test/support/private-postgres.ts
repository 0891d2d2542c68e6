import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Client, escapeIdentifier, QueryResult, QueryResultRow } from 'pg';
import { freePort } from './free-port';
import { readyLine } from './ready-line';

const run = promisify(execFile);

/** How long start() and restart() wait for the server to accept connections. */
const READY_TIMEOUT_MS = 20_000;

/** A transaction of the test's own that holds a lock until released. */
export interface HeldLock {
  /** Rolls the transaction back (which lets the lock go) and closes the connection; safe to call twice. */
  release(): Promise<void>;
}

/** The bin folder of the installed PostgreSQL (Debian installs each major under /usr/lib/postgresql/<version>). */
function postgresBin(): string {
  const versions = readdirSync('/usr/lib/postgresql')
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no PostgreSQL under /usr/lib/postgresql');
  return join('/usr/lib/postgresql', versions[0], 'bin');
}

/** The pids whose parent is `pid`, read from /proc (every postgres backend is a child of the postmaster). */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat?.ppid === pid) children.push(Number(entry));
  }
  return children;
}

/** State letter and parent pid of a process (or thread: /proc/<pid>/task/<tid>), or undefined once it has gone. */
function readStat(path: string | number): { state: string; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(typeof path === 'number' ? `/proc/${path}/stat` : `${path}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ')'.
  const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state, ppid: Number(ppid) };
}

/** The states of every thread of a process ([] once it has gone). */
function threadStates(pid: number): string[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  return tids.map((tid) => readStat(`/proc/${pid}/task/${tid}`)?.state ?? 'X');
}

/**
 * Resolves once every thread of the processes is stopped (`T`) or, with `stopped` false, none is.
 * kill(2) only queues the signal: a thread that is running on another CPU stops a moment
 * later, and in that moment a paused server can still answer a query.
 */
async function waitStopped(pids: number[], stopped = true, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const done = (state: string) => state === 'Z' || state === 'X' || (state === 'T') === stopped;
  while (!pids.every((pid) => threadStates(pid).every(done))) {
    if (Date.now() > deadline) throw new Error(`processes ${pids.join(', ')} not ${stopped ? 'stopped' : 'continued'} after ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Sends a signal, ignoring processes that have exited in the meantime. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Resolves once none of the pids is running any more (a zombie counts as gone: it holds no memory, no shared memory, no port). */
async function waitGone(pids: number[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const alive = pids.filter((pid) => {
      const stat = readStat(pid);
      return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
    });
    if (alive.length === 0) return;
    if (Date.now() > deadline) throw new Error(`processes ${alive.join(', ')} still running after SIGKILL`);
    await sleep(20);
  }
}

function uidOf(user: string): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A PostgreSQL server of the test's own, in a temp folder and on a free port, that the test may
 * freeze, kill and start again without disturbing the shared server on 5432. Needs root: the
 * cluster belongs to the `postgres` user, and postgres refuses to run as root.
 */
export class PrivatePostgres {
  private server: ChildProcess | undefined;
  /** The end of the server's log (it logs to stderr), for errors about a server that will not start. */
  private log = '';
  private stopped = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly bin: string,
    private readonly owner: { uid: number; gid: number },
  ) {}

  /** initdb in a fresh temp folder, then starts the server and resolves once it accepts connections. */
  static async start(): Promise<PrivatePostgres> {
    const bin = postgresBin();
    const owner = uidOf('postgres');
    const dir = mkdtempSync(join(tmpdir(), 'cloudstash-pg-'));
    chownSync(dir, owner.uid, owner.gid);
    const postgres = new PrivatePostgres(dir, await freePort(), bin, owner);
    try {
      // runuser rather than spawn's uid option: initdb is a short job whose pid we do not need.
      await run('runuser', ['-u', 'postgres', '--', join(bin, 'initdb'), '-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C.UTF-8'], { cwd: dir });
      await postgres.launch();
    } catch (err) {
      await postgres.stop();
      throw err;
    }
    return postgres;
  }

  /** The DB_* variables that point the app at this server. */
  get env(): Record<string, string> {
    return { DB_TYPE: 'postgres', DB_HOST: '127.0.0.1', DB_PORT: String(this.port), DB_USER: 'postgres', DB_PASSWORD: '' };
  }

  /** The postmaster's pid while it runs. */
  get pid(): number | undefined {
    return this.running() ? this.server?.pid : undefined;
  }

  /** One statement as superuser on a connection of its own (database `postgres` unless named). */
  query<R extends QueryResultRow = QueryResultRow>(sql: string, database?: string): Promise<QueryResult<R>>;
  query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[], database?: string): Promise<QueryResult<R>>;
  async query<R extends QueryResultRow = QueryResultRow>(sql: string, paramsOrDatabase?: unknown[] | string, database?: string): Promise<QueryResult<R>> {
    const params = Array.isArray(paramsOrDatabase) ? paramsOrDatabase : [];
    const client = await this.connect(typeof paramsOrDatabase === 'string' ? paramsOrDatabase : database);
    try {
      return await client.query<R>(sql, params);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async createDatabase(name: string): Promise<void> {
    await this.query(`CREATE DATABASE ${escapeIdentifier(name)}`);
  }

  /**
   * Freezes the server like a hung host: SIGSTOP to the postmaster, and once it has stopped (so
   * that it forks no more backends) to every backend; resolves when all of them have stopped.
   * Connections stay open; queries just never answer.
   */
  async pause(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    signal(pid, 'SIGSTOP');
    await waitStopped([pid]);
    const children = childPids(pid);
    for (const child of children) signal(child, 'SIGSTOP');
    await waitStopped(children);
  }

  /** Undoes pause(): SIGCONT to the postmaster and whatever children it has now; resolves once all run again. */
  async resume(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    const processes = [...childPids(pid), pid];
    for (const each of processes) signal(each, 'SIGCONT');
    await waitStopped(processes, false);
  }

  /**
   * Crashes the server: SIGKILL to the postmaster and its backends, and resolves once all have
   * gone (the port is closed, the shared memory free for restart()).
   */
  async kill(): Promise<void> {
    const server = this.server;
    const pid = this.pid;
    if (!server || pid === undefined) return;
    // Stopped first, so that it cannot fork a backend between listing its children and dying.
    signal(pid, 'SIGSTOP');
    await waitStopped([pid]);
    const children = childPids(pid);
    const exited = once(server, 'exit');
    signal(pid, 'SIGKILL');
    for (const child of children) signal(child, 'SIGKILL');
    await exited;
    await waitGone(children);
    // Nothing of the old server runs any more, so its lock file is stale: removed rather than
    // left to postgres's "is that pid still alive" check, which a reused pid could fool.
    rmSync(join(this.dir, 'postmaster.pid'), { force: true });
  }

  /** Starts the server again on the same folder and port (after kill(); crash recovery included). */
  async restart(): Promise<void> {
    if (this.stopped) throw new Error('PrivatePostgres was stopped');
    if (this.running()) throw new Error('PrivatePostgres is still running: kill() it first');
    await this.launch();
  }

  /** Terminates every other connection to the database, like an admin or a failover would; resolves to how many. */
  async terminateBackends(database: string): Promise<number> {
    const result = await this.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    return result.rowCount ?? 0;
  }

  /**
   * Runs `BEGIN` and then the statement (e.g. `LOCK TABLE t IN ACCESS EXCLUSIVE MODE`) on a
   * connection of its own, and keeps the transaction open until release().
   */
  async holdLock(database: string, sql: string): Promise<HeldLock> {
    const client = await this.connect(database);
    try {
      await client.query('BEGIN');
      await client.query(sql);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        try {
          await client.query('ROLLBACK');
        } catch {
          // The connection is already gone (terminated, server killed), and with it the lock.
        } finally {
          await client.end().catch(() => undefined);
        }
      },
    };
  }

  /** Polls pg_stat_activity until a backend of the database waits for a lock in a query matching the pattern; resolves to its pid. */
  async waitForBlocked(database: string, pattern: RegExp, timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let seen: { pid: number; wait_event_type: string | null; query: string }[] = [];
    const client = await this.connect();
    try {
      for (;;) {
        const result = await client.query<{ pid: number; wait_event_type: string | null; query: string }>(
          'SELECT pid, wait_event_type, query FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [database],
        );
        seen = result.rows;
        const blocked = seen.find((row) => row.wait_event_type === 'Lock' && pattern.test(row.query));
        if (blocked) return blocked.pid;
        if (Date.now() > deadline) break;
        await sleep(50);
      }
    } finally {
      await client.end().catch(() => undefined);
    }
    throw new Error(`no backend of ${database} blocked on a lock in a query matching ${String(pattern)} after ${timeoutMs} ms; saw ${JSON.stringify(seen)}`);
  }

  /** Kills the server (resuming it first if paused) and removes its folder. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.resume();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private running(): boolean {
    return this.server !== undefined && this.server.exitCode === null && this.server.signalCode === null;
  }

  /** A superuser connection; its 'error' event is handled so that a dying server cannot crash the test process. */
  private async connect(database = 'postgres', connectionTimeoutMillis = 10_000): Promise<Client> {
    const client = new Client({ host: '127.0.0.1', port: this.port, user: 'postgres', database, connectionTimeoutMillis });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  /**
   * Spawns postgres itself as user postgres (spawn's uid/gid rather than runuser, which would
   * fork and leave us runuser's pid instead of the postmaster's), then waits until it answers.
   */
  private async launch(): Promise<void> {
    this.log = '';
    const server = spawn(
      join(this.bin, 'postgres'),
      ['-D', this.dir, '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
      { cwd: this.dir, uid: this.owner.uid, gid: this.owner.gid, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.server = server;
    server.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.log = (this.log + chunk).slice(-16_384);
    });
    try {
      await readyLine(server, /database system is ready to accept connections/, 'postgres', READY_TIMEOUT_MS);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }
}
