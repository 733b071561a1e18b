import { Directory } from './support/directory.js';
import { createTestApp, type TestApp } from './support/test-app.js';

describe('the product catalogue', () => {
  let t: TestApp;
  let dir: Directory;
  let nrenAdmin: { token: string };
  let rao: { token: string };

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    const nren = await dir.nren('CESNET');
    const org = await dir.organisation(nren.id, 'Masaryk University');
    nrenAdmin = await dir.person('admin@cesnet.example', 'nren-admin', nren.id);
    rao = await dir.person('rao@muni.example', 'rao', org.id);
  });
  afterAll(() => t.close());

  it('lets an NREN administrator change a product, refusing stale and invalid changes', async () => {
    const products = (await dir.api('get', '/products', undefined, rao.token)).body as {
      id: number;
      code: string;
      version: number;
    }[];
    const igtf = products.find((p) => p.code === 'IGTF_MULTI')!;
    const changed = await dir.api(
      'patch',
      `/products/${igtf.id}`,
      { version: igtf.version, maxNames: 50, caProductId: 7788 },
      nrenAdmin.token,
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      code: 'IGTF_MULTI',
      maxNames: 50,
      caProductId: 7788,
      validityTerms: [395],
    });
    const stale = await dir.api(
      'patch',
      `/products/${igtf.id}`,
      { version: igtf.version, maxNames: 60 },
      nrenAdmin.token,
    );
    expect(stale.status).toBe(409);
    const bad = await dir.api(
      'patch',
      `/products/${igtf.id}`,
      { version: changed.body.version, validityTerms: 'forever' },
      nrenAdmin.token,
    );
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ field: 'validityTerms.0', code: 'validity_term_invalid' }),
    ]);
  });

  it('adds a product, with a unique code', async () => {
    const body = {
      code: 'ov_ssl_2y',
      name: 'OV SSL (two terms)',
      kind: 'tls',
      maxNames: 2,
      validityTerms: [199, 99],
      active: true,
    };
    const created = await dir.api('post', '/products', body, nrenAdmin.token);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ code: 'OV_SSL_2Y', validityTerms: [199, 99] });
    const again = await dir.api('post', '/products', body, nrenAdmin.token);
    expect(again.body.errors).toEqual([
      expect.objectContaining({ field: 'code', code: 'name_taken' }),
    ]);
  });

  it('is read-only for an RAO', async () => {
    const p = (await dir.api('get', '/products', undefined, rao.token)).body[0];
    expect(
      (await dir.api('patch', `/products/${p.id}`, { version: p.version, maxNames: 3 }, rao.token))
        .status,
    ).toBe(404);
    expect(
      (
        await dir.api(
          'post',
          '/products',
          { code: 'X', name: 'X', kind: 'tls', maxNames: 1, validityTerms: [1] },
          rao.token,
        )
      ).status,
    ).toBe(404);
  });
});
