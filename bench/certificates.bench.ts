// Certificate list at a million rows on MySQL/MariaDB: bulk-loads a scratch database, then
// times the list and search queries of CertificatesService (the real code path) and prints
// MySQL's EXPLAIN for each statement they run. Not part of CI. Run with
// `npm run bench:certificates` (BENCH_DATABASE_URL, default mysql://root@127.0.0.1:3306/,
// BENCH_ROWS, default 1000000, BENCH_KEEP=1 keeps the database for another run).
import 'reflect-metadata';
import { type Logger } from 'typeorm';
import type { Principal } from '../src/accounts/principal.js';
import type { Role } from '../src/accounts/role-grant.entity.js';
import {
  CertificatesService,
  type CertificateFilter,
} from '../src/certificates/certificates.service.js';
import { Clock } from '../src/common/clock.js';
import { Transactions } from '../src/database/transactions.js';
import { DAY, NOW, openBenchDatabase, seedCertificates } from './seed.js';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/';
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const DB = process.env.BENCH_DATABASE ?? 'ra_certbench';

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

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(): Promise<void> {
  const capture = new Capture();
  const db = await openBenchDatabase(SERVER, DB, capture);
  const { conn, dataSource: ds } = db;
  await seedCertificates(conn, { rows: ROWS });

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
  await db.close(!process.env.BENCH_KEEP);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
