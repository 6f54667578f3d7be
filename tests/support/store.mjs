// What a test sees of the store under the API, on either driver: the SQLite
// files of the data directory, or the PostgreSQL database of the server
// (STRONGROOM_TEST_PG, see server.mjs) and the cluster's files on disk.
//
//   kind:   'directory' | 'data' | 'keys'
//   region: 'EU', 'AU', … (ignored for 'directory')
//
// SQLite: DIR/directory.db, DIR/regions/<R>/strongroom.db, …/keystore.db,
// read and written with the sqlite3 CLI. PostgreSQL: the schemas
// sr_directory, sr_data_<r>, sr_keys_<r> of srv.pgDb, through psql.
//
// SQL given here must run on both: no typeof(), hex(), sqlite_master or
// PG casts; '?' placeholders are filled with quoted literals.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import { pgConninfo } from './server.mjs';

export const storeDriver = pgConninfo ? 'postgres' : 'sqlite';
const onPg = storeDriver === 'postgres';

const KINDS = new Set(['directory', 'data', 'keys']);

function checkKind(kind, region) {
  if (!KINDS.has(kind)) throw new Error(`store kind "${kind}"`);
  if (kind !== 'directory' && !/^[A-Z]{2}$/.test(String(region))) throw new Error(`store region "${region}"`);
}

function sqliteFile(srv, kind, region) {
  if (kind === 'directory') return path.join(srv.dataDir, 'directory.db');
  return path.join(srv.dataDir, 'regions', region, kind === 'data' ? 'strongroom.db' : 'keystore.db');
}

function pgSchema(kind, region) {
  if (kind === 'directory') return 'sr_directory';
  return `sr_${kind}_${region.toLowerCase()}`;
}

/** A SQL literal: strings quoted ('' doubled), numbers as they are, null as NULL. */
function literal(v) {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint') {
    if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`SQL literal ${v}`);
    return String(v);
  }
  return `'${String(v).replace(/'/g, "''")}'`;
}

function bind(sql, params) {
  let i = 0;
  const out = sql.replace(/\?/g, () => {
    if (i >= params.length) throw new Error(`too few parameters for: ${sql}`);
    return literal(params[i++]);
  });
  if (i !== params.length) throw new Error(`${params.length} parameters for ${i} placeholders: ${sql}`);
  return out;
}

function pgServerConninfo(srv) {
  if (!srv.pgDb) throw new Error('the server does not run on PostgreSQL');
  return `${pgConninfo.replace(/dbname=\S+/, '').trim()} dbname=${srv.pgDb}`;
}

