import fc from 'fast-check';
import type { Principal } from '../src/accounts/principal.js';
import { AuditService } from '../src/audit/audit.service.js';
import { DomainError } from '../src/common/errors.js';
import { Transactions } from '../src/database/transactions.js';
import { Product } from '../src/products/product.entity.js';
import { CertificateRequest } from '../src/requests/certificate-request.entity.js';
import { RequestApproval } from '../src/requests/request-approval.entity.js';
import { RequestLifecycle, systemActing } from '../src/requests/request-lifecycle.js';
import { Directory } from './support/directory.js';
import { csrFor, principalOf, submitRequest, usableDomain } from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Model-based: random sequences of submissions and decisions by people in different roles,
// checked step by step against a small model of the rules written here by hand (not derived
// from access.ts or the lifecycle table): who may decide, no self-approval, N-of-M counting each
// person once, one rejection rejects, decided requests stay decided, every change audited.

type Who = 'requester' | 'colleague' | 'rao' | 'rao2' | 'drao' | 'stranger' | 'nren';
const PEOPLE: Who[] = ['requester', 'colleague', 'rao', 'rao2', 'drao', 'stranger', 'nren'];
const SEES = new Set<Who>(['requester', 'colleague', 'rao', 'rao2', 'drao', 'nren']);
const DECIDES = new Set<Who>(['rao', 'rao2', 'drao', 'nren']);
// Those who may submit in the department.
const SUBMITTERS: Who[] = ['requester', 'colleague', 'rao', 'drao'];

interface ModelRequest {
  id: number;
  by: Who;
  status: 'submitted' | 'approved' | 'rejected' | 'cancelled' | 'expired';
  approvers: Set<Who>;
  events: number;
}
interface Model {
  requests: ModelRequest[];
  required: number;
}
interface Real {
  t: TestApp;
  principals: Record<Who, Principal>;
  dept: number;
  tokens: Record<Who, string>;
  seq: { n: number };
}

type Outcome = 'ok' | 'not-found' | 'forbidden' | 'conflict' | 'invalid';

async function outcomeOf(work: Promise<unknown>): Promise<Outcome> {
  try {
    await work;
    return 'ok';
  } catch (err) {
    if (err instanceof DomainError) {
      return err.kind as Outcome;
    }
    throw err;
  }
}

async function check(m: Model, r: Real, req: ModelRequest) {
  const em = r.t.get(Transactions).manager;
  const row = await em.findOneByOrFail(CertificateRequest, { id: req.id });
  expect(row.status).toBe(req.status);
  expect(await em.countBy(RequestApproval, { requestId: req.id })).toBe(req.approvers.size);
  expect(await r.t.get(AuditService).history('request', req.id, 1000)).toHaveLength(req.events);
  void m;
}

class Submit implements fc.AsyncCommand<Model, Real> {
  constructor(readonly who: Who) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const made = await submitRequest(
      r.t,
      r.tokens[this.who],
      r.dept,
      csrFor([`m${r.seq.n++}.model.example.org`]),
    );
    const req: ModelRequest = {
      id: made.id,
      by: this.who,
      status: 'submitted',
      approvers: new Set(),
      events: 1,
    };
    m.requests.push(req);
    await check(m, r, req);
  }
  toString = () => `submit(${this.who})`;
}

class Decide implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly who: Who,
    readonly action: 'approve' | 'reject' | 'cancel',
    readonly index: number,
  ) {}
  check = (m: Readonly<Model>) => m.requests.length > 0;
  async run(m: Model, r: Real) {
    const req = m.requests[this.index % m.requests.length];
    const got = await outcomeOf(
      r.t
        .get(RequestLifecycle)
        .transition(
          {
            principal: r.principals[this.who],
            actor: { id: r.principals[this.who].userId, label: this.who },
          },
          req.id,
          this.action,
          { reason: 'model' },
        ),
    );
    let expected: Outcome;
    const own = req.by === this.who;
    if (!SEES.has(this.who) && !(this.who === 'colleague')) {
      expected = 'not-found';
    } else if (this.action === 'cancel') {
      expected =
        DECIDES.has(this.who) || own
          ? req.status === 'submitted' || req.status === 'approved'
            ? 'ok'
            : 'conflict'
          : 'forbidden';
    } else if (!DECIDES.has(this.who)) {
      expected = 'forbidden';
    } else if (this.action === 'approve' && own) {
      expected = 'forbidden';
    } else if (req.status !== 'submitted') {
      expected = 'conflict';
    } else if (this.action === 'approve' && req.approvers.has(this.who)) {
      expected = 'conflict';
    } else {
      expected = 'ok';
    }
    expect(`${this.toString()} -> ${got}`).toBe(`${this.toString()} -> ${expected}`);
    if (got === 'ok') {
      req.events += 1;
      if (this.action === 'cancel') {
        req.status = 'cancelled';
      } else if (this.action === 'reject') {
        req.status = 'rejected';
      } else {
        req.approvers.add(this.who);
        if (req.approvers.size >= m.required) {
          req.status = 'approved';
        }
      }
    }
    await check(m, r, req);
  }
  toString = () => `${this.action}(${this.who}, #${this.index})`;
}

