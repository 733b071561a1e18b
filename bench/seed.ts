// Bulk-loads certificates into a scratch MySQL/MariaDB database for the benchmarks that need a
// million rows (bench:certificates, bench:expiry): LOAD DATA in one transaction with the
// checks off, deterministic data, and a loaded database is reused by the next run.
import { Readable } from 'node:stream';
import { createConnection, type Connection } from 'mysql2/promise';
import { DataSource, type Logger } from 'typeorm';
import { reverseName } from '../src/certificates/search.js';
import { loadDatabaseConfig } from '../src/config/database.config.js';
import { resolveDataSourceOptions } from '../src/database/data-source-options.js';

export const DAY = 86_400_000;
// The benchmarks' "now" (also FakeClock's default in the tests).
export const NOW = new Date('2026-06-01T09:00:00Z');
export const NRENS = 5;
export const ORGS_PER_NREN = 40;
export const DEPTS_PER_ORG = 5;
const LANGUAGES = ['en', 'fr', 'de', 'nl', 'sv'];

// People for the certificates, so reminders have someone to go to.
export interface PeopleOptions {
  // Requesters per department; an ordered certificate belongs to one of its department's.
  requestersPerDepartment: number;
  // Share of the certificates that were ordered (with a request), the rest imported.
  orderedShare: number;
  // Certificate contacts per organisation.
  contactsPerOrganisation: number;
  // Share of certificates with extra reminder addresses, and muted by an RAO.
  extraShare: number;
  mutedShare: number;
}

// What bench:expiry loads: 3,000 requesters who ordered half the certificates, two
// certificate contacts per organisation, 1% with an extra address, 0.2% muted.
export const REMINDER_PEOPLE: PeopleOptions = {
  requestersPerDepartment: 3,
  orderedShare: 0.5,
  contactsPerOrganisation: 2,
  extraShare: 0.01,
  mutedShare: 0.002,
};

export interface SeedOptions {
  rows: number;
  people?: PeopleOptions;
}

export interface BenchDatabase {
  // DataSource options for the database (migrations run), and its URL.
  url: string;
  dataSource: DataSource;
  conn: Connection;
  close(drop: boolean): Promise<void>;
}

// Deterministic pseudo-random numbers, so two runs load the same data.
export function random(start = 42): () => number {
  let seed = start;
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
}

// A well-mixed number in [0, 1) for (n, salt): for the people, drawn apart from random()'s
// sequence, whose successive values are correlated (drawn from it, the certificates that
// cross a threshold would all fall in a few organisations and none would be ordered).
export function mixed(n: number, salt: number): number {
  return mix32(n, salt) / 0x100000000;
}

// The 32 bits behind mixed(): every step is one-to-one, so for a fixed salt no two n meet.
function mix32(n: number, salt: number): number {
  let h = Math.imul(n ^ Math.imul(salt, 0x9e3779b9), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

// `words` 32-bit words of hex for (n, salt): unique per n, as its first word is.
function hex(n: number, salt: number, words: number): string {
  let out = '';
  for (let w = 0; w < words; w++) {
    out += mix32(n, salt + w)
      .toString(16)
      .padStart(8, '0');
  }
  return out;
}

export function sqlDate(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

// Creates the database when it does not exist and brings it to the current schema.
export async function openBenchDatabase(
  server: string,
  name: string,
  logger?: Logger,
): Promise<BenchDatabase> {
  const admin = await createConnection({ uri: server });
  await admin.query(
    `CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  const options = await resolveDataSourceOptions(
    loadDatabaseConfig({ DATABASE_URL: url.toString(), DATA_DIR: '/tmp' }),
  );
  const dataSource = new DataSource({
    ...options,
    ...(logger ? { logging: ['query'], logger } : { logging: false }),
    migrationsRun: false,
  });
  await dataSource.initialize();
  await dataSource.runMigrations();
  // UTC, as the application reads and writes DATETIME.
  const conn = await createConnection({ uri: url.toString(), timezone: 'Z' });
  return {
    url: url.toString(),
    dataSource,
    conn,
    close: async (drop) => {
      await conn.end();
      await dataSource.destroy();
      if (drop) {
        const c = await createConnection({ uri: server });
        await c.query(`DROP DATABASE \`${name}\``);
        await c.end();
      }
    },
  };
}

async function count(conn: Connection, table: string): Promise<number> {
  const [[{ n }]] = (await conn.query(`SELECT COUNT(*) AS n FROM ${table}`)) as unknown as [
    { n: number }[],
  ];
  return Number(n);
}

export function requesterEmail(dept: number, k: number): string {
  return `requester${k + 1}.d${dept}@org${Math.ceil(dept / DEPTS_PER_ORG)}.example.org`;
}

// One certificate as drawn, with everything its rows in the five tables need.
interface Drawn {
  id: number;
  nren: number;
  org: number;
  dept: number;
  notBefore: string;
  notAfter: string;
  validity: number;
  state: string;
  names: string[];
  request: number | null;
  requester: number | null;
  muted: boolean;
  extra: string | null;
}