/** Runs statements with psql in srv's database (search_path set to schema, if any); returns stdout. */
function psql(srv, schema, sql) {
  const args = [pgServerConninfo(srv), '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'];
  if (schema) args.push('-c', `SET search_path TO ${schema}`);
  args.push('-c', sql);
  const r = spawnSync('psql', args, { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`psql failed (exit ${r.status}): ${r.stderr}\nSQL: ${sql}`);
  return r.stdout;
}

function sqlite3(file, sql, { readonly = false, json = false } = {}) {
  const args = [];
  if (readonly) args.push('-readonly');
  if (json) args.push('-json');
  args.push('-bail', file);
  const r = spawnSync('sqlite3', args, { input: sql, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`sqlite3 failed (exit ${r.status}) on ${file}: ${r.stderr}\nSQL: ${sql}`);
  return r.stdout;
}

/** PostgreSQL only: ends every connection to srv's database but psql's own
 * (a database restart, as the server sees it) → how many were ended. */
export function storeDropConnections(srv) {
  if (!onPg) throw new Error('storeDropConnections needs the PostgreSQL store');
  const out = psql(srv, null, 'SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity'
    + ' WHERE datname = current_database() AND pid <> pg_backend_pid()');
  return Number(out.trim());
}

/** One SELECT in a store → rows as objects (column name → value; integers as numbers). */
export function storeQuery(srv, kind, region, sql, params = []) {
  checkKind(kind, region);
  const q = bind(sql, params).trim().replace(/;\s*$/, '');
  if (onPg) {
    const out = psql(srv, pgSchema(kind, region), `SELECT coalesce(json_agg(q), '[]'::json) FROM (${q}) AS q`);
    return JSON.parse(out.trim());
  }
  const file = sqliteFile(srv, kind, region);
  if (!fs.existsSync(file)) throw new Error(`no such store file ${file}`);
  const out = sqlite3(file, `${q};`, { readonly: true, json: true });
  return out.trim() === '' ? [] : JSON.parse(out);
}

/** Statements that change a store (a tampering attacker with write access), run as one script. */
export function storeExec(srv, kind, region, sql, params = []) {
  checkKind(kind, region);
  const q = bind(sql, params);
  if (onPg) psql(srv, pgSchema(kind, region), q);
  else sqlite3(sqliteFile(srv, kind, region), q);
}

/** Does the store exist (its file, or its schema with tables)? */
export function storeExists(srv, kind, region) {
  checkKind(kind, region);
  if (!onPg) return fs.existsSync(sqliteFile(srv, kind, region));
  const out = psql(srv, null, `SELECT count(*) FROM information_schema.tables WHERE table_schema = ${literal(pgSchema(kind, region))}`);
  return Number(out.trim()) > 0;
}

/** Where the store lives, for messages. */
export function storeName(srv, kind, region) {
  checkKind(kind, region);
  return onPg ? `${srv.pgDb}.${pgSchema(kind, region)}` : path.relative(srv.dataDir, sqliteFile(srv, kind, region));
}

/** SQL that drops every trigger on table: what an attacker with write access to the store would run first. */
export function storeDropTriggersSql(srv, kind, region, table) {
  if (!/^[a-z_]+$/.test(table)) throw new Error(`table "${table}"`);
  const rows = onPg
    ? storeQuery(srv, kind, region, 'SELECT tgname AS name FROM pg_trigger WHERE tgrelid = to_regclass(?) AND NOT tgisinternal', [table])
    : storeQuery(srv, kind, region, "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", [table]);
  const ident = (n) => `"${String(n).replace(/"/g, '""')}"`;
  return rows.map((t) => `DROP TRIGGER IF EXISTS ${ident(t.name)}${onPg ? ` ON ${table}` : ''};`).join('\n');
}

// ---- Bytes at rest ----

function walk(dir, out = []) {
  let ents;
  try {
    ents = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    if (e.code === 'ENOENT') return out; // PostgreSQL removed it meanwhile
    throw e;
  }
  for (const ent of ents) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) walk(p, out);
    else if (ent.isFile()) out.push(p);
  }
  return out;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** The PostgreSQL cluster's data directory: STRONGROOM_TEST_PG_DATA, else what the server says. */
function pgClusterDir(srv) {
  let dir = process.env.STRONGROOM_TEST_PG_DATA || '';
  if (!dir) dir = psql(srv, null, 'SHOW data_directory').trim();
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    throw new Error(`PostgreSQL data directory "${dir}" is not readable (set STRONGROOM_TEST_PG_DATA)`);
  }
  return dir;
}

/** Waits until PostgreSQL has written its WAL up to now to pg_wal (commits are asynchronous in pg.sh). */
async function pgWalFlushed(srv) {
  const lsn = psql(srv, null, 'SELECT pg_current_wal_insert_lsn()').trim();
  const deadline = Date.now() + 10_000;
  for (;;) {
    const done = psql(srv, null, `SELECT pg_current_wal_flush_lsn() >= ${literal(lsn)}::pg_lsn`).trim();
    if (done === 't') return;
    if (Date.now() > deadline) throw new Error(`PostgreSQL did not flush its WAL up to ${lsn} within 10 s`);
    await sleep(50);
  }
}

