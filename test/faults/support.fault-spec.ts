import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection, createConnection, RowDataPacket } from 'mysql2/promise';
import { Client } from 'pg';
import { FaultProxy } from '../support/fault-proxy';
import { PrivateMariaDB } from '../support/private-mariadb';
import { PrivatePostgres } from '../support/private-postgres';
import { canMountTmpfs, mountTmpfs } from '../support/tmpfs';

// The helpers the fault suites stand on: each fault must really happen (a paused server does not
// answer, a cut connection fails) and must be undoable, or the suites would prove nothing.

/** Settles to 'pending' if the promise has not settled within `ms` (the promise keeps running). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise, sleep(ms, 'pending' as const, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

/** A pg client whose queries give up after 1 s, with its 'error' event handled (a cut connection must not crash jest). */
async function pgClient(port: number, options: { connect?: boolean } = {}): Promise<Client> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', query_timeout: 1000, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  if (options.connect !== false) await client.connect();
  return client;
}

async function mysqlConnection(port: number, database?: string): Promise<Connection> {
  const connection = await createConnection({ host: '127.0.0.1', port, user: 'root', password: '', database, connectTimeout: 1000 });
  connection.on('error', () => undefined);
  return connection;
}

describe('PrivatePostgres', () => {
  let pg: PrivatePostgres;
  const clients: Client[] = [];
  const connect = async (port = pg.port) => {
    const client = await pgClient(port);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    pg = await PrivatePostgres.start();
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
  });
  afterAll(async () => {
    await pg?.stop();
  });

  it('answers queries, in databases it creates too', async () => {
    expect(pg.env).toEqual({ DB_TYPE: 'postgres', DB_HOST: '127.0.0.1', DB_PORT: String(pg.port), DB_USER: 'postgres', DB_PASSWORD: '' });
    expect((await pg.query<{ n: number }>('SELECT $1::int AS n', [7])).rows).toEqual([{ n: 7 }]);
    await pg.createDatabase('faults');
    await pg.query('CREATE TABLE survivors (id int)', 'faults');
    await pg.query('INSERT INTO survivors VALUES (1)', [], 'faults');
    expect((await pg.query('SELECT id FROM survivors', 'faults')).rows).toEqual([{ id: 1 }]);
  });

  it('pause() makes queries time out, resume() makes them answer again', async () => {
    const client = await connect();
    await pg.pause();
    try {
      await expect(client.query('SELECT 1')).rejects.toThrow('Query read timeout');
      await expect(pgClient(pg.port)).rejects.toThrow('timeout expired');
    } finally {
      await pg.resume();
    }
    expect((await client.query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
    expect((await (await connect()).query('SELECT 3 AS n')).rows).toEqual([{ n: 3 }]);
  });

  it('kill() crashes the server and restart() brings it back with its data', async () => {
    const client = await connect();
    const pid = pg.pid;
    await pg.kill();
    expect(pg.pid).toBeUndefined();
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    await expect(client.query('SELECT 1')).rejects.toThrow();
    await expect(pgClient(pg.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await pg.restart();
    expect((await pg.query('SELECT id FROM survivors', 'faults')).rows).toEqual([{ id: 1 }]);
  });

  it('holdLock() blocks other writers until release(), and waitForBlocked() finds them', async () => {
    const lock = await pg.holdLock('faults', 'LOCK TABLE survivors IN ACCESS EXCLUSIVE MODE');
    const writer = new Client({ host: '127.0.0.1', port: pg.port, user: 'postgres', database: 'faults' });
    writer.on('error', () => undefined);
    clients.push(writer);
    await writer.connect();
    const { rows } = await writer.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const insert = writer.query('INSERT INTO survivors VALUES (2)');
    expect(await pg.waitForBlocked('faults', /INSERT INTO survivors/, 5000)).toBe(rows[0].pid);
    expect(await within(insert, 200)).toBe('pending');
    await lock.release();
    await lock.release();
    await insert;
    await pg.query('DELETE FROM survivors WHERE id = 2', 'faults');
  });

  it('terminateBackends() ends the connections to one database only', async () => {
    const victim = new Client({ host: '127.0.0.1', port: pg.port, user: 'postgres', database: 'faults' });
    victim.on('error', () => undefined);
    clients.push(victim);
    await victim.connect();
    const bystander = await connect();
    // At least the victim: backends of connections closed a moment ago may still be on their way out.
    expect(await pg.terminateBackends('faults')).toBeGreaterThanOrEqual(1);
    await expect(victim.query('SELECT 1')).rejects.toThrow();
    expect((await bystander.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
  });

  describe('behind a FaultProxy', () => {
    let proxy: FaultProxy;

    beforeAll(async () => {
      proxy = await FaultProxy.start({ host: '127.0.0.1', port: pg.port });
    });
    afterAll(async () => {
      await proxy?.close();
    });

    it('forwards queries', async () => {
      const client = await connect(proxy.port);
      expect((await client.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
      expect(proxy.connections).toBe(1);
    });

    it('cutAll() makes the next query fail with a connection error', async () => {
      const client = await connect(proxy.port);
      await client.query('SELECT 1');
      expect(proxy.cutAll()).toBeGreaterThanOrEqual(1);
      expect(proxy.connections).toBe(0);
      await expect(client.query('SELECT 1')).rejects.toThrow(/ECONNRESET|Connection terminated|not queryable/);
      expect((await (await connect(proxy.port)).query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
    });

    it('stall() hangs queries and new connections until unstall()', async () => {
      const client = new Client({ host: '127.0.0.1', port: proxy.port, user: 'postgres', database: 'postgres' });
      client.on('error', () => undefined);
      clients.push(client);
      await client.connect();
      proxy.stall();
      const query = client.query<{ n: number }>('SELECT 5 AS n');
      const late = new Client({ host: '127.0.0.1', port: proxy.port, user: 'postgres', database: 'postgres' });
      late.on('error', () => undefined);
      clients.push(late);
      const connecting = late.connect();
      try {
        expect(await within(query, 1000)).toBe('pending');
        expect(await within(connecting, 10)).toBe('pending');
      } finally {
        proxy.unstall();
      }
      expect((await query).rows).toEqual([{ n: 5 }]);
      await connecting;
      expect((await late.query('SELECT 6 AS n')).rows).toEqual([{ n: 6 }]);
    });

    it('refuse() cuts and resets connections until accept()', async () => {
      const client = await connect(proxy.port);
      proxy.refuse();
      try {
        await expect(client.query('SELECT 1')).rejects.toThrow();
        await expect(pgClient(proxy.port)).rejects.toMatchObject({ code: 'ECONNRESET' });
      } finally {
        proxy.accept();
      }
      expect((await (await connect(proxy.port)).query('SELECT 7 AS n')).rows).toEqual([{ n: 7 }]);
    });
  });

  it('stop() works while paused, twice, and removes the folder', async () => {
    await pg.pause();
    await pg.stop();
    await pg.stop();
    expect(existsSync(pg.dir)).toBe(false);
  });
});

describe('PrivateMariaDB', () => {
  let db: PrivateMariaDB;
  const connections: Connection[] = [];
  const connect = async (database?: string) => {
    const connection = await mysqlConnection(db.port, database);
    connections.push(connection);
    return connection;
  };

  beforeAll(async () => {
    db = await PrivateMariaDB.start();
  });
  afterEach(async () => {
    await Promise.all(connections.splice(0).map((connection) => connection.end().catch(() => undefined)));
  });
  afterAll(async () => {
    await db?.stop();
  });

  it('answers queries, in databases it creates too', async () => {
    expect(db.env).toEqual({ DB_TYPE: 'mysql', DB_HOST: '127.0.0.1', DB_PORT: String(db.port), DB_USER: 'root', DB_PASSWORD: '' });
    expect(await db.query('SELECT ? AS n', [7])).toEqual([{ n: 7 }]);
    await db.createDatabase('faults');
    await db.query('CREATE TABLE survivors (id int) ENGINE=InnoDB', 'faults');
    await db.query('INSERT INTO survivors VALUES (1)', [], 'faults');
    expect(await db.query('SELECT id FROM survivors', 'faults')).toEqual([{ id: 1 }]);
  });

  it('pause() makes queries time out, resume() makes them answer again', async () => {
    const connection = await connect();
    await db.pause();
    try {
      await expect(connection.query({ sql: 'SELECT 1', timeout: 1000 })).rejects.toMatchObject({ code: 'PROTOCOL_SEQUENCE_TIMEOUT' });
      await expect(mysqlConnection(db.port)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    } finally {
      await db.resume();
    }
    const [rows] = await (await connect()).query<RowDataPacket[]>('SELECT 3 AS n');
    expect(rows).toEqual([{ n: 3 }]);
  });

  it('kill() crashes the server and restart() brings it back with its data', async () => {
    const connection = await connect();
    await db.kill();
    expect(db.pid).toBeUndefined();
    await expect(connection.query('SELECT 1')).rejects.toThrow();
    await expect(mysqlConnection(db.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await db.restart();
    expect(await db.query('SELECT id FROM survivors', 'faults')).toEqual([{ id: 1 }]);
  });

  it('killConnections() ends the connections to one database only', async () => {
    const victim = await connect('faults');
    const bystander = await connect();
    // At least the victim: connections closed a moment ago may still be on their way out.
    expect(await db.killConnections('faults')).toBeGreaterThanOrEqual(1);
    await expect(victim.query('SELECT 1')).rejects.toThrow();
    const [rows] = await bystander.query<RowDataPacket[]>('SELECT 1 AS n');
    expect(rows).toEqual([{ n: 1 }]);
  });

  it('stop() works while paused, twice, and removes the folder', async () => {
    await db.pause();
    await db.stop();
    await db.stop();
    expect(existsSync(db.dir)).toBe(false);
  });
});

(canMountTmpfs() ? describe : describe.skip)('mountTmpfs', () => {
  it('fill() leaves no byte free until the filler is deleted', async () => {
    const tmpfs = await mountTmpfs(2 * 1024 * 1024);
    try {
      const filler = await tmpfs.fill();
      await expect(writeFile(join(tmpfs.path, 'one-byte'), 'x')).rejects.toMatchObject({ code: 'ENOSPC' });
      await rm(filler);
      await writeFile(join(tmpfs.path, 'one-byte'), 'x');
    } finally {
      await tmpfs.unmount();
      await tmpfs.unmount();
    }
    expect(existsSync(tmpfs.path)).toBe(false);
  });
});
