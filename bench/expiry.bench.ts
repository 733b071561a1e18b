// Expiry reminders at a million certificates on MySQL/MariaDB. Seeds a scratch database
// (bench/seed.ts; reused by the next run), then runs the real reminder job (ExpiryReminders
// in the application as main.ts wires it, with the real mail queue and SMTP transport)
// against an SMTP sink on loopback, and prints: the job's due scan beside a plain indexed
// query for the same rows in the same run, mails per second delivered, total time and peak
// memory, at 100,000 and at 1,000,000 certificates (each in a process of its own, so their
// memory is measured apart); then p50/p99 of the certificate list and search pages at a
// million rows under concurrent load (autocannon, logged in with a session cookie).
//
// The SMTP sink and autocannon run in this parent process, the application in a child.
// Run with `npm run bench:expiry` (BENCH_DATABASE_URL, default mysql://root@127.0.0.1:3306/;
// BENCH_ROWS, default 1000000; BENCH_SMALL, default 100000 (0: none); BENCH_DROP=1 drops the scratch
// databases afterwards, else the next run reuses them). Exits 1 when a goal fails.
import 'reflect-metadata';
import autocannon from 'autocannon';
import { SMTPServer } from 'smtp-server';
import { fork } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { User } from '../src/accounts/user.entity.js';
import { Transactions } from '../src/database/transactions.js';
import {
  DUE_SCAN_PAGE,
  dueScanPage,
  ExpiryReminders,
} from '../src/expiry/expiry-reminders.service.js';
import { dueRanges } from '../src/expiry/thresholds.js';
import { MailDispatcher } from '../src/mail/mail.dispatcher.js';
import { FakeClock } from '../test/support/fake-clock.js';
import { LOOPBACK_SMTP } from '../test/support/smtp-server.js';
import { createTestApp } from '../test/support/test-app.js';
import { DAY, NOW, openBenchDatabase, REMINDER_PEOPLE, seedCertificates, sqlDate } from './seed.js';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/';
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const SMALL = Number(process.env.BENCH_SMALL ?? 100_000);
const THRESHOLDS = [60, 30, 14, 7, 3, 1, -1];
const ADMIN = { email: 'bench-admin@example.org', password: 'correct-horse-battery-9' };
const LOAD = { connections: 10, duration: 10 };
const DELIVERY_CAP_MS = Number(process.env.BENCH_DELIVERY_CAP_S ?? 60) * 1000;
const GOALS = { scanRatio: 2, totalMs: 60_000, memoryRatio: 1.5, p99Ms: 100 };

// What a child reports about its run of the job.
interface RunReport {
  rows: number;
  due: number;
  plainRows: number;
  plainMs: number;
  scanMs: number;
  queueMs: number;
  jobMs: number;
  deliverMs: number;
  totalMs: number;
  // Mail still queued when delivery stopped at DELIVERY_CAP_MS (totalMs then projects it).
  left: number;
  mails: number;
  reminders: number;
  skipped: number;
  delivered: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  heapPeakMb: number;
  explain: { plain: string; scan: string; scanAfter: string };
}

type FromChild =
  | { type: 'report'; report: RunReport }
  | { type: 'serving'; url: string; cookie: string; list: string; search: string };

// ---------------------------------------------------------------------------------------
// Child: one database size, the application in this process.

class MemoryPeak {
  rss = 0;
  heap = 0;
  private timer: NodeJS.Timeout | null = null;

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 20);
  }

  stop(): void {
    this.sample();
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  private sample(): void {
    const m = process.memoryUsage();
    this.rss = Math.max(this.rss, m.rss);
    this.heap = Math.max(this.heap, m.heapUsed);
  }
}

const mb = (bytes: number) => Math.round(bytes / 1048576);

function send(message: FromChild): void {
  process.send!(message);
}

async function login(base: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await fetch(`${base}/login`);
  keep(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    body: new URLSearchParams({ ...ADMIN, _csrf: csrf, next: '/' }).toString(),
  });
  keep(res);
  if ((res.status !== 302 && res.status !== 303) || !jar.has('ra.sid')) {
    throw new Error(`login: ${res.status}, no session cookie`);
  }
  return cookie();
}