/** Files under root (relative names) whose bytes hold a needle, found with grep -F. */
function grepFiles(root, needles) {
  const args = ['-r', '-l', '-a', '-F'];
  for (const n of needles) args.push('-e', n);
  args.push('--', root);
  const r = spawnSync('grep', args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' }, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  // 2 = trouble; a file PostgreSQL removed while grep walked is not.
  const trouble = r.stderr.split('\n').filter((l) => l.trim() !== '' && !/No such file or directory/.test(l));
  if (r.status === 2 && trouble.length > 0) throw new Error(`grep in ${root}: ${trouble.join('\n')}`);
  return r.stdout.split('\n').filter((l) => l !== '');
}

/** "file contains needle" for each needle in each file. */
function hitsIn(files, needles, label, show) {
  const hits = [];
  for (const f of files) {
    let bytes;
    try {
      bytes = fs.readFileSync(f);
    } catch (e) {
      if (e.code === 'ENOENT') continue;
      throw e;
    }
    for (const n of needles) if (bytes.includes(Buffer.from(n, 'utf8'))) hits.push(`${label(f)} contains "${show(n)}"`);
  }
  return hits;
}

/** The WAL files of the store: SQLite's *-wal files, or pg_wal segments written since mark. */
function walOf(srv, files, mark, cluster) {
  if (!onPg) {
    const walFiles = files.filter((f) => f.endsWith('-wal'));
    return { files: walFiles, bytes: walFiles.reduce((n, f) => n + fs.statSync(f).size, 0) };
  }
  if (!mark) return { files: [], bytes: 0 };
  const [first, last, bytes] = psql(srv, null,
    `SELECT pg_walfile_name(${literal(mark)}::pg_lsn), pg_walfile_name(pg_current_wal_flush_lsn()),`
    + ` pg_current_wal_flush_lsn() - ${literal(mark)}::pg_lsn`).trim().split('|');
  const walDir = path.join(cluster, 'pg_wal');
  const segs = files.filter((f) => path.dirname(f) === walDir && /^[0-9A-F]{24}$/.test(path.basename(f))
    && path.basename(f) >= first && path.basename(f) <= last);
  return { files: segs, bytes: Number(bytes) };
}

/** Position in the store's write-ahead log, to pass to storeScan as walSince (null on SQLite). */
export function storeWalMark(srv) {
  return onPg ? psql(srv, null, 'SELECT pg_current_wal_insert_lsn()').trim() : null;
}

/**
 * Looks for needles in every byte the store keeps on disk: every file of the
 * data directory (but the subdirectories in skip) and, on PostgreSQL, every
 * file of the cluster's data directory (base/, global/, pg_wal/ …), once
 * with the WAL written out and once more after a CHECKPOINT has written the
 * tables' pages.
 *
 * show(needle) is how a hit names the needle (e.g. cut short, for secrets).
 *
 * → {files, hits, dbFiles, wal}: the files scanned (absolute), "file
 * contains needle" for each find, the files holding the server's databases
 * (regions/<R>/strongroom.db, or base/<oid of srv.pgDb>/…), and the WAL
 * ({files, bytes}: SQLite's *-wal files, or the pg_wal segments written
 * since walSince, taken before the CHECKPOINT).
 */
export async function storeScan(srv, needles, { skip = [], walSince = null, show = (n) => n } = {}) {
  const skipped = skip.map((d) => path.join(srv.dataDir, d) + path.sep);
  const dataFiles = walk(srv.dataDir).filter((f) => !skipped.some((s) => f.startsWith(s)));
  const hits = hitsIn(dataFiles, needles, (f) => path.relative(srv.dataDir, f), show);
  if (!onPg) {
    return {
      files: dataFiles, hits, dbFiles: dataFiles.filter((f) => f.endsWith('strongroom.db')),
      wal: walOf(srv, dataFiles, null, null),
    };
  }
  const cluster = pgClusterDir(srv);
  const label = (f) => `PostgreSQL ${path.relative(cluster, f)}`;
  const oid = psql(srv, null, `SELECT oid FROM pg_database WHERE datname = ${literal(srv.pgDb)}`).trim();
  await pgWalFlushed(srv);
  const before = walk(cluster);
  const wal = walOf(srv, before, walSince, cluster);
  const found = new Set(grepFiles(cluster, needles));
  psql(srv, null, 'CHECKPOINT');
  for (const f of grepFiles(cluster, needles)) found.add(f);
  for (const f of found) {
    const h = hitsIn([f], needles, label, show);
    hits.push(...(h.length > 0 ? h : [`${label(f)} contained one of the needles (seen by grep)`]));
  }
  const files = [...new Set([...dataFiles, ...before, ...walk(cluster)])];
  const dbDir = path.join(cluster, 'base', oid) + path.sep;
  return { files, hits, dbFiles: files.filter((f) => f.startsWith(dbDir)), wal };
}
