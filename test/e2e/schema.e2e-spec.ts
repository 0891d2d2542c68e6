import { DataSource, Table, TableColumn } from 'typeorm';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Issue 9: the same migrations give the same schema on SQLite, MySQL/MariaDB and PostgreSQL.
 * Each database describes its tables in its own words; this reduces them to one vocabulary and
 * compares them with the one schema below, on whichever database the suite runs (CI: all three).
 */
const SCHEMA: Record<string, { columns: string[]; indices: string[]; foreignKeys: string[] }> = {
  users: {
    columns: [
      'id integer primary',
      'username varchar(20)',
      'password_hash varchar(255)',
      "role varchar(16) default 'user'",
      'fname varchar(255) null',
      'lname varchar(255) null',
      'email varchar(255) null',
      'block_login boolean default false',
      'block_login_reason varchar(255) null',
      'change_password_on_first_login boolean default false',
      'storage_quota bigint null',
      'data text',
      'created_at instant(3)',
      'updated_at instant(3)',
    ],
    indices: ['uq_users_username unique (username)'],
    foreignKeys: [],
  },
  sessions: {
    columns: [
      'id varchar(64) primary',
      'user_id integer',
      'created_at instant(3)',
      'expires_at instant(3)',
      'last_seen_at instant(3)',
      'user_agent varchar(512) null',
      'ip varchar(64) null',
    ],
    indices: ['ix_sessions_expires (expires_at)', 'ix_sessions_user (user_id)'],
    foreignKeys: ['fk_sessions_user (user_id) -> users cascade'],
  },
  files: {
    columns: ['id integer primary', 'owner_id integer', 'name varchar(255)', 'created_at instant(3)', 'folder_id integer default 0', 'trash_id integer null'],
    indices: ['uq_files_owner_folder_name unique (owner_id, folder_id, name)'],
    foreignKeys: ['fk_files_owner (owner_id) -> users cascade'],
  },
  folders: {
    columns: ['id integer primary', 'owner_id integer', 'parent_id integer default 0', 'name varchar(255)', 'created_at instant(3)'],
    indices: ['uq_folders_owner_parent_name unique (owner_id, parent_id, name)'],
    foreignKeys: ['fk_folders_owner (owner_id) -> users cascade'],
  },
  dav_properties: {
    columns: ['id integer primary', 'owner_id integer', 'node_type varchar(8)', 'node_id integer', 'namespace varchar(255)', 'name varchar(255)', 'value text', 'cost integer default 0'],
    indices: ['ix_dav_properties_owner_cost (owner_id, cost)', 'uq_dav_properties_node_name unique (node_type, node_id, namespace, name)'],
    foreignKeys: ['fk_dav_properties_owner (owner_id) -> users cascade'],
  },
  dav_locks: {
    columns: [
      'id integer primary',
      'token varchar(64)',
      'owner_id integer',
      'path text',
      'depth varchar(8)',
      'scope varchar(16)',
      'owner_xml text null',
      'timeout_seconds integer',
      'expires_at instant(3)',
      'created_at instant(3)',
    ],
    indices: ['ix_dav_locks_owner (owner_id)', 'uq_dav_locks_token unique (token)'],
    foreignKeys: ['fk_dav_locks_owner (owner_id) -> users cascade'],
  },
  app_passwords: {
    columns: ['id integer primary', 'user_id integer', 'name varchar(255)', 'secret_hash varchar(64)', 'created_at instant(3)', 'last_used_at instant(3) null'],
    indices: ['ix_app_passwords_user (user_id)', 'uq_app_passwords_secret unique (secret_hash)'],
    foreignKeys: ['fk_app_passwords_user (user_id) -> users cascade'],
  },
  resumable_uploads: {
    columns: [
      'id varchar(32) primary',
      'owner_id integer',
      'path text',
      'content_type varchar(255)',
      'metadata text',
      'length bigint',
      'received bigint',
      'durable bigint',
      'blob_key varchar(32)',
      'storage_state text null',
      'reservation_id integer null',
      'created_at instant(3)',
      'active_at instant(3)',
      'expires_at instant(3)',
      'finished_at instant(3) null',
    ],
    indices: ['ix_resumable_uploads_blob_key (blob_key)', 'ix_resumable_uploads_expires (expires_at)', 'ix_resumable_uploads_owner (owner_id)'],
    foreignKeys: ['fk_resumable_uploads_owner (owner_id) -> users cascade'],
  },
  trash_items: {
    columns: ['id integer primary', 'owner_id integer', 'node_type varchar(8)', 'node_id integer', 'path text', 'size bigint', 'deleted_at instant(3)'],
    indices: ['ix_trash_items_deleted (deleted_at)', 'ix_trash_items_owner_deleted (owner_id, deleted_at)'],
    foreignKeys: ['fk_trash_items_owner (owner_id) -> users cascade'],
  },
  links: {
    columns: [
      'id integer primary',
      'owner_id integer',
      'file_id integer',
      'token_hash varchar(64)',
      'password_hash text null',
      'expires_at instant(3)',
      'max_downloads integer null',
      'downloads integer default 0',
      'created_at instant(3)',
      'bytes_served bigint default 0',
    ],
    indices: ['ix_links_owner (owner_id)', 'uq_links_token_hash unique (token_hash)'],
    foreignKeys: ['fk_links_file (file_id) -> files cascade', 'fk_links_owner (owner_id) -> users cascade'],
  },
  named_locks: {
    columns: ['name varchar(128) primary', 'token varchar(64)', 'expires_at instant(3)', 'release_wanted boolean default false'],
    indices: [],
    foreignKeys: [],
  },
  file_versions: {
    columns: [
      'id integer primary',
      'file_id integer',
      'version integer',
      'blob_key varchar(255)',
      'size bigint',
      'content_type varchar(255)',
      'sha256 varchar(64)',
      'created_at instant(3)',
    ],
    indices: ['uq_file_versions_blob_key unique (blob_key)', 'uq_file_versions_file_version unique (file_id, version)'],
    foreignKeys: ['fk_file_versions_file (file_id) -> files cascade'],
  },
  file_shares: {
    columns: ['id integer primary', 'file_id integer', 'user_id integer', 'created_at instant(3)'],
    indices: ['ix_file_shares_user (user_id)', 'uq_file_shares_file_user unique (file_id, user_id)'],
    foreignKeys: ['fk_file_shares_file (file_id) -> files cascade', 'fk_file_shares_user (user_id) -> users cascade'],
  },
  upload_reservations: {
    columns: [
      'id integer primary',
      'user_id integer',
      'blob_key varchar(255)',
      'reserved_bytes bigint',
      'instance_id varchar(255)',
      'created_at instant(3)',
      'heartbeat_at instant(3)',
    ],
    indices: ['ix_upload_reservations_blob_key (blob_key)', 'ix_upload_reservations_heartbeat (heartbeat_at)', 'ix_upload_reservations_user (user_id)'],
    foreignKeys: [],
  },
  sounds: {
    columns: [
      'id integer primary',
      'owner_id integer',
      'title varchar(255)',
      'filename varchar(255)',
      'content_type varchar(64)',
      'size bigint',
      'duration_ms integer null',
      'artist varchar(255) null',
      'album varchar(255) null',
      'blob_key varchar(128)',
      'sha256 varchar(64)',
      'created_at instant(3)',
    ],
    indices: ['ix_sounds_blob_key (blob_key)', 'ix_sounds_created (created_at, id)', 'ix_sounds_owner_created (owner_id, created_at, id)'],
    foreignKeys: ['fk_sounds_owner (owner_id) -> users cascade'],
  },
};

