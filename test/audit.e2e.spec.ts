import { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { AuditCheckpoints } from '../src/audit/audit-checkpoints.js';
import { AuditService, GENESIS_HASH, hashEvent } from '../src/audit/audit.service.js';
import { AuditEvent } from '../src/audit/audit-event.entity.js';
import { appendFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { runCli } from '../src/cli.js';
import { ADMIN, agentFor, login } from './support/http.js';
import { createTestApp, type TestApp } from './support/test-app.js';

const CLI = { id: null, label: 'cli' };

async function cli(t: TestApp, ...argv: string[]) {
  return cliWithInput(t, '', ...argv);
}

async function cliWithInput(t: TestApp, input: string, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { ...process.env };
  Object.assign(process.env, t.db.env, { LOG_LEVEL: 'silent' });
  try {
    const code = await runCli(argv, {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
      input: Readable.from([input]),
    });
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.env = saved;
  }
}

// What an intruder who may run any SQL, DDL included, would do first.
async function dropAppendOnlyTriggers(ds: DataSource): Promise<void> {
  await ds.query('DROP TRIGGER audit_events_no_update');
  await ds.query('DROP TRIGGER audit_events_no_delete');
}

describe('audit trail', () => {
  let t: TestApp;
  let audit: AuditService;
  let ds: DataSource;

  beforeEach(async () => {
    t = await createTestApp();
    audit = t.get(AuditService);
    ds = t.app.get<DataSource>(getDataSourceToken());
    await t.get(AccountsService).createAdmin(ADMIN.email, ADMIN.password, CLI);
  });
  afterEach(() => t.close());

  it('records logins, failed logins, logouts and token creation with who, when and from where', async () => {
    const agent = agentFor(t);
    await login(agent, ADMIN.email, 'wrong-password-here');
    await login(agent, ADMIN.email, ADMIN.password);
    await t.get(AccountsService).createToken(ADMIN.email, 'ci', CLI);
    const rows: { action: string; actor_label: string; ip: string | null; occurred_at: unknown }[] =
      await ds.query('SELECT action, actor_label, ip, occurred_at FROM audit_events ORDER BY id');
    expect(rows.map((r) => r.action)).toEqual([
      'account.admin-created',
      'login.failed',
      'login',
      'token.created',
    ]);
    expect(rows[1]).toMatchObject({ actor_label: ADMIN.email });
    expect(rows[2].ip).toMatch(/127\.0\.0\.1/);
    expect(await audit.verify()).toEqual({ ok: true, checked: 4, checkpoints: 0 });
  });

  it('audit-verify on the command line names the first edited row', async () => {
    for (let i = 0; i < 5; i++) {
      await audit.recordNow({ id: null, label: 'test' }, { action: 'test.event', detail: { i } });
    }
    expect(await cli(t, 'audit-verify')).toMatchObject({
      code: 0,
      out: expect.stringContaining('6 events verified'),
    });
    const [{ id }] = await ds.query<{ id: number }[]>(
      'SELECT id FROM audit_events WHERE detail = \'{"i":2}\'',
    );
    await dropAppendOnlyTriggers(ds);
    await ds.query('UPDATE audit_events SET detail = \'{"i":99}\' WHERE id = ?', [id]);
    const result = await cli(t, 'audit-verify');
    expect(result.code).toBe(1);
    expect(result.err).toContain(`BROKEN at event ${id}: its content was changed`);
  });

  it('notices a deleted row in the middle and at the end', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) {
      ids.push(
        (
          await audit.recordNow(
            { id: null, label: 'test' },
            { action: 'test.event', detail: { i } },
          )
        ).id,
      );
    }
    await dropAppendOnlyTriggers(ds);
    await ds.query('DELETE FROM audit_events WHERE id = ?', [ids[3]]);
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: null, reason: 'head' });
    await ds.query('DELETE FROM audit_events WHERE id = ?', [ids[1]]);
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: ids[2], reason: 'link' });
  });

  it('keeps one unbroken chain when many events are written at once', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        audit.recordNow({ id: null, label: 'test' }, { action: 'test.event', detail: { i } }),
      ),
    );
    expect(await audit.verify()).toEqual({ ok: true, checked: 21, checkpoints: 0 });
  });
});

