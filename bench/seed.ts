// Bulk-loads certificates into a scratch MySQL/MariaDB database for the benchmarks that need a
// million rows (bench:certificates, bench:expiry): multi-row INSERTs of BATCH rows with the
// checks off, deterministic data, and a loaded database is reused by the next run.
import { randomBytes } from 'node:crypto';
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
const BATCH = 2000;
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
  let h = Math.imul(n ^ Math.imul(salt, 0x9e3779b9), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x100000000;
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
  const conn = await createConnection({ uri: url.toString() });
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

// Loads `rows` certificates (2% revoked, 5% superseded, 1 to 3 names, not_before up to 600
// days back, 90 to 390 days valid) spread over 5 NRENs, 200 organisations and 1,000
// departments; with `people`, requesters, requests for the ordered ones, certificate
// contacts and reminder settings as well. Does nothing when the database already holds them.
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
  const rnd = random();
  await conn.query('SET foreign_key_checks = 0, unique_checks = 0');
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
  const started = Date.now();
  let requestId = 0;
  for (let id = 1; id <= rows; id += BATCH) {
    const certs: unknown[][] = [];
    const files: unknown[][] = [];
    const names: unknown[][] = [];
    const requests: unknown[][] = [];
    const settings: unknown[][] = [];
    for (let i = id; i < Math.min(id + BATCH, rows + 1); i++) {
      // With people, the department is drawn well mixed too: it decides whose reminder it is.
      const drawn = 1 + Math.floor(rnd() * depts.length);
      const dept = people ? 1 + Math.floor(mixed(i, 1) * depts.length) : drawn;
      const org = Math.ceil(dept / DEPTS_PER_ORG);
      const nren = Math.ceil(org / ORGS_PER_NREN);
      const notBefore = new Date(NOW.getTime() - Math.floor(rnd() * 600) * DAY);
      const validity = 90 + Math.floor(rnd() * 300);
      const notAfter = new Date(notBefore.getTime() + validity * DAY);
      const r = rnd();
      const state = r < 0.02 ? 'revoked' : r < 0.07 ? 'superseded' : 'valid';
      const nameCount = 1 + Math.floor(rnd() * 3);
      const certNames = Array.from({ length: nameCount }, (_, k) =>
        k === 0 ? `host${i}.d${dept}.org${org}.example.org` : `alt${k}-${i}.org${org}.example.org`,
      );
      let request: number | null = null;
      if (people) {
        if (mixed(i, 2) < people.orderedShare) {
          request = ++requestId;
          const requester =
            firstUser +
            (dept - 1) * people.requestersPerDepartment +
            Math.floor(mixed(i, 3) * people.requestersPerDepartment);
          requests.push([
            request,
            org,
            dept,
            1,
            requester,
            'issued',
            '-',
            randomBytes(32).toString('hex'),
            randomBytes(32).toString('hex'),
            `CN=${certNames[0]}`,
            JSON.stringify(certNames),
            'ECDSA',
            256,
            'ecdsa-with-SHA256',
            validity,
            '[]',
            sqlDate(notBefore),
            1,
          ]);
        }
        const s = mixed(i, 4);
        if (s < people.mutedShare) {
          settings.push([i, sqlDate(notBefore), firstUser, '']);
        } else if (s < people.mutedShare + people.extraShare) {
          settings.push([i, null, null, `ops.d${dept}@org${org}.example.org`]);
        }
      }
      certs.push([
        i,
        nren,
        org,
        dept,
        request === null ? 'imported' : 'ordered',
        request,
        null,
        randomBytes(16).toString('hex').replace(/^0+/, ''),
        'CN=Bench Issuing CA,O=Bench',
        `CN=${certNames[0]}`,
        certNames[0],
        nameCount,
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
      for (const name of certNames) {
        names.push([i, name, reverseName(name)]);
      }
      // The bytes live in their own table and no list reads them: a few bytes stand in.
      files.push([i, Buffer.from([0x30, 0]), Buffer.alloc(0)]);
    }
    if (requests.length > 0) {
      await conn.query(
        `INSERT INTO certificate_requests (id, organisation_id, department_id, product_id,
          requester_id, status, csr_pem, csr_sha256, spki_sha256, subject, names, key_type,
          key_bits, signature_algorithm, validity_days, warnings, status_changed_at, version)
         VALUES ?`,
        [requests],
      );
    }
    await conn.query(
      `INSERT INTO certificates (id, nren_id, organisation_id, department_id, source, request_id,
        replaces_id, serial, issuer, subject, main_name, name_count, key_type, key_bits,
        signature_algorithm, not_before, not_after, fingerprint_sha256, spki_sha256, state, version)
       VALUES ?`,
      [certs],
    );
    await conn.query('INSERT INTO certificate_names (certificate_id, name, reversed) VALUES ?', [
      names,
    ]);
    await conn.query(
      'INSERT INTO certificate_files (certificate_id, leaf_der, chain_der) VALUES ?',
      [files],
    );
    if (settings.length > 0) {
      await conn.query(
        'INSERT INTO certificate_reminder_settings (certificate_id, muted_at, muted_by, extra_addresses) VALUES ?',
        [settings],
      );
    }
    if ((id - 1) % 100_000 === 0) {
      console.log(`  ${id - 1} rows, ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
  }
  await conn.query('SET foreign_key_checks = 1, unique_checks = 1');
  await conn.query('ANALYZE TABLE certificates, certificate_names, certificate_requests');
  console.log(`loaded ${rows} certificates in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
