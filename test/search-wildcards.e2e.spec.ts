import { Directory } from './support/directory.js';
import { createTestApp, type TestApp } from './support/test-app.js';

// Search terms are taken literally on both dialects: `_`, `%`, `\` and `!` find themselves,
// and match nothing else.
describe('search with LIKE wildcards in the term', () => {
  let t: TestApp;
  let dir: Directory;

  beforeAll(async () => {
    t = await createTestApp();
    dir = await new Directory(t).init();
    for (const name of [
      'NET_ONE',
      'NETXONE',
      '100% NET',
      '100X NET',
      'BACK\\NET',
      'BACKNET',
      'BANG!NET',
    ]) {
      await dir.create('/nrens', {
        name,
        country: 'NL',
        contactEmail: 'ops@nren.example',
        defaultLanguage: 'en',
        caProductIds: {},
      });
    }
  });
  afterAll(() => t.close());

  it.each([
    ['_', ['NET_ONE']],
    ['NET_O', ['NET_ONE']],
    ['%', ['100% NET']],
    ['0% N', ['100% NET']],
    ['\\', ['BACK\\NET']],
    ['K\\N', ['BACK\\NET']],
    ['!', ['BANG!NET']],
    ['NETXONE', ['NETXONE']],
  ])('%s finds %j', async (q, names) => {
    const res = await dir.api('get', `/nrens?q=${encodeURIComponent(q)}`);
    expect(res.status).toBe(200);
    expect((res.body.items as { name: string }[]).map((n) => n.name).sort()).toEqual(names);
  });
});
