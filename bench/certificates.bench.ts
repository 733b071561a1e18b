// Certificate list at a million rows on MySQL/MariaDB: bulk-loads a scratch database, then
// times the list and search queries of CertificatesService (the real code path) and prints
// MySQL's EXPLAIN for each statement they run. Not part of CI. Run with
// `npm run bench:certificates` (BENCH_DATABASE_URL, default mysql://root@127.0.0.1:3306/,
// BENCH_ROWS, default 1000000, BENCH_KEEP=1 keeps the database for another run).
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { createConnection, type Connection } from 'mysql2/promise';
import { DataSource, type Logger } from 'typeorm';
import type { Principal } from '../src/accounts/principal.js';
import type { Role } from '../src/accounts/role-grant.entity.js';
import {
  CertificatesService,
  type CertificateFilter,
} from '../src/certificates/certificates.service.js';
import { reverseName } from '../src/certificates/search.js';
import { Clock } from '../src/common/clock.js';
import { loadDatabaseConfig } from '../src/config/database.config.js';
import { resolveDataSourceOptions } from '../src/database/data-source-options.js';
import { Transactions } from '../src/database/transactions.js';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/';
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DB = process.env.BENCH_DATABASE ?? 'ra_certbench';
const NRENS = 5;
const ORGS_PER_NREN = 40;
const DEPTS_PER_ORG = 5;
const BATCH = 2000;
const NOW = new Date('2026-06-01T09:00:00Z');
const DAY = 86_400_000;

class FixedClock extends Clock {
  override now(): Date {
    return NOW;
  }
}

// Keeps the statements the service sends, to EXPLAIN them afterwards.
class Capture implements Logger {
  statements: { query: string; params: unknown[] }[] = [];
  logQuery(query: string, parameters?: unknown[]) {
    if (/^\s*SELECT/i.test(query)) {
      this.statements.push({ query, params: parameters ?? [] });
    }
  }
  logQueryError() {}
  logQuerySlow() {}
  logSchemaBuild() {}
  logMigration() {}
  log() {}
}

function principal(grants: [Role, number][]): Principal {
  return {
    userId: 1,
    email: 'bench@example.org',
    displayName: 'bench',
    language: null,
    grants: grants.map(([role, scopeId]) => ({ role, scopeId })),
    via: 'token',
  };
}

// Deterministic pseudo-random numbers, so two runs load the same data.
let seed = 42;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
}