// The certificates in id order, the same sequence of draws on every pass (and the same as the
// earlier row-by-row loader drew), so each table's pass sees the same certificates.
function* drawCertificates(
  rows: number,
  departments: number,
  firstUser: number,
  people: PeopleOptions | undefined,
): Generator<Drawn> {
  const rnd = random();
  let requestId = 0;
  for (let i = 1; i <= rows; i++) {
    // With people, the department is drawn well mixed too: it decides whose reminder it is.
    const drawn = 1 + Math.floor(rnd() * departments);
    const dept = people ? 1 + Math.floor(mixed(i, 1) * departments) : drawn;
    const org = Math.ceil(dept / DEPTS_PER_ORG);
    const nren = Math.ceil(org / ORGS_PER_NREN);
    const notBefore = new Date(NOW.getTime() - Math.floor(rnd() * 600) * DAY);
    const validity = 90 + Math.floor(rnd() * 300);
    const notAfter = new Date(notBefore.getTime() + validity * DAY);
    const r = rnd();
    const state = r < 0.02 ? 'revoked' : r < 0.07 ? 'superseded' : 'valid';
    const nameCount = 1 + Math.floor(rnd() * 3);
    const names = Array.from({ length: nameCount }, (_, k) =>
      k === 0 ? `host${i}.d${dept}.org${org}.example.org` : `alt${k}-${i}.org${org}.example.org`,
    );
    let request: number | null = null;
    let requester: number | null = null;
    let muted = false;
    let extra: string | null = null;
    if (people) {
      if (mixed(i, 2) < people.orderedShare) {
        request = ++requestId;
        requester =
          firstUser +
          (dept - 1) * people.requestersPerDepartment +
          Math.floor(mixed(i, 3) * people.requestersPerDepartment);
      }
      const s = mixed(i, 4);
      if (s < people.mutedShare) {
        muted = true;
      } else if (s < people.mutedShare + people.extraShare) {
        extra = `ops.d${dept}@org${org}.example.org`;
      }
    }
    yield {
      id: i,
      nren,
      org,
      dept,
      notBefore: sqlDate(notBefore),
      notAfter: sqlDate(notAfter),
      validity,
      state,
      names,
      request,
      requester,
      muted,
      extra,
    };
  }
}

type Field = string | number | null;

interface Table {
  name: string;
  // The columns in file order; `@x` reads into a variable for `set`.
  columns: string;
  set?: string;
  rows(d: Drawn, firstUser: number): Field[][];
}

// What each certificate puts in each table. Hashes, serials and fingerprints are derived
// from the id (unique: mix32 is one-to-one for a fixed salt), so two loads are identical.
const TABLES: Table[] = [
  {
    name: 'certificate_requests',
    columns: `id, organisation_id, department_id, product_id, requester_id, status, csr_pem,
      csr_sha256, spki_sha256, subject, names, key_type, key_bits, signature_algorithm,
      validity_days, warnings, status_changed_at, version`,
    rows: (d) =>
      d.request === null
        ? []
        : [
            [
              d.request,
              d.org,
              d.dept,
              1,
              d.requester,
              'issued',
              '-',
              hex(d.id, 20, 8),
              hex(d.id, 30, 8),
              `CN=${d.names[0]}`,
              JSON.stringify(d.names),
              'ECDSA',
              256,
              'ecdsa-with-SHA256',
              d.validity,
              '[]',
              d.notBefore,
              1,
            ],
          ],
  },
  {
    name: 'certificates',
    columns: `id, nren_id, organisation_id, department_id, source, request_id, replaces_id,
      serial, issuer, subject, main_name, name_count, key_type, key_bits, signature_algorithm,
      not_before, not_after, fingerprint_sha256, spki_sha256, state, version`,
    rows: (d) => [
      [
        d.id,
        d.nren,
        d.org,
        d.dept,
        d.request === null ? 'imported' : 'ordered',
        d.request,
        null,
        hex(d.id, 40, 4).replace(/^0+/, ''),
        'CN=Bench Issuing CA,O=Bench',
        `CN=${d.names[0]}`,
        d.names[0],
        d.names.length,
        'ECDSA',
        256,
        'ecdsa-with-SHA256',
        d.notBefore,
        d.notAfter,
        hex(d.id, 50, 8),
        hex(d.id, 30, 8),
        d.state,
        1,
      ],
    ],
  },
  {
    name: 'certificate_names',
    columns: 'certificate_id, name, reversed',
    // In primary key order.
    rows: (d) => [...d.names].sort().map((name) => [d.id, name, reverseName(name)]),
  },
  {
    // The bytes live in their own table and no list reads them: a few bytes stand in.
    name: 'certificate_files',
    columns: 'certificate_id, @leaf, @chain',
    set: 'leaf_der = UNHEX(@leaf), chain_der = UNHEX(@chain)',
    rows: (d) => [[d.id, '3000', '']],
  },
  {
    name: 'certificate_reminder_settings',
    columns: 'certificate_id, muted_at, muted_by, extra_addresses',
    rows: (d, firstUser) =>
      d.muted
        ? [[d.id, d.notBefore, firstUser, '']]
        : d.extra !== null
          ? [[d.id, null, null, d.extra]]
          : [],
  },
];