describe('audit trail against someone who can write to the database', () => {
  let t: TestApp;
  let audit: AuditService;
  let ds: DataSource;

  beforeEach(async () => {
    t = await createTestApp();
    audit = t.get(AuditService);
    ds = t.app.get<DataSource>(getDataSourceToken());
    for (let i = 0; i < 6; i++) {
      await audit.recordNow({ id: null, label: 'test' }, { action: 'test.event', detail: { i } });
    }
  });
  afterEach(() => t.close());

  const rows = () => ds.getRepository(AuditEvent).find({ order: { id: 'ASC' } });

  // Recomputes every hash from `from` on, as an intruder without the key can: plain SHA-256,
  // or an HMAC under a key of their own; then moves the head.
  async function rewriteFrom(from: number, key: Buffer | null): Promise<void> {
    let prev = GENESIS_HASH;
    for (const row of await rows()) {
      if (row.id >= from) {
        row.prevHash = prev;
        row.keyed = key !== null;
        row.hash = hashEvent(row, key);
        await ds.query(
          'UPDATE audit_events SET detail = ?, prev_hash = ?, hash = ?, keyed = ? WHERE id = ?',
          [row.detail, row.prevHash, row.hash, row.keyed, row.id],
        );
      }
      prev = row.hash;
    }
    const last = (await rows()).at(-1)!;
    await ds.query('UPDATE audit_head SET last_hash = ?, last_event_id = ? WHERE id = 1', [
      last.hash,
      last.id,
    ]);
  }

  it('the database refuses to change or delete audit rows', async () => {
    const [first] = await rows();
    await expect(
      ds.query("UPDATE audit_events SET detail = '{}' WHERE id = ?", [first.id]),
    ).rejects.toThrow(/append-only/);
    await expect(ds.query('DELETE FROM audit_events WHERE id = ?', [first.id])).rejects.toThrow(
      /append-only/,
    );
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 6 });
  });

  it('a chain rewritten consistently without the key does not verify', async () => {
    await dropAppendOnlyTriggers(ds);
    const third = (await rows())[2];
    await ds.query('UPDATE audit_events SET detail = ? WHERE id = ?', ['{"i":99}', third.id]);
    await rewriteFrom(third.id, null);
    expect(await audit.verify()).toMatchObject({
      ok: false,
      brokenAt: third.id,
      reason: 'unkeyed',
    });
    await rewriteFrom(third.id, Buffer.alloc(32, 7));
    expect(await audit.verify()).toMatchObject({ ok: false, brokenAt: third.id, reason: 'edited' });
    // All of it, with plain hashes: the chain must end on a keyed event.
    await rewriteFrom(0, null);
    expect(await audit.verify()).toMatchObject({ ok: false, reason: 'unkeyed' });
  });

  it('signed checkpoints outside the database notice the newest events removed', async () => {
    const checkpoints = t.get(AuditCheckpoints);
    const written = await checkpoints.write();
    expect(written).toMatchObject({ count: 6 });
    // Nothing new: no second line.
    expect(await checkpoints.write()).toBeNull();
    expect(await cli(t, 'audit-verify')).toMatchObject({
      code: 0,
      out: expect.stringContaining('6 events verified, 1 checkpoints matched'),
    });

    // Remove the two newest events and move the head back: the chain alone looks intact.
    await dropAppendOnlyTriggers(ds);
    const all = await rows();
    await ds.query('DELETE FROM audit_events WHERE id > ?', [all[3].id]);
    await ds.query('UPDATE audit_head SET last_hash = ?, last_event_id = ? WHERE id = 1', [
      all[3].hash,
      all[3].id,
    ]);
    expect(await audit.verify()).toMatchObject({ ok: true, checked: 4 });
    const result = await cli(t, 'audit-verify');
    expect(result.code).toBe(1);
    expect(result.err).toContain(`(event ${written!.eventId}, 6 events) does not match`);
  });

  it('refuses checkpoints that were not signed with this key', async () => {
    const written = (await t.get(AuditCheckpoints).write())!;
    appendFileSync(
      t.get(AuditCheckpoints).file,
      JSON.stringify({ ...written, count: 5, sig: '00'.repeat(32) }) + '\n',
    );
    const result = await cli(t, 'audit-verify');
    expect(result.code).toBe(1);
    expect(result.err).toContain('Audit checkpoints FORGED');
    expect(result.err).toContain('line 2');
  });
});

