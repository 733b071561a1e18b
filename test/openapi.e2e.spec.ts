import request from 'supertest';
import { toPem } from '../src/certificates/formats.js';
import { API_ROUTES } from '../src/openapi/api-routes.js';
import { Directory } from './support/directory.js';
import { DAY } from './support/fake-clock.js';
import { ApiContract, mappedRoutes } from './support/openapi.js';
import { PipelineFixture } from './support/pipeline.js';
import { submitRequest } from './support/requests.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { createTestPki, generateKeys } from './support/test-pki.js';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

// Calls a route and fails unless the response is what the served description says: status,
// content type and body. `path` is the route as described, `actual` the URL called.
function caller(t: TestApp, api: ApiContract, defaultBearer: string) {
  return async (
    method: Method,
    path: string,
    actual: string,
    body?: object,
    bearer: string | null = defaultBearer,
  ) => {
    let req = request(t.server)[method](actual);
    if (bearer) {
      req = req.set('Authorization', `Bearer ${bearer}`);
    }
    const res = await (body ? req.send(body) : req);
    api.check(res, method, path);
    return res;
  };
}

describe('the OpenAPI description', () => {
  let t: TestApp;
  let dir: Directory;
  let api: ApiContract;

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    const res = await request(t.server).get('/api/v1/openapi.json').expect(200);
    api = new ApiContract(res.body as Record<string, unknown>);
  });
  afterAll(() => t.close());

  it('is OpenAPI 3.1 and describes every JSON API route Nest has mapped', async () => {
    const res = await request(t.server).get('/api/v1/openapi.json').expect(200);
    expect(res.body.openapi).toBe('3.1.0');
    const mapped = mappedRoutes(t).filter((r) => r.split(' ')[1].startsWith('/api/v1/'));
    // The enumeration itself works (else this test could not fail).
    expect(mapped).toEqual(expect.arrayContaining(['get /api/v1/me', 'patch /api/v1/nrens/:id']));
    const described = API_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(mapped.filter((r) => !described.includes(r))).toEqual([]);
    expect(described.filter((r) => !mapped.includes(r))).toEqual([]);
  });

  it('renders the documentation page on the server, without scripts', async () => {
    const res = await request(t.server).get('/api/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).not.toMatch(/<script/i);
    for (const r of API_ROUTES) {
      expect(res.text).toContain(r.path.replace(/:(\w+)/g, '{$1}'));
    }
  });

  it('matches real responses: reads, writes, and problems', async () => {
    const call = caller(t, api, dir.admin);

    await call('get', '/api/v1/me', '/api/v1/me');
    expect((await call('get', '/api/v1/me', '/api/v1/me', undefined, null)).status).toBe(401);
    const created = await call('post', '/api/v1/tokens', '/api/v1/tokens', { name: 'contract' });
    expect(created.status).toBe(201);
    await call('get', '/api/v1/tokens', '/api/v1/tokens');
    expect(
      (await call('delete', '/api/v1/tokens/:id', `/api/v1/tokens/${created.body.id}`)).status,
    ).toBe(204);
    expect((await call('post', '/api/v1/tokens', '/api/v1/tokens', { name: '' })).status).toBe(422);

    const nren = await call('post', '/api/v1/nrens', '/api/v1/nrens', {
      name: 'Contract NREN',
      country: 'SE',
      contactEmail: 'ops@contract.example',
      defaultLanguage: 'sv',
      caProductIds: {},
    });
    expect(nren.status).toBe(201);
    await call('get', '/api/v1/nrens', '/api/v1/nrens');
    await call('get', '/api/v1/nrens/:id', `/api/v1/nrens/${nren.body.id}`);
    expect((await call('get', '/api/v1/nrens/:id', '/api/v1/nrens/99999')).status).toBe(404);
    await call('patch', '/api/v1/nrens/:id', `/api/v1/nrens/${nren.body.id}`, {
      contactEmail: 'noc@contract.example',
      version: nren.body.version,
    });

    const org = await call('post', '/api/v1/organisations', '/api/v1/organisations', {
      nrenId: nren.body.id,
      name: 'Contract University',
      streetAddress: '1 Road',
      locality: 'Lund',
      country: 'SE',
      certificateContacts: [],
      allowedProducts: ['OV_SSL'],
    });
    expect(org.status).toBe(201);
    await call('get', '/api/v1/organisations', '/api/v1/organisations');
    await call('get', '/api/v1/organisations/:id', `/api/v1/organisations/${org.body.id}`);
    await call('patch', '/api/v1/organisations/:id', `/api/v1/organisations/${org.body.id}`, {
      locality: 'Malmö',
      version: org.body.version,
    });
    const stale = await call(
      'patch',
      '/api/v1/organisations/:id',
      `/api/v1/organisations/${org.body.id}`,
      { locality: 'Lund', version: org.body.version },
    );
    expect(stale.status).toBe(409);

    const dept = await call(
      'post',
      '/api/v1/organisations/:id/departments',
      `/api/v1/organisations/${org.body.id}/departments`,
      { name: 'Physics' },
    );
    await call(
      'get',
      '/api/v1/organisations/:id/departments',
      `/api/v1/organisations/${org.body.id}/departments`,
    );
    await call('get', '/api/v1/departments/:id', `/api/v1/departments/${dept.body.id}`);
    await call('patch', '/api/v1/departments/:id', `/api/v1/departments/${dept.body.id}`, {
      name: 'Physics and Astronomy',
      version: dept.body.version,
    });

    const domain = await call(
      'post',
      '/api/v1/organisations/:id/domains',
      `/api/v1/organisations/${org.body.id}/domains`,
      { name: 'contract.example.org', wildcardsAllowed: false },
    );
    expect(domain.status).toBe(201);
    await call(
      'get',
      '/api/v1/organisations/:id/domains',
      `/api/v1/organisations/${org.body.id}/domains`,
    );
    const detail = await call('get', '/api/v1/domains/:id', `/api/v1/domains/${domain.body.id}`);
    await call('patch', '/api/v1/domains/:id', `/api/v1/domains/${domain.body.id}`, {
      departmentIds: [dept.body.id],
      version: detail.body.version,
    });
    const manual = await call(
      'post',
      '/api/v1/domains/:id/manual-validation',
      `/api/v1/domains/${domain.body.id}/manual-validation`,
      { note: '', version: 0 },
    );
    expect(manual.status).toBe(422);

    const invited = await call('post', '/api/v1/invitations', '/api/v1/invitations', {
      email: 'rao@contract.example',
      role: 'rao',
      scopeId: org.body.id,
    });
    expect(invited.status).toBe(201);
    await call('get', '/api/v1/invitations', `/api/v1/invitations?organisationId=${org.body.id}`);
    await call('get', '/api/v1/people', `/api/v1/people?organisationId=${org.body.id}`);

    const outbox = await call('get', '/api/v1/outbox', '/api/v1/outbox');
    await call('get', '/api/v1/outbox/:id', `/api/v1/outbox/${outbox.body.items[0].id}`);
    await call('get', '/api/v1/requests', '/api/v1/requests');
    await call('get', '/api/v1/certificates', '/api/v1/certificates');
    expect(
      (await call('get', '/api/v1/certificates/:id', '/api/v1/certificates/99999')).status,
    ).toBe(404);
    const badCsr = await call('post', '/api/v1/csr/check', '/api/v1/csr/check', {
      departmentId: dept.body.id,
      product: 'OV_SSL',
      csr: 'not a CSR',
    });
    expect([200, 422]).toContain(badCsr.status);
    const refused = await call('post', '/api/v1/requests', '/api/v1/requests', {
      departmentId: dept.body.id,
      product: 'OV_SSL',
      csr: 'not a CSR',
    });
    expect(refused.status).toBe(422);
    const unknown = await call(
      'post',
      '/api/v1/requests/:id/:action',
      '/api/v1/requests/99999/cancel',
      { version: 1 },
    );
    expect(unknown.status).toBe(404);
  });
});