/** Each database's name for a type, in one vocabulary. */
const TYPES: Record<string, string> = {
  int: 'integer',
  integer: 'integer',
  bigint: 'bigint',
  varchar: 'varchar',
  'character varying': 'varchar',
  text: 'text',
  mediumtext: 'text', // MySQL's TEXT stops at 64 KiB; user data may be larger
  boolean: 'boolean',
  tinyint: 'boolean', // MySQL's BOOLEAN
  datetime: 'instant',
  'timestamp with time zone': 'instant',
};

function defaultOf(column: TableColumn): string {
  const raw = String(column.default ?? 'NULL').replace(/^'+|'+$/g, '');
  if (raw === 'NULL') return '';
  const boolean = TYPES[column.type] === 'boolean';
  const value = (boolean ? { '0': 'false', '1': 'true' }[raw] : undefined) ?? (/^[a-z]+$/.test(raw) && !['true', 'false'].includes(raw) ? `'${raw}'` : raw);
  return ` default ${value}`;
}

function describeColumn(column: TableColumn): string {
  const type = TYPES[column.type] ?? `unknown:${column.type}`;
  const size = column.length ? `(${column.length})` : column.precision ? `(${column.precision})` : '';
  return `${column.name} ${type}${size}${column.isNullable ? ' null' : ''}${column.isPrimary ? ' primary' : ''}${defaultOf(column)}`;
}