class Expire implements fc.AsyncCommand<Model, Real> {
  constructor(readonly index: number) {}
  check = (m: Readonly<Model>) => m.requests.length > 0;
  async run(m: Model, r: Real) {
    const req = m.requests[this.index % m.requests.length];
    const got = await outcomeOf(
      r.t.get(RequestLifecycle).transition(systemActing('model'), req.id, 'expire'),
    );
    expect(got).toBe(req.status === 'submitted' ? 'ok' : 'conflict');
    if (got === 'ok') {
      req.status = 'expired';
      req.events += 1;
    }
    await check(m, r, req);
  }
  toString = () => `expire(#${this.index})`;
}

describe('approval rules, model-based', () => {
  let t: TestApp;
  let real: Omit<Real, 'seq'>;
  const seq = { n: 0 };

  beforeAll(async () => {
    t = await createTestApp();
    const dir = await new Directory(t).init();
    const nren = await dir.nren('MODEL');
    const org = await dir.organisation(nren.id, 'Model University');
    const dept = (await dir.department(org.id, 'Physics')).id;
    const domain = await dir.domain(org.id, 'model.example.org');
    await usableDomain(dir, domain.id, [dept]);
    const other = await dir.organisation(nren.id, 'Elsewhere');
    const people: Record<Who, { id: number; token: string }> = {
      requester: await dir.person('requester@model.example.org', 'requester', dept),
      colleague: await dir.person('colleague@model.example.org', 'requester', dept),
      rao: await dir.person('rao@model.example.org', 'rao', org.id),
      rao2: await dir.person('rao2@model.example.org', 'rao', org.id),
      drao: await dir.person('drao@model.example.org', 'drao', dept),
      stranger: await dir.person('rao@elsewhere.example.org', 'rao', other.id),
      nren: await dir.person('admin@model.example', 'nren-admin', nren.id),
    };
    const principals = {} as Record<Who, Principal>;
    const tokens = {} as Record<Who, string>;
    for (const who of PEOPLE) {
      principals[who] = await principalOf(t, people[who].id);
      tokens[who] = people[who].token;
    }
    real = { t, principals, dept, tokens };
  }, 60_000);
  afterAll(() => t?.close());

  const who = fc.constantFrom(...PEOPLE);
  const commands = fc.commands(
    [
      fc.constantFrom(...SUBMITTERS).map((w) => new Submit(w)),
      fc
        .tuple(
          who,
          fc.constantFrom('approve' as const, 'reject' as const, 'cancel' as const),
          fc.nat(20),
        )
        .map(([w, a, i]) => new Decide(w, a, i)),
      fc.nat(20).map((i) => new Expire(i)),
    ],
    { maxCommands: 25 },
  );

  it.each([1, 2, 3])(
    'holds for random sequences with %i approval(s) needed',
    async (required) => {
      await t
        .get(Transactions)
        .manager.update(Product, { code: 'OV_SSL' }, { approvalsRequired: required });
      await fc.assert(
        fc.asyncProperty(commands, async (cmds) => {
          await fc.asyncModelRun(
            () => ({ model: { requests: [], required }, real: { ...real, seq } }),
            cmds,
          );
        }),
        { numRuns: 25 },
      );
      expect(await t.get(AuditService).verify()).toMatchObject({ ok: true });
    },
    120_000,
  );
});