describe('command line', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('creates the first administrator, password from standard input, who can then log in', async () => {
    const res = await cliWithInput(
      t,
      'a-long-enough-secret\nignored second line\n',
      'create-admin',
      '--email',
      'first@example.org',
      '--password-stdin',
    );
    expect(res).toMatchObject({
      code: 0,
      out: expect.stringContaining('Created administrator first@example.org'),
      err: '',
    });
    const agent = agentFor(t);
    expect((await login(agent, 'first@example.org', 'a-long-enough-secret')).status).toBe(303);
  });

  it('still takes --password as an argument, with a warning', async () => {
    const res = await cli(
      t,
      'create-admin',
      '--email',
      'argument@example.org',
      '--password',
      'violet-orchard-secret',
    );
    expect(res.code).toBe(0);
    expect(res.err).toContain('Warning: --password shows the password in the process list');
    expect(
      (await cliWithInput(t, '', 'create-admin', '--email', 'none@example.org', '--password-stdin'))
        .err,
    ).toContain('create-admin needs --email and --password-stdin');
  });

  it('refuses a weak password and says why', async () => {
    const short = await cli(t, 'create-admin', '--email', 'x@example.org', '--password', 'short');
    expect(short.code).toBe(1);
    expect(short.err).toContain('at least 12 characters');
    const common = await cli(
      t,
      'create-admin',
      '--email',
      'y@example.org',
      '--password',
      'password1234',
    );
    expect(common.err).toContain('too common');
  });

  it('refuses a second account with the same address', async () => {
    const res = await cli(
      t,
      'create-admin',
      '--email',
      'FIRST@example.org',
      '--password',
      'another-fine-secret',
    );
    expect(res).toMatchObject({ code: 1, err: expect.stringContaining('already exists') });
  });

  it('prints a token once that the API accepts', async () => {
    const res = await cli(
      t,
      'create-token',
      '--email',
      'first@example.org',
      '--name',
      'monitoring',
    );
    expect(res.code).toBe(0);
    const secret = res.out.trim();
    expect(secret).toMatch(/^ra_[\w-]{40,}$/);
    const { default: request } = await import('supertest');
    await request(t.server).get('/api/v1/me').set('Authorization', `Bearer ${secret}`).expect(200);
  });

  it('explains unknown commands and options', async () => {
    expect(await cli(t, 'frobnicate')).toMatchObject({
      code: 1,
      err: expect.stringContaining('Unknown command'),
    });
    expect(await cli(t, 'create-admin', '--mail', 'x')).toMatchObject({
      code: 1,
      err: expect.stringContaining('Usage'),
    });
  });
});

describe('block-key on the command line', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('blocks the key of a CSR file, and says what is wrong with a bad one', async () => {
    const res = await cli(
      t,
      'block-key',
      '--csr',
      'test/fixtures/csr/debian-sample-2.csr.pem',
      '--note',
      'leaked on a wiki',
    );
    expect(res).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^Key [0-9a-f]{64} is blocked \(key-compromise\)\.\n$/),
    });
    const { KeysService } = await import('../src/keys/keys.service.js');
    const spki = /Key ([0-9a-f]{64})/.exec(res.out)![1];
    expect(await t.get(KeysService).isBlocked(spki)).toBe(true);
    const bad = await cli(t, 'block-key', '--csr', 'package.json');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('--csr package.json');
    expect((await cli(t, 'block-key', '--spki', 'abc')).err).toContain('64 hex digits');
  });
});