function sqlDate(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

async function load(conn: Connection): Promise<void> {
  const [[{ n }]] = (await conn.query('SELECT COUNT(*) AS n FROM certificates')) as unknown as [
    { n: number }[],
  ];
  if (Number(n) >= ROWS) {
    console.log(`reusing ${n} rows`);
    return;
  }
  await conn.query('SET foreign_key_checks = 0, unique_checks = 0');
  const nrens = Array.from({ length: NRENS }, (_, i) => [
    `NREN ${i + 1}`,
    'NL',
    `ops@nren${i + 1}.example`,
    'en',
    '{}',
    1,
  ]);
  await conn.query(
    'INSERT INTO nrens (name, country, contact_email, default_language, ca_product_ids, version) VALUES ?',
    [nrens],
  );
  const orgs: unknown[][] = [];
  for (let nr = 1; nr <= NRENS; nr++) {
    for (let o = 0; o < ORGS_PER_NREN; o++) {
      orgs.push([nr, `Org ${orgs.length + 1}`, '1 Campus Road', 'Utrecht', 'NL', '[]', '[]', 1]);
    }
  }
  await conn.query(
    'INSERT INTO organisations (nren_id, name, street_address, locality, country, certificate_contacts, allowed_products, version) VALUES ?',
    [orgs],
  );
  const depts: unknown[][] = [];
  for (let o = 1; o <= orgs.length; o++) {
    for (let d = 0; d < DEPTS_PER_ORG; d++) {
      depts.push([o, `Dept ${d + 1}`, 1]);
    }
  }
  await conn.query('INSERT INTO departments (organisation_id, name, version) VALUES ?', [depts]);
  const started = Date.now();
  let nameRows: unknown[][] = [];
  for (let id = 1; id <= ROWS; id += BATCH) {
    const certs: unknown[][] = [];
    const files: unknown[][] = [];
    for (let i = id; i < Math.min(id + BATCH, ROWS + 1); i++) {
      const dept = 1 + Math.floor(rnd() * depts.length);
      const org = Math.ceil(dept / DEPTS_PER_ORG);
      const nren = Math.ceil(org / ORGS_PER_NREN);
      const notBefore = new Date(NOW.getTime() - Math.floor(rnd() * 600) * DAY);
      const notAfter = new Date(notBefore.getTime() + (90 + Math.floor(rnd() * 300)) * DAY);
      const r = rnd();
      const state = r < 0.02 ? 'revoked' : r < 0.07 ? 'superseded' : 'valid';
      const count = 1 + Math.floor(rnd() * 3);
      const names = Array.from({ length: count }, (_, k) =>
        k === 0 ? `host${i}.d${dept}.org${org}.example.org` : `alt${k}-${i}.org${org}.example.org`,
      );
      certs.push([
        i,
        nren,
        org,
        dept,
        'imported',
        null,
        null,
        randomBytes(16).toString('hex').replace(/^0+/, ''),
        'CN=Bench Issuing CA,O=Bench',
        `CN=${names[0]}`,
        names[0],
        count,
        'ECDSA',
        256,
        'ecdsa-with-SHA256',
        sqlDate(notBefore),
        sqlDate(notAfter),
        randomBytes(32).toString('hex'),
        randomBytes(32).toString('hex'),
        state,
        1,
      ]);
      for (const name of names) {
        nameRows.push([i, name, reverseName(name)]);
      }
      // The bytes live in their own table and no list reads them: a few bytes stand in.
      files.push([i, Buffer.from([0x30, 0]), Buffer.alloc(0)]);
    }
    await conn.query(
      `INSERT INTO certificates (id, nren_id, organisation_id, department_id, source, request_id,
        replaces_id, serial, issuer, subject, main_name, name_count, key_type, key_bits,
        signature_algorithm, not_before, not_after, fingerprint_sha256, spki_sha256, state, version)
       VALUES ?`,
      [certs],
    );
    await conn.query('INSERT INTO certificate_names (certificate_id, name, reversed) VALUES ?', [
      nameRows,
    ]);
    await conn.query(
      'INSERT INTO certificate_files (certificate_id, leaf_der, chain_der) VALUES ?',
      [files],
    );
    nameRows = [];
    if ((id - 1) % 100_000 === 0) {
      console.log(`  ${id - 1} rows, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  await conn.query('SET foreign_key_checks = 1, unique_checks = 1');
  await conn.query('ANALYZE TABLE certificates, certificate_names');
  console.log(`loaded ${ROWS} certificates in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const admin = await createConnection({ uri: SERVER });
  await admin.query(
    `CREATE DATABASE IF NOT EXISTS \`${DB}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await admin.end();
  const url = new URL(SERVER);
  url.pathname = `/${DB}`;
  const capture = new Capture();
  const options = await resolveDataSourceOptions(
    loadDatabaseConfig({ DATABASE_URL: url.toString(), DATA_DIR: '/tmp' }),
  );
  const ds = new DataSource({
    ...options,
    logging: ['query'],
    logger: capture,
    migrationsRun: false,
  });
  await ds.initialize();
  await ds.runMigrations();
  const conn = await createConnection({ uri: url.toString() });
  await load(conn);

  const service = new CertificatesService(new Transactions(ds), null as never, new FixedClock());
  const platform = principal([['platform-admin', 0]]);
  const nrenAdmin = principal([['nren-admin', 2]]);
  const rao = principal([['rao', 17]]);
  const requester = principal([['requester', 123]]);
  const mixed = principal([
    ['rao', 17],
    ['requester', 500],
  ]);
  // A cursor from the middle of the platform's list: page 20,000 of 25 rows.
  const middle = await service.list(platform, { expiresAfter: new Date(NOW.getTime() + 30 * DAY) });
  const [[sample]] = (await conn.query(
    'SELECT serial, fingerprint_sha256 AS fp, main_name AS name FROM certificates WHERE id = ?',
    [Math.min(654321, ROWS)],
  )) as unknown as [{ serial: string; fp: string; name: string }[]];

  const cases: [string, Principal, CertificateFilter][] = [
    ['platform, first page by expiry', platform, {}],
    ['platform, a page deep in the list (cursor)', platform, { cursor: middle.next ?? undefined }],
    ['platform, newest first', platform, { sort: 'newest' }],
    [
      'NREN scope, valid, expiring within 30 days',
      nrenAdmin,
      {
        nrenId: 2,
        state: 'valid',
        expiresAfter: NOW,
        expiresBefore: new Date(NOW.getTime() + 30 * DAY),
      },
    ],
    ['organisation scope (RAO), by expiry', rao, { organisationId: 17 }],
    ['organisation scope, revoked', rao, { organisationId: 17, state: 'revoked' }],
    ['department scope (requester), newest', requester, { departmentId: 123, sort: 'newest' }],
    ['everything a requester may see (no scope)', requester, {}],
    ['everything an RAO + requester may see (OR of scopes)', mixed, {}],
    ['search: an organisation domain (~5,000 certs)', platform, { q: 'org17.example.org' }],
    ['search: one host name', platform, { q: sample.name }],
    ['search: example.org, the parent of every name (worst case)', platform, { q: 'example.org' }],
    ['search: a name, within an RAO scope', rao, { q: 'org17.example.org' }],
    ['search: serial', platform, { q: sample.serial }],
    ['search: fingerprint', platform, { q: sample.fp }],
  ];
  const explains: string[] = [];
  console.log(
    `\n${ROWS.toLocaleString('en')} certificates; median of 7 runs of CertificatesService.list (count query + page query)\n`,
  );
  for (const [label, p, f] of cases) {
    const times: number[] = [];
    let result: Awaited<ReturnType<CertificatesService['list']>> | undefined;
    for (let run = 0; run < 7; run++) {
      capture.statements = [];
      const t0 = process.hrtime.bigint();
      result = await service.list(p, f);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const shown = `${result!.items.length} rows, total ${result!.totalCapped ? '>' : ''}${result!.total}`;
    console.log(`${median(times).toFixed(1).padStart(8)} ms  ${label}  (${shown})`);
    explains.push(`\n## ${label}`);
    for (const s of capture.statements.filter((s) => /certificates/.test(s.query))) {
      const [rows] = (await conn.query(`EXPLAIN ${s.query}`, s.params)) as unknown as [
        Record<string, string | number | null>[],
      ];
      for (const r of rows) {
        explains.push(
          `  ${String(r.table).padEnd(18)} type=${String(r.type).padEnd(12)} key=${String(r.key).padEnd(38)} rows=${String(r.rows).padEnd(8)} ${String(r.Extra ?? '')}`,
        );
      }
    }
  }
  console.log(explains.join('\n'));
  await conn.end();
  await ds.destroy();
  if (!process.env.BENCH_KEEP) {
    const drop = await createConnection({ uri: SERVER });
    await drop.query(`DROP DATABASE \`${DB}\``);
    await drop.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