// The routes of the certificate's life, called with real data: a request submitted, approved in
// bulk, ordered and collected through the simulated CA over HTTPS, then its reminders, a
// renewal, a replacement, a revocation; an order of unknown outcome reconciled both ways;
// approval settings and substitutes; certificates imported. Every response is checked against
// the published description, so a serialiser that drifts from it fails here.
describe('the OpenAPI description of the pipeline routes', () => {
  let t: TestApp;
  let fx: PipelineFixture;
  let api: ApiContract;

  beforeAll(async () => {
    t = await createTestApp();
    fx = await new PipelineFixture(t).init('OAPI');
    const res = await request(t.server).get('/api/v1/openapi.json').expect(200);
    api = new ApiContract(res.body as Record<string, unknown>);
  }, 60_000);
  afterAll(() => t?.close());

  it('matches real responses of approvals, substitutes and bulk approval', async () => {
    const call = caller(t, api, fx.rao.token);
    const admin = fx.dir.admin;
    const org = await call('get', '/api/v1/organisations/:id', `/api/v1/organisations/${fx.orgId}`);
    const self = await call(
      'put',
      '/api/v1/organisations/:id/self-approval',
      `/api/v1/organisations/${fx.orgId}/self-approval`,
      { enabled: true, version: org.body.version },
      admin,
    );
    expect(self.body).toMatchObject({ id: fx.orgId, selfApprovalAllowed: true });
    const stale = await call(
      'put',
      '/api/v1/organisations/:id/self-approval',
      `/api/v1/organisations/${fx.orgId}/self-approval`,
      { enabled: false, version: org.body.version },
      admin,
    );
    expect(stale.status).toBe(409);
    const dept = await call('get', '/api/v1/departments/:id', `/api/v1/departments/${fx.deptId}`);
    const auto = await call(
      'put',
      '/api/v1/departments/:id/auto-approval',
      `/api/v1/departments/${fx.deptId}/auto-approval`,
      { enabled: false, version: dept.body.version },
    );
    expect(auto.body).toMatchObject({ id: fx.deptId, autoApprove: false });

    const submitted = await submitRequest(t, fx.requester.token, fx.deptId, fx.csr());
    const bulk = await call(
      'post',
      '/api/v1/requests/approve-many',
      '/api/v1/requests/approve-many',
      {
        requests: [{ id: submitted.id, version: submitted.version }, { id: 2147483647 }],
      },
    );
    expect(bulk.body.results).toEqual([
      expect.objectContaining({ id: submitted.id, ok: true, status: 'approved' }),
      expect.objectContaining({ id: 2147483647, ok: false, code: 'not_found' }),
    ]);
    const refused = await call(
      'post',
      '/api/v1/requests/approve-many',
      '/api/v1/requests/approve-many',
      {
        requests: [],
      },
    );
    expect(refused.status).toBe(422);

    const colleague = await fx.dir.person(`rao2@${fx.domain}`, 'rao', fx.orgId);
    const appointed = await call('post', '/api/v1/substitutes', '/api/v1/substitutes', {
      substitute: `rao2@${fx.domain}`,
      endsAt: new Date(t.clock.now().getTime() + 7 * DAY).toISOString(),
    });
    expect(appointed.status).toBe(201);
    expect(appointed.body.substitute.id).toBe(colleague.id);
    const listed = await call('get', '/api/v1/substitutes', '/api/v1/substitutes');
    expect(listed.body.items).toHaveLength(1);
    const seenByThem = await call(
      'get',
      '/api/v1/substitutes',
      '/api/v1/substitutes',
      undefined,
      colleague.token,
    );
    expect(seenByThem.body.items.map((s: { id: number }) => s.id)).toEqual([appointed.body.id]);
    const ended = await call(
      'post',
      '/api/v1/substitutes/:id/end',
      `/api/v1/substitutes/${appointed.body.id}/end`,
    );
    expect(ended.status).toBe(204);
  });

  it('matches real responses of a certificate from order to revocation, with reminders and renewals', async () => {
    const call = caller(t, api, fx.rao.token);
    const { certificateId, requestId } = await fx.issued();
    const list = await call('get', '/api/v1/certificates', '/api/v1/certificates');
    expect(list.body.items.map((c: { requestId: number }) => c.requestId)).toContain(requestId);
    const detail = await call(
      'get',
      '/api/v1/certificates/:id',
      `/api/v1/certificates/${certificateId}`,
    );
    expect(detail.body).toMatchObject({ state: 'valid', source: 'ordered', requestId });

    await call(
      'get',
      '/api/v1/certificates/:id/reminders',
      `/api/v1/certificates/${certificateId}/reminders`,
    );
    await call(
      'get',
      '/api/v1/certificates/:id/reminder-settings',
      `/api/v1/certificates/${certificateId}/reminder-settings`,
    );
    const muted = await call(
      'put',
      '/api/v1/certificates/:id/reminder-settings',
      `/api/v1/certificates/${certificateId}/reminder-settings`,
      { muted: true, extraAddresses: ['noc@example.org'] },
      fx.dir.admin,
    );
    expect(muted.body).toMatchObject({ muted: true, extraAddresses: ['noc@example.org'] });
    expect(muted.body.mutedAt).toEqual(expect.any(String));

    const renewed = await call(
      'post',
      '/api/v1/certificates/:id/renew',
      `/api/v1/certificates/${certificateId}/renew`,
      { csr: fx.csr() },
      fx.requester.token,
    );
    expect(renewed.status).toBe(201);
    expect(renewed.body).toMatchObject({
      replacesCertificateId: certificateId,
      replacesHow: 'renew',
    });
    const replaced = await call(
      'post',
      '/api/v1/certificates/:id/renew',
      `/api/v1/certificates/${certificateId}/renew`,
      { csr: 'not a CSR', replace: true },
      fx.requester.token,
    );
    expect(replaced.status).toBe(422);

    const revoked = await call(
      'post',
      '/api/v1/certificates/:id/revoke',
      `/api/v1/certificates/${certificateId}/revoke`,
      { reason: 'cessationOfOperation' },
    );
    expect(revoked.body).toMatchObject({
      id: certificateId,
      state: 'revoked',
      revocationReason: 'cessationOfOperation',
    });
    const again = await call(
      'post',
      '/api/v1/certificates/:id/revoke',
      `/api/v1/certificates/${certificateId}/revoke`,
      { reason: 'cessationOfOperation' },
    );
    expect(again.status).toBe(409);
    const denied = await call(
      'post',
      '/api/v1/certificates/:id/revoke',
      `/api/v1/certificates/${certificateId}/revoke`,
      { reason: 'unspecified' },
      fx.requester.token,
    );
    expect(denied.status).toBe(403);
  });

  it('matches real responses of reconciliation: the list, an order number entered, a re-send', async () => {
    const call = caller(t, api, fx.rao.token);
    const lost: number[] = [];
    for (let i = 0; i < 2; i++) {
      fx.sim.addFault('order', 'drop', 1);
      lost.push(await fx.approved());
      await fx.order$();
    }
    const list = await call('get', '/api/v1/reconciliation', '/api/v1/reconciliation');
    const items = list.body.items as { requestId: number; version: number }[];
    expect(items.map((i) => i.requestId).sort()).toEqual([...lost].sort());
    expect(list.body.items[0].order.lastOutcome.message).toEqual(expect.any(String));
    // A requester reconciles nothing: an empty list, described as such.
    const none = await call(
      'get',
      '/api/v1/reconciliation',
      '/api/v1/reconciliation',
      undefined,
      fx.requester.token,
    );
    expect(none.body.items).toEqual([]);

    const [first, second] = lost.map((id) => items.find((i) => i.requestId === id)!);
    const [orderNumber] = await fx.sim.orderNumbersFor(String(first.requestId));
    const recorded = await call(
      'post',
      '/api/v1/reconciliation/:id/order-number',
      `/api/v1/reconciliation/${first.requestId}/order-number`,
      { version: first.version, orderNumber, reason: 'found at the CA' },
    );
    expect(recorded.body).toMatchObject({ requestId: first.requestId, status: 'ordered' });
    const stale = await call(
      'post',
      '/api/v1/reconciliation/:id/order-number',
      `/api/v1/reconciliation/${first.requestId}/order-number`,
      { version: first.version, orderNumber },
    );
    expect(stale.status).toBe(409);
    const resent = await call(
      'post',
      '/api/v1/reconciliation/:id/resend',
      `/api/v1/reconciliation/${second.requestId}/resend`,
      { version: second.version, reason: 'not at the CA' },
    );
    expect(resent.body).toMatchObject({ requestId: second.requestId });
    const unknown = await call(
      'post',
      '/api/v1/reconciliation/:id/resend',
      '/api/v1/reconciliation/2147483647/resend',
      { version: 1 },
    );
    expect(unknown.status).toBe(404);
  });

  it('matches real responses of an import', async () => {
    const call = caller(t, api, fx.rao.token);
    const pki = await createTestPki();
    const leaf = await pki.issue({
      publicKey: (await generateKeys()).publicKey,
      names: [`imported.${fx.domain}`],
      notBefore: new Date(t.clock.now().getTime() - DAY),
      days: 90,
    });
    const res = await call('post', '/api/v1/certificates/import', '/api/v1/certificates/import', {
      departmentId: fx.deptId,
      files: [
        { name: 'leaf.pem', content: toPem(leaf) },
        { name: 'again.pem', content: toPem(leaf) },
        { name: 'notes.txt', content: 'not a certificate' },
      ],
    });
    expect(res.body.imported).toBe(1);
    expect(res.body.items.map((i: { outcome: string }) => i.outcome)).toEqual([
      'imported',
      'duplicate',
      'refused',
    ]);
  });
});