// One line of LOAD DATA's default format: tab-separated, \N for NULL.
function line(fields: Field[]): string {
  let out = '';
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k];
    if (typeof f === 'string' && /[\t\n\\]/.test(f)) {
      throw new Error(`a seeded value holds a tab, newline or backslash: ${f}`);
    }
    out += (k > 0 ? '\t' : '') + (f === null ? '\\N' : String(f));
  }
  return out + '\n';
}

// A table's rows as a stream for LOAD DATA LOCAL INFILE, generated as the server reads them.
function tableStream(table: Table, draws: Generator<Drawn>, firstUser: number): Readable {
  return Readable.from(
    (function* () {
      let chunk = '';
      for (const d of draws) {
        for (const row of table.rows(d, firstUser)) {
          chunk += line(row);
        }
        if (chunk.length > 256 * 1024) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) {
        yield chunk;
      }
    })(),
    { objectMode: false },
  );
}

// Loads `rows` certificates (2% revoked, 5% superseded, 1 to 3 names, not_before up to 600
// days back, 90 to 390 days valid) spread over 5 NRENs, 200 organisations and 1,000
// departments; with `people`, requesters, requests for the ordered ones, certificate
// contacts and reminder settings as well. Does nothing when the database already holds them.
//
// Fast because it is one transaction into empty tables with unique and foreign key checks
// off: MariaDB (10.6+) then loads each table in bulk, writes no undo per row and builds
// every index once at commit by sorting, instead of inserting a million random keys
// (fingerprints, serials, names) into B-trees larger than the buffer pool. The rows go by
// LOAD DATA LOCAL INFILE from streams generated as the server reads them, one pass per table.
// A failed load rolls back whole, so a half-loaded database is never reused.
export async function seedCertificates(conn: Connection, options: SeedOptions): Promise<void> {
  const { rows, people } = options;
  const existing = await count(conn, 'certificates');
  if (existing === rows) {
    console.log(`reusing ${existing} rows`);
    return;
  }
  if (existing > 0) {
    throw new Error(`the database holds ${existing} certificates, not ${rows}: drop it first`);
  }
  const started = Date.now();
  await conn.query('SET foreign_key_checks = 0, unique_checks = 0');
  await conn.query('START TRANSACTION');
  try {
    const nrens = Array.from({ length: NRENS }, (_, i) => [
      `NREN ${i + 1}`,
      'NL',
      `ops@nren${i + 1}.example`,
      people ? LANGUAGES[i % LANGUAGES.length] : 'en',
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
        const id = orgs.length + 1;
        const contacts = people
          ? Array.from(
              { length: people.contactsPerOrganisation },
              (_, k) => `pki${k + 1}@org${id}.example.org`,
            )
          : [];
        orgs.push([
          nr,
          `Org ${id}`,
          '1 Campus Road',
          'Utrecht',
          'NL',
          JSON.stringify(contacts),
          '[]',
          1,
        ]);
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
    // Requesters get ids 1.. in department order; every sixth keeps the NREN's language.
    const firstUser = 1 + (await count(conn, 'users'));
    if (people) {
      const users: unknown[][] = [];
      for (let dept = 1; dept <= depts.length; dept++) {
        for (let k = 0; k < people.requestersPerDepartment; k++) {
          const n = users.length;
          users.push([
            firstUser + n,
            requesterEmail(dept, k),
            `Requester ${n + 1}`,
            n % 6 === 5 ? null : LANGUAGES[n % LANGUAGES.length],
            1,
          ]);
        }
      }
      await conn.query('INSERT INTO users (id, email, display_name, language, version) VALUES ?', [
        users,
      ]);
    }
    for (const table of TABLES) {
      const t0 = Date.now();
      const stream = tableStream(
        table,
        drawCertificates(rows, depts.length, firstUser, people),
        firstUser,
      );
      const [result] = (await conn.query({
        sql: `LOAD DATA LOCAL INFILE '${table.name}' INTO TABLE ${table.name}
          CHARACTER SET utf8mb4 (${table.columns})${table.set ? ` SET ${table.set}` : ''}`,
        infileStreamFactory: () => stream,
      })) as unknown as [{ affectedRows: number; warningStatus: number }];
      if (result.warningStatus > 0) {
        const [warnings] = await conn.query('SHOW WARNINGS LIMIT 5');
        throw new Error(`loading ${table.name}: ${JSON.stringify(warnings)}`);
      }
      console.log(
        `  ${table.name}: ${result.affectedRows} rows streamed in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
      );
    }
    const t0 = Date.now();
    await conn.query('COMMIT');
    console.log(`  commit (indexes built) ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } catch (err) {
    await conn.query('ROLLBACK');
    throw err;
  } finally {
    await conn.query('SET foreign_key_checks = 1, unique_checks = 1');
  }
  await conn.query('ANALYZE TABLE certificates, certificate_names, certificate_requests');
  console.log(`loaded ${rows} certificates in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
