import { ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Connection, createConnection, QueryResult, RowDataPacket } from 'mysql2/promise';
import { freePort } from './free-port';
import { readyLine } from './ready-line';

const run = promisify(execFile);

/** How long start() and restart() wait for the server to accept connections. */
const READY_TIMEOUT_MS = 30_000;

/**
 * Options both mariadb-install-db and mariadbd get: small InnoDB files and buffers (the defaults
 * make a 100 MB redo log per server), and no DNS lookups of 127.0.0.1 on every connect.
 */
const SERVER_OPTIONS = ['--innodb-log-file-size=8M', '--innodb-buffer-pool-size=32M', '--skip-name-resolve'];

/**
 * Resolves once every thread of the process is stopped (`T`) or, with `stopped` false, none is.
 * kill(2) only queues the signal: a thread that is running on another CPU stops a moment later,
 * and in that moment a paused server can still answer a query (seen: half of the queries sent
 * right after SIGSTOP were answered).
 */
async function waitStopped(pid: number, stopped: boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const states = () => {
    try {
      return readdirSync(`/proc/${pid}/task`).map((tid) => {
        try {
          const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
          return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
        } catch {
          return 'X'; // the thread has just exited
        }
      });
    } catch {
      return []; // the process has exited
    }
  };
  while (!states().every((state) => state === 'Z' || state === 'X' || (state === 'T') === stopped)) {
    if (Date.now() > deadline) throw new Error(`mariadbd ${pid} not ${stopped ? 'stopped' : 'continued'} after ${timeoutMs} ms`);
    await sleep(5);
  }
}

/**
 * A MariaDB server of the test's own, in a temp folder and on a free port, that the test may
 * freeze, kill and start again without disturbing the shared server on 3306. Runs as root
 * (`--user=root`), with root@127.0.0.1 and no password.
 */
export class PrivateMariaDB {
  private server: ChildProcess | undefined;
  /** The end of the server's log (stderr), for errors about a server that will not start. */
  private log = '';
  private paused = false;
  private stopped = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /** mariadb-install-db in a fresh temp folder, then starts the server and resolves once it accepts connections. */
  static async start(): Promise<PrivateMariaDB> {
    const mariadb = new PrivateMariaDB(mkdtempSync(join(tmpdir(), 'cloudstash-mariadb-')), await freePort());
    try {
      await run('mariadb-install-db', ['--no-defaults', `--datadir=${mariadb.dataDir}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root', ...SERVER_OPTIONS], {
        cwd: mariadb.dir,
      });
      await mariadb.launch();
    } catch (err) {
      await mariadb.stop();
      throw err;
    }
    return mariadb;
  }

  /** The DB_* variables that point the app at this server. */
  get env(): Record<string, string> {
    return { DB_TYPE: 'mysql', DB_HOST: '127.0.0.1', DB_PORT: String(this.port), DB_USER: 'root', DB_PASSWORD: '' };
  }

  /** mariadbd's pid while it runs. */
  get pid(): number | undefined {
    return this.running() ? this.server?.pid : undefined;
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** One statement as root on a connection of its own (no default database unless named). */
  query<T extends QueryResult = RowDataPacket[]>(sql: string, database?: string): Promise<T>;
  query<T extends QueryResult = RowDataPacket[]>(sql: string, params?: unknown[], database?: string): Promise<T>;
  async query<T extends QueryResult = RowDataPacket[]>(sql: string, paramsOrDatabase?: unknown[] | string, database?: string): Promise<T> {
    const params = Array.isArray(paramsOrDatabase) ? paramsOrDatabase : [];
    const connection = await this.connect(typeof paramsOrDatabase === 'string' ? paramsOrDatabase : database);
    try {
      const [result] = await connection.query<T>(sql, params);
      return result;
    } finally {
      await connection.end().catch(() => undefined);
    }
  }

  async createDatabase(name: string): Promise<void> {
    await this.query(`CREATE DATABASE \`${name.replace(/`/g, '``')}\``);
  }

  /**
   * Freezes the server like a hung host (mariadbd is one process): resolves once all its threads
   * have stopped. Connections stay open; nothing answers.
   */
  async pause(): Promise<void> {
    const pid = this.pid;
    if (pid === undefined) return;
    process.kill(pid, 'SIGSTOP');
    this.paused = true;
    await waitStopped(pid, true);
  }

  /** Undoes pause(); resolves once all its threads run again. */
  async resume(): Promise<void> {
    const pid = this.pid;
    this.paused = false;
    if (pid === undefined) return;
    process.kill(pid, 'SIGCONT');
    await waitStopped(pid, false);
  }

  /** Crashes the server with SIGKILL and resolves once it has exited (its port is closed). */
  async kill(): Promise<void> {
    const server = this.server;
    if (!server || !this.running()) return;
    const exited = once(server, 'exit');
    server.kill('SIGKILL');
    await exited;
    this.paused = false;
  }

  /** Starts the server again on the same data and port (after kill(); InnoDB crash recovery included). */
  async restart(): Promise<void> {
    if (this.stopped) throw new Error('PrivateMariaDB was stopped');
    if (this.running()) throw new Error('PrivateMariaDB is still running: kill() it first');
    await this.launch();
  }

  /** KILLs every other connection whose current database is `database`, like an admin would; resolves to how many. */
  async killConnections(database: string): Promise<number> {
    const connection = await this.connect();
    try {
      const [rows] = await connection.query<RowDataPacket[]>('SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ? AND ID <> CONNECTION_ID()', [database]);
      let killed = 0;
      for (const row of rows) {
        try {
          await connection.query(`KILL ${Number(row.ID)}`);
          killed += 1;
        } catch (err) {
          // ER_NO_SUCH_THREAD: it closed between the SELECT and the KILL.
          if ((err as { errno?: number }).errno !== 1094) throw err;
        }
      }
      return killed;
    } finally {
      await connection.end().catch(() => undefined);
    }
  }

  /** Kills the server (resuming it first if paused) and removes its folder. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.paused) await this.resume();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private running(): boolean {
    return this.server !== undefined && this.server.exitCode === null && this.server.signalCode === null;
  }

  /** A root connection; its 'error' event is handled so that a dying server cannot crash the test process. */
  private async connect(database?: string, connectTimeout = 10_000): Promise<Connection> {
    const connection = await createConnection({ host: '127.0.0.1', port: this.port, user: 'root', password: '', database, connectTimeout });
    connection.on('error', () => undefined);
    return connection;
  }

  private async launch(): Promise<void> {
    this.log = '';
    const server = spawn(
      'mariadbd',
      [
        '--no-defaults',
        `--datadir=${this.dataDir}`,
        `--port=${this.port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(this.dir, 'sock')}`,
        `--pid-file=${join(this.dir, 'mariadbd.pid')}`,
        '--user=root',
        // Commits reach the OS on every commit: they survive kill() (a process crash), not a host crash.
        '--innodb-flush-log-at-trx-commit=2',
        ...SERVER_OPTIONS,
      ],
      { cwd: this.dir, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.server = server;
    server.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.log = (this.log + chunk).slice(-16_384);
    });
    try {
      await readyLine(server, /ready for connections/, 'mariadbd', READY_TIMEOUT_MS);
    } catch (err) {
      await this.kill();
      throw err;
    }
  }
}