async function child(rows: number, smtpUrl: string, serve: boolean): Promise<void> {
  const db = await openBenchDatabase(SERVER, `bench_expiry_${rows}`);
  const { conn } = db;
  await seedCertificates(conn, {
    rows,
    people: REMINDER_PEOPLE,
  });
  await db.dataSource.destroy();
  // A fresh start for the job: no reminders, no cursor, no mail from an earlier run.
  for (const table of ['expiry_reminders', 'expiry_reminder_cursor', 'mail_messages']) {
    await conn.query(`TRUNCATE TABLE ${table}`);
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'ra-bench-'));
  const t = await createTestApp({
    clock: new FakeClock(NOW),
    db: { dataDir, env: { DATA_DIR: dataDir, DATABASE_URL: db.url }, drop: async () => {} },
    env: {
      LOG_LEVEL: 'warn',
      MAIL_TRANSPORT: 'smtp',
      SMTP_URL: smtpUrl,
      // http: the pages are fetched over plain HTTP, where a secure cookie would not be set.
      BASE_URL: 'http://ra.example.org',
      EXPIRY_REMINDER_DAYS: THRESHOLDS.join(','),
    },
  });
  try {
    // The plain query: the same rows as the job's scan (its first run looks back a day), by
    // the expiry index, in one statement. Once to warm the same pages, then timed.
    const ranges = dueRanges(THRESHOLDS, new Date(NOW.getTime() - DAY), NOW);
    const plain = `SELECT id, nren_id, organisation_id, request_id, source, main_name, not_after
      FROM certificates WHERE state = 'valid' AND (${ranges
        .map(() => '(not_after > ? AND not_after <= ?)')
        .join(' OR ')}) ORDER BY not_after, id`;
    const params = ranges.flatMap((r) => [sqlDate(r.after), sqlDate(r.upTo)]);
    await conn.query(plain, params);
    const plainTimes: number[] = [];
    let found: { id: number; not_after: Date }[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      [found] = (await conn.query(plain, params)) as unknown as [typeof found];
      plainTimes.push(performance.now() - t0);
    }
    const plainRows = found.length;
    // The median: the job's scan is one run, on a machine others share.
    const plainMs = plainTimes.sort((a, b) => a - b)[1];
    // Through the application's pool (UTC dates), as the job runs them.
    const em = t.get(Transactions).manager;
    const explainOf = async (sql: string, values: unknown[]) => {
      const explained: Record<string, string | number | null>[] = await em.query(
        `EXPLAIN ${sql}`,
        values,
      );
      return explained
        .map(
          (r) =>
            `${String(r.table)} type=${String(r.type)} key=${String(r.key)} rows=${String(r.rows)} ${String(r.Extra ?? '')}`,
        )
        .join(' | ');
    };
    // The job's own page statement, first page and one after the middle row (the keyset).
    const middle = found[Math.floor(plainRows / 2)];
    found = [];
    const explain = {
      plain: await explainOf(plain, params),
      scan: await explainOf(...dueScanPage(em, ranges, null, DUE_SCAN_PAGE)),
      scanAfter: middle
        ? await explainOf(
            ...dueScanPage(
              em,
              ranges,
              { notAfter: middle.not_after, id: middle.id },
              DUE_SCAN_PAGE,
            ),
          )
        : '',
    };

    const memory = new MemoryPeak();
    const rssBefore = process.memoryUsage().rss;
    memory.start();
    const started = performance.now();
    const result = await t.get(ExpiryReminders).run(NOW);
    const jobMs = performance.now() - started;
    // The dispatcher's own loop (MailDispatcher drains batch after batch the same way), up to
    // DELIVERY_CAP_MS; what is still queued then is counted at the rate measured.
    const dispatcher = t.get(MailDispatcher);
    let delivered = 0;
    for (;;) {
      const sent = await dispatcher.run(NOW);
      delivered += sent.sent;
      if (sent.sent + sent.failed === 0 || performance.now() - started > jobMs + DELIVERY_CAP_MS) {
        break;
      }
    }
    const deliverMs = performance.now() - started - jobMs;
    const [[{ queued }]] = (await conn.query(
      "SELECT COUNT(*) AS queued FROM mail_messages WHERE status = 'queued'",
    )) as unknown as [{ queued: number }[]];
    const left = Number(queued);
    const totalMs = jobMs + deliverMs + (left > 0 ? (left * deliverMs) / delivered : 0);
    memory.stop();
    send({
      type: 'report',
      report: {
        rows,
        due: result.due,
        plainRows,
        plainMs,
        scanMs: result.scanMs,
        queueMs: jobMs - result.scanMs,
        jobMs,
        deliverMs,
        totalMs,
        left,
        mails: result.mails,
        reminders: result.reminders,
        skipped: result.skipped,
        delivered,
        rssBeforeMb: mb(rssBefore),
        rssPeakMb: mb(memory.rss),
        heapPeakMb: mb(memory.heap),
        explain,
      },
    });

    if (serve) {
      const found = await t.get(Transactions).manager.findOneBy(User, { email: ADMIN.email });
      if (!found) {
        await t
          .get(AccountsService)
          .createAdmin(ADMIN.email, ADMIN.password, { id: null, label: 'bench' });
      }
      await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
      const address = t.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      send({
        type: 'serving',
        url: base,
        cookie: await login(base),
        list: '/certificates',
        search: '/certificates?q=org17.example.org',
      });
      await new Promise((resolve) => process.once('message', resolve));
    }
  } finally {
    await t.close();
    await conn.end();
    rmSync(dataDir, { recursive: true, force: true });
    if (process.env.BENCH_DROP) {
      await db.close(true).catch(() => undefined);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Parent: the SMTP sink, the children, autocannon, the figures.

// An SMTP server on loopback that takes every message and keeps only the count, as a relay
// spools mail without reading it. (The tests' server parses each message into text and HTML,
// which costs more CPU per message than the RA spends composing it, on the same 2 cores.)
class SmtpSink {
  received = 0;
  private constructor(
    private readonly server: SMTPServer,
    readonly url: string,
  ) {}

  static async start(): Promise<SmtpSink> {
    let sink: SmtpSink | null = null;
    const server = new SMTPServer({
      ...LOOPBACK_SMTP,
      disabledCommands: [...LOOPBACK_SMTP.disabledCommands],
      onData: (stream, _session, callback) => {
        stream.on('end', () => {
          sink!.received += 1;
          callback();
        });
        stream.resume();
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    sink = new SmtpSink(server, `smtp://127.0.0.1:${port}`);
    return sink;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

async function load(url: string, path: string, cookie: string) {
  // One request at a time first: what a page costs without the load.
  const alone: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const res = await fetch(url + path, { headers: { cookie } });
    await res.text();
    alone.push(performance.now() - t0);
  }
  // Warm up: the first requests compile templates and fill caches.
  await autocannon({ url: url + path, headers: { cookie }, connections: 2, amount: 20 });
  const r = await autocannon({
    url: url + path,
    headers: { cookie },
    connections: LOAD.connections,
    duration: LOAD.duration,
  });
  if (r.non2xx > 0 || r.errors > 0) {
    throw new Error(`${path}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  }
  return { r, alone: alone.sort((a, b) => a - b)[2] };
}

async function runChild(
  rows: number,
  smtp: SmtpSink,
  serve: boolean,
): Promise<{ report: RunReport; pages?: { list: string; search: string } }> {
  smtp.received = 0;
  const proc = fork(fileURLToPath(import.meta.url), [], {
    env: {
      ...process.env,
      BENCH_CHILD: String(rows),
      BENCH_SMTP: smtp.url,
      BENCH_SERVE: serve ? '1' : '',
    },
  });
  const exited = new Promise<number>((resolve) => proc.once('exit', (code) => resolve(code ?? 1)));
  let report: RunReport | undefined;
  let pages: { list: string; search: string } | undefined;
  const done = new Promise<void>((resolve, reject) => {
    proc.on('message', (m: FromChild) => {
      if (m.type === 'report') {
        report = m.report;
        if (!serve) {
          resolve();
        }
        return;
      }
      void (async () => {
        const list = await load(m.url, m.list, m.cookie);
        const search = await load(m.url, m.search, m.cookie);
        const line = ({ r, alone }: { r: autocannon.Result; alone: number }) =>
          `p50 ${ms(r.latency.p50)}, p99 ${ms(r.latency.p99)}, ${Math.round(r.requests.average)} req/s ` +
          `(one request alone: ${ms(alone)})`;
        pages = { list: line(list), search: line(search) };
        const p99 = Math.max(list.r.latency.p99, search.r.latency.p99);
        pageVerdicts.push(verdict(p99 < GOALS.p99Ms));
        proc.send('done');
        resolve();
      })().catch(reject);
    });
    void exited.then(() => resolve());
  });
  await done;
  if ((await exited) !== 0 || !report) {
    throw new Error(`the run at ${rows} certificates failed`);
  }
  // Each message the dispatcher marked sent reached the sink (the sink may hold one more,
  // accepted as the cap was reached).
  if (smtp.received < report.delivered) {
    throw new Error(`the sink received ${smtp.received} of ${report.delivered} mails`);
  }
  return { report, pages };
}

const pageVerdicts: string[] = [];

function print(r: RunReport): void {
  const perSecond = (r.delivered * 1000) / r.deliverMs;
  console.log(`\n${r.rows.toLocaleString('en')} certificates`);
  console.log(
    `  due: ${r.due} certificates crossed a threshold (plain query: ${r.plainRows} rows); ` +
      `${r.reminders} reminders, ${r.skipped} skipped, in ${r.mails} digests`,
  );
  console.log(
    `  due scan ${ms(r.scanMs)}, plain indexed query ${ms(r.plainMs)}: ` +
      `${(r.scanMs / r.plainMs).toFixed(2)}x   ${verdict(r.scanMs <= GOALS.scanRatio * r.plainMs)}`,
  );
  console.log(`  EXPLAIN plain query: ${r.explain.plain}`);
  console.log(`  EXPLAIN scan, first page: ${r.explain.scan}`);
  console.log(`  EXPLAIN scan, page after the middle row: ${r.explain.scanAfter}`);
  console.log(
    `  job (scan, recipients, queueing) ${ms(r.jobMs)}; delivery of ${r.delivered} mails ` +
      `${ms(r.deliverMs)}: ${perSecond.toFixed(0)} mails/s`,
  );
  if (r.left > 0) {
    console.log(
      `  delivery stopped after ${(DELIVERY_CAP_MS / 1000).toFixed(0)} s with ${r.left} mails queued; ` +
        `the total counts them at the rate measured`,
    );
  }
  console.log(
    `  total ${(r.totalMs / 1000).toFixed(1)} s${r.left > 0 ? ' (projected)' : ''}   ${verdict(r.totalMs <= GOALS.totalMs)}`,
  );
  console.log(
    `  memory: RSS ${r.rssBeforeMb} MB before, peak ${r.rssPeakMb} MB; heap peak ${r.heapPeakMb} MB`,
  );
}

async function parent(): Promise<void> {
  const smtp = await SmtpSink.start();
  try {
    console.log(
      `expiry reminders on MySQL/MariaDB (${SERVER}); thresholds ${THRESHOLDS.join(',')}; ` +
        `the job's first run at ${NOW.toISOString()}`,
    );
    // BENCH_SMALL=0 runs the large size alone (no memory comparison).
    const small = SMALL > 0 ? await runChild(SMALL, smtp, false) : null;
    if (small) {
      print(small.report);
    }
    const large = await runChild(ROWS, smtp, true);
    print(large.report);
    const ratio = small ? large.report.rssPeakMb / small.report.rssPeakMb : 1;
    if (small) {
      const heapRatio = large.report.heapPeakMb / small.report.heapPeakMb;
      console.log(
        `\nmemory ${SMALL.toLocaleString('en')} -> ${ROWS.toLocaleString('en')}: peak RSS ` +
          `${ratio.toFixed(2)}x, heap ${heapRatio.toFixed(2)}x   ${verdict(ratio <= GOALS.memoryRatio)}`,
      );
    }
    console.log(
      `\npages at ${ROWS.toLocaleString('en')} certificates, platform admin, ` +
        `${LOAD.connections} connections for ${LOAD.duration} s each:`,
    );
    console.log(`  list   ${large.pages?.list ?? 'not measured'}`);
    console.log(`  search ${large.pages?.search ?? 'not measured'}   ${pageVerdicts.join(' ')}`);
    const failed =
      large.report.scanMs > GOALS.scanRatio * large.report.plainMs ||
      large.report.totalMs > GOALS.totalMs ||
      ratio > GOALS.memoryRatio ||
      pageVerdicts.includes('FAIL');
    process.exitCode = failed ? 1 : 0;
  } finally {
    await smtp.stop();
  }
}

const rows = process.env.BENCH_CHILD;
(rows
  ? child(Number(rows), process.env.BENCH_SMTP!, process.env.BENCH_SERVE === '1')
  : parent()
).then(
  // A child's IPC channel would keep it alive.
  () => (rows ? process.exit(0) : undefined),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