/**
 * Indexes as `name [unique] (columns)`. TypeORM reads PostgreSQL's index columns in table order,
 * so there they come from the index definitions themselves.
 */
async function indicesOf(dataSource: DataSource, table: Table): Promise<string[]> {
  if (dataSource.options.type !== 'postgres') {
    return table.indices.map((i) => `${i.name}${i.isUnique ? ' unique' : ''} (${i.columnNames.join(', ')})`).sort();
  }
  const rows = await dataSource.query<{ indexname: string; indexdef: string }[]>(
    `SELECT i.relname AS indexname, pg_get_indexdef(x.indexrelid) AS indexdef FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = $1 AND NOT x.indisprimary`,
    [table.name],
  );
  return rows.map((r) => `${r.indexname}${/^CREATE UNIQUE/.test(r.indexdef) ? ' unique' : ''} (${/\((.*)\)$/.exec(r.indexdef)?.[1] ?? '?'})`).sort();
}

describe('database schema', () => {
  let t: TestApp;
  let dataSource: DataSource;
  beforeAll(async () => {
    t = await startTestApp();
    dataSource = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  it(`is the same on every database (here ${process.env.DB_TYPE ?? 'sqlite'})`, async () => {
    const runner = dataSource.createQueryRunner();
    const tables = await runner.getTables(Object.keys(SCHEMA));
    await runner.release();
    const found = Object.fromEntries(
      await Promise.all(tables.map(async (table) => [
        table.name,
        {
          columns: Object.values(SCHEMA[table.name]?.columns ?? []).map((expected) => {
            const column = table.columns.find((c) => c.name === expected.split(' ')[0]);
            return column ? describeColumn(column) : `missing ${expected}`;
          }),
          indices: await indicesOf(dataSource, table),
          foreignKeys: table.foreignKeys.map((f) => `${f.name} (${f.columnNames.join(', ')}) -> ${f.referencedTableName} ${String(f.onDelete).toLowerCase()}`).sort(),
        },
      ])),
    );
    expect(found).toEqual(SCHEMA);
    // No column beyond those described.
    for (const table of tables) expect(table.columns.map((c) => c.name).sort()).toEqual(SCHEMA[table.name].columns.map((c) => c.split(' ')[0]).sort());
  });

  it('compares and sorts names byte for byte: BINARY on SQLite, a NO PAD binary collation on MySQL, "C" on PostgreSQL', async () => {
    const runner = dataSource.createQueryRunner();
    const tables = await runner.getTables(Object.keys(SCHEMA));
    await runner.release();
    const strings = tables.flatMap((table) => table.columns.filter((c) => TYPES[c.type] === 'varchar').map((c) => `${table.name}.${c.name} ${c.collation ?? 'default'}`));
    expect(strings.length).toBeGreaterThan(20);
    const exact = { sqlite: /default$/, mysql: / utf8mb4_(nopad|0900)_bin$/, postgres: / C$/ }[process.env.DB_TYPE ?? 'sqlite'];
    expect(strings.filter((s) => !exact?.test(s))).toEqual([]);
  });
});
