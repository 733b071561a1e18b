import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { loadDcvConfig } from '../src/config/dcv.config.js';
import { DcvChecker } from '../src/domains/dcv/dcv-checker.js';
import { DcvModule } from '../src/domains/dcv/dcv.module.js';
import { TestDnsServer } from './support/dns-server.js';
import { TestHttpSite } from './support/http-site.js';

const DOMAIN = 'uni.example.org';
const ZONE = 'dcv.tcs-ra.invalid';

function newToken(): string {
  return randomBytes(16).toString('hex');
}

function wellKnown(token: string): string {
  return `/.well-known/pki-validation/tcs-ra-${token}.txt`;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, performance.now() - start];
}

describe('domain control validation against real DNS and HTTP servers', () => {
  let dns: TestDnsServer;
  let site: TestHttpSite;
  let checker: DcvChecker;
  let token: string;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    site = await TestHttpSite.start();
    checker = new DcvChecker(
      loadDcvConfig({
        DCV_DNS_SERVERS: dns.address,
        DCV_HTTP_PORT: String(site.port),
        DCV_ALLOW_PRIVATE_ADDRESSES: 'true',
        DCV_TIMEOUT: '3',
      }),
    );
  });

  afterAll(async () => {
    await site.close();
    await dns.close();
  });

  beforeEach(() => {
    token = newToken();
    dns.zone.clear();
    dns.mode = 'answer';
    site.clear();
    dns.set(DOMAIN, { A: ['127.0.0.1'] });
  });

  describe('dns-txt', () => {
    const name = `_tcs-ra-challenge.${DOMAIN}`;

    it('finds the record', async () => {
      dns.set(name, { TXT: [`tcs-ra-validation=${token}`] });
      expect(await checker.check('dns-txt', DOMAIN, token)).toEqual({
        ok: true,
        code: 'found',
        detail: `TXT ${name}: "tcs-ra-validation=${token}"`,
      });
    });

    it('finds the matching one among several records', async () => {
      dns.set(name, {
        TXT: ['v=spf1 -all', `tcs-ra-validation=${newToken()}`, `tcs-ra-validation=${token}`],
      });
      expect(await checker.check('dns-txt', DOMAIN, token)).toMatchObject({
        ok: true,
        code: 'found',
      });
    });

    it('joins a record made of several strings', async () => {
      dns.set(name, { TXT: [['tcs-ra-', 'validation=', token.slice(0, 10), token.slice(10)]] });
      expect(await checker.check('dns-txt', DOMAIN, token)).toMatchObject({ code: 'found' });
    });

    it('reports a wrong value with the values it saw', async () => {
      const other = newToken();
      dns.set(name, { TXT: [`tcs-ra-validation=${other}`, 'hello'] });
      const result = await checker.check('dns-txt', DOMAIN, token);
      expect(result).toMatchObject({ ok: false, code: 'value-mismatch' });
      expect(result.detail).toContain(`"tcs-ra-validation=${other}", "hello"`);
      expect(result.detail).toContain(`expected "tcs-ra-validation=${token}"`);
    });

    it('reports a name without TXT records as missing', async () => {
      dns.set(name, { A: ['192.0.2.1'] });
      expect(await checker.check('dns-txt', DOMAIN, token)).toMatchObject({
        ok: false,
        code: 'record-missing',
      });
    });

    it('reports a name that does not exist as NXDOMAIN, and finds it once published', async () => {
      expect(await checker.check('dns-txt', DOMAIN, token)).toMatchObject({
        ok: false,
        code: 'nxdomain',
        detail: `TXT ${name}: the name does not exist (NXDOMAIN)`,
      });
      dns.set(name, { TXT: [`tcs-ra-validation=${token}`] });
      expect(await checker.check('dns-txt', DOMAIN, token)).toMatchObject({ code: 'found' });
    });

    it('reports a failing DNS server', async () => {
      dns.mode = 'servfail';
      const result = await checker.check('dns-txt', DOMAIN, token);
      expect(result).toMatchObject({ ok: false, code: 'dns-error' });
      expect(result.detail).toMatch(/SERVFAIL/);
    });
  });

  describe('dns-cname', () => {
    it('finds the record', async () => {
      dns.set(`_${token}.${DOMAIN}`, { CNAME: `${token}.${ZONE}` });
      expect(await checker.check('dns-cname', DOMAIN, token)).toEqual({
        ok: true,
        code: 'found',
        detail: `CNAME _${token}.${DOMAIN} -> "${token}.${ZONE}"`,
      });
    });

    it('accepts a target written in upper case with a trailing dot', async () => {
      dns.set(`_${token}.${DOMAIN}`, { CNAME: `${token.toUpperCase()}.${ZONE.toUpperCase()}.` });
      expect(await checker.check('dns-cname', DOMAIN, token)).toMatchObject({
        ok: true,
        code: 'found',
      });
    });

    it('reports the target it saw when it is wrong', async () => {
      dns.set(`_${token}.${DOMAIN}`, { CNAME: `${token}.dcv.elsewhere.example` });
      const result = await checker.check('dns-cname', DOMAIN, token);
      expect(result).toMatchObject({ ok: false, code: 'value-mismatch' });
      expect(result.detail).toContain(`-> "${token}.dcv.elsewhere.example"; expected`);
    });

    it('reports a name without a CNAME as missing, and a name that does not exist as NXDOMAIN', async () => {
      dns.set(`_${token}.${DOMAIN}`, { TXT: ['something else'] });
      expect(await checker.check('dns-cname', DOMAIN, token)).toMatchObject({
        code: 'record-missing',
      });
      dns.delete(`_${token}.${DOMAIN}`);
      expect(await checker.check('dns-cname', DOMAIN, token)).toMatchObject({ code: 'nxdomain' });
    });
  });

  describe('http', () => {
    it('finds the file with a trailing newline, asking for the domain by name', async () => {
      site.set(DOMAIN, wellKnown(token), { body: `${token}\n` });
      expect(await checker.check('http', DOMAIN, token)).toEqual({
        ok: true,
        code: 'found',
        detail: `HTTP 200 from http://${DOMAIN}${wellKnown(token)}`,
      });
      expect(site.requests).toEqual([{ host: DOMAIN, path: wellKnown(token) }]);
    });

    it('reaches the site through a CNAME', async () => {
      dns.set(DOMAIN, { CNAME: 'web.hosting.example' });
      dns.set('web.hosting.example', { A: ['127.0.0.1'] });
      site.set(DOMAIN, wellKnown(token), { body: token });
      expect(await checker.check('http', DOMAIN, token)).toMatchObject({ code: 'found' });
    });

    it('connects to the AAAA address when there is no A record', async () => {
      // The site listens on 127.0.0.1 only: the attempt on ::1 shows which address was used.
      dns.set(DOMAIN, { AAAA: ['::1'] });
      const result = await checker.check('http', DOMAIN, token);
      expect(result).toMatchObject({ ok: false, code: 'http-error' });
      expect(result.detail).toContain(' at ::1: ');
    });

    it('reports a 404 with the status and the start of the body', async () => {
      const result = await checker.check('http', DOMAIN, token);
      expect(result).toMatchObject({ ok: false, code: 'http-status' });
      expect(result.detail).toContain('HTTP 404');
      expect(result.detail).toContain('"Not Found\\n"');
    });

    it('reports other content with the first 200 characters of the body', async () => {
      site.set(DOMAIN, wellKnown(token), { body: `<html>${'x'.repeat(300)}</html>` });
      const result = await checker.check('http', DOMAIN, token);
      expect(result).toMatchObject({ ok: false, code: 'http-content-mismatch' });
      expect(result.detail).toContain(`"<html>${'x'.repeat(194)}…"`);
      expect(result.detail).toContain(`expected "${token}"`);
    });

    it('does not accept the token inside a body over 64 KiB', async () => {
      site.set(DOMAIN, wellKnown(token), { body: `${token}${' '.repeat(70 * 1024)}` });
      const result = await checker.check('http', DOMAIN, token);
      expect(result).toMatchObject({ ok: false, code: 'http-content-mismatch' });
      expect(result.detail).toContain('more than 65536 bytes');
    });

    it('follows redirects within the domain and its subdomains', async () => {
      dns.set(`www.${DOMAIN}`, { A: ['127.0.0.1'] });
      site.set(DOMAIN, wellKnown(token), { redirect: '/dcv/token.txt', status: 301 });
      site.set(DOMAIN, '/dcv/token.txt', {
        redirect: `http://www.${DOMAIN}/token.txt`,
        status: 308,
      });
      site.set(`www.${DOMAIN}`, '/token.txt', { body: ` ${token}\r\n` });
      const result = await checker.check('http', DOMAIN, token);
      expect(result).toMatchObject({ ok: true, code: 'found' });
      expect(result.detail).toContain(`from http://www.${DOMAIN}/token.txt (redirected from`);
      expect(site.requests.map((r) => `${r.host}${r.path}`)).toEqual([
        `${DOMAIN}${wellKnown(token)}`,
        `${DOMAIN}/dcv/token.txt`,
        `www.${DOMAIN}/token.txt`,
      ]);
    });

    it('refuses a redirect to another domain without following it', async () => {
      dns.set('example.net', { A: ['127.0.0.1'] });
      site.set(DOMAIN, wellKnown(token), { redirect: `http://example.net${wellKnown(token)}` });
      site.set('example.net', wellKnown(token), { body: token });
      const result = await checker.check('http', DOMAIN, token);
      expect(result).toMatchObject({ ok: false, code: 'redirect-refused' });
      expect(result.detail).toContain(`outside ${DOMAIN}`);
      expect(site.requests).toHaveLength(1);
    });

    it('refuses a redirect to a port other than 80 and 443, and a 303', async () => {
      site.set(DOMAIN, wellKnown(token), { redirect: `http://${DOMAIN}:8080/x` });
      expect(await checker.check('http', DOMAIN, token)).toMatchObject({
        code: 'redirect-refused',
      });
      site.set(DOMAIN, wellKnown(token), { redirect: '/x', status: 303 });
      const result = await checker.check('http', DOMAIN, token);
      expect(result).toMatchObject({ code: 'redirect-refused' });
      expect(result.detail).toContain('HTTP 303');
    });

    it('gives up on a redirect loop after three redirects', async () => {
      site.set(DOMAIN, wellKnown(token), { redirect: '/a' });
      site.set(DOMAIN, '/a', { redirect: '/b' });
      site.set(DOMAIN, '/b', { redirect: wellKnown(token) });
      const result = await checker.check('http', DOMAIN, token);
      expect(result).toMatchObject({ ok: false, code: 'too-many-redirects' });
      expect(site.requests).toHaveLength(4);
    });

    it('reports a domain without an address, and one that does not exist', async () => {
      dns.set(DOMAIN, { TXT: ['no address here'] });
      expect(await checker.check('http', DOMAIN, token)).toMatchObject({
        code: 'record-missing',
        detail: `no A or AAAA record for ${DOMAIN}`,
      });
      dns.delete(DOMAIN);
      expect(await checker.check('http', DOMAIN, token)).toMatchObject({ code: 'nxdomain' });
    });

    it('refuses to fetch from a private or loopback address unless allowed', async () => {
      const strict = new DcvChecker(
        loadDcvConfig({ DCV_DNS_SERVERS: dns.address, DCV_HTTP_PORT: String(site.port) }),
      );
      dns.set(DOMAIN, { A: ['127.0.0.1'] });
      site.set(DOMAIN, wellKnown(token), { body: token });
      const result = await strict.check('http', DOMAIN, token);
      expect(result).toMatchObject({ ok: false, code: 'address-refused' });
      expect(result.detail).toContain('Loopback');
      expect(site.requests).not.toContainEqual(
        expect.objectContaining({ host: expect.stringContaining(DOMAIN), path: wellKnown(token) }),
      );
      // Neither an IPv4-compatible IPv6 address nor a site-local one gets past.
      for (const address of ['::127.0.0.1', 'fec0::1']) {
        dns.set(DOMAIN, { AAAA: [address] });
        expect(await strict.check('http', DOMAIN, token)).toMatchObject({
          ok: false,
          code: 'address-refused',
          detail: expect.stringContaining(`${DOMAIN} resolves to`),
        });
      }
    });

    it('reports a refused connection', async () => {
      const refusing = new DcvChecker(
        loadDcvConfig({
          DCV_DNS_SERVERS: dns.address,
          DCV_HTTP_PORT: String(await closedPort()),
          DCV_ALLOW_PRIVATE_ADDRESSES: 'true',
        }),
      );
      const result = await refusing.check('http', DOMAIN, token);
      expect(result).toMatchObject({ ok: false, code: 'http-error' });
      expect(result.detail).toContain('ECONNREFUSED');
    });
  });

  describe('timeouts', () => {
    let quick: DcvChecker;
    beforeAll(() => {
      quick = new DcvChecker(
        loadDcvConfig({
          DCV_DNS_SERVERS: dns.address,
          DCV_HTTP_PORT: String(site.port),
          DCV_ALLOW_PRIVATE_ADDRESSES: 'true',
          DCV_TIMEOUT: '0.4',
        }),
      );
    });

    it('stops waiting for a web server that never answers', async () => {
      site.set(DOMAIN, wellKnown(token), { hang: true });
      const [result, ms] = await timed(() => quick.check('http', DOMAIN, token));
      expect(result).toMatchObject({ ok: false, code: 'timeout' });
      expect(result.detail).toContain(`no answer within 0.4 s (GET http://${DOMAIN}`);
      expect(ms).toBeLessThan(1500);
    });

    it.each(['dns-txt', 'dns-cname', 'http'] as const)(
      'stops waiting for a DNS server that never answers (%s)',
      async (method) => {
        dns.mode = 'silent';
        const [result, ms] = await timed(() => quick.check(method, DOMAIN, token));
        expect(result).toMatchObject({ ok: false, code: 'timeout' });
        expect(ms).toBeLessThan(1500);
        expect(dns.queries.length).toBeGreaterThan(0);
      },
    );
  });
});

describe('DcvModule', () => {
  it('provides the checker with its configuration', async () => {
    const saved = process.env.DCV_CNAME_ZONE;
    process.env.DCV_CNAME_ZONE = 'dcv.nren.example';
    try {
      const moduleRef = await Test.createTestingModule({ imports: [DcvModule] }).compile();
      const token = newToken();
      expect(moduleRef.get(DcvChecker).challengeFor('dns-cname', DOMAIN, token).recordValue).toBe(
        `${token}.dcv.nren.example`,
      );
      await moduleRef.close();
    } finally {
      if (saved === undefined) {
        delete process.env.DCV_CNAME_ZONE;
      } else {
        process.env.DCV_CNAME_ZONE = saved;
      }
    }
  });
});
