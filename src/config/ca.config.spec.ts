import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCaConfig, parseSimFaults } from './ca.config.js';
import { configProblems } from './env.js';

describe('CA configuration', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'ra-ca-config-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to the built-in simulator with bounded timeouts and retries', () => {
    const c = loadCaConfig({ DATA_DIR: dir });
    expect(c.url).toBeNull();
    expect(c.simulator.dir).toBe(join(dir, 'sim-ca'));
    expect(c).toMatchObject({
      connectTimeoutMs: 10_000,
      replyTimeoutMs: 60_000,
      testOrders: false,
      retry: { attempts: 4, baseDelayMs: 1_000, maxDelayMs: 30_000 },
    });
    expect(c.simulator.slowMs).toBeGreaterThan(c.replyTimeoutMs);
  });

  it('keeps the path of CA_URL, adding the trailing slash endpoint names resolve against', () => {
    const c = loadCaConfig({ DATA_DIR: dir, CA_URL: 'https://ca.example.net/products' });
    expect(new URL('!AutoApplySSL', c.url!).toString()).toBe(
      'https://ca.example.net/products/!AutoApplySSL',
    );
  });

  it('reads CA_TLS_CA_FILE at start', () => {
    const file = join(dir, 'ca.pem');
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const c = loadCaConfig({ CA_URL: 'https://ca.example.net/products/', CA_TLS_CA_FILE: file });
    expect(c.tlsCaPem).toContain('BEGIN CERTIFICATE');
  });

  it.each([
    [{ CA_URL: 'http://ca.example.net/products/' }, 'CA_URL: must be an https:// URL'],
    [{ CA_URL: 'https://x/', CA_TLS_CA_FILE: '/nonexistent/ca.pem' }, 'CA_TLS_CA_FILE:'],
    [{ CA_TLS_CA_FILE: '/etc/hostname' }, 'CA_TLS_CA_FILE: only applies with CA_URL'],
    [{ CA_REPLY_TIMEOUT_MS: '0' }, 'CA_REPLY_TIMEOUT_MS: must be greater than zero'],
    [{ CA_CONNECT_TIMEOUT_MS: 'soon' }, 'CA_CONNECT_TIMEOUT_MS: must be a number'],
    [{ CA_TEST_ORDERS: 'maybe' }, 'CA_TEST_ORDERS: must be true or false'],
    [{ CA_RETRY_ATTEMPTS: '50' }, 'CA_RETRY_ATTEMPTS: must be at most 10'],
    [{ CA_RETRY_BASE_DELAY_MS: '5000', CA_RETRY_MAX_DELAY_MS: '100' }, 'CA_RETRY_MAX_DELAY_MS:'],
    [{ CA_SIM_FAULTS: 'order:explode' }, "CA_SIM_FAULTS: 'order:explode' is not"],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(configProblems(() => loadCaConfig({ DATA_DIR: dir, ...env })).join('\n')).toContain(
      message,
    );
  });

  it('reads simulator faults per operation, with a count or for good', () => {
    expect(parseSimFaults('order:drop*1, collect:http-500,revoke:-16*2')).toEqual([
      { operation: 'order', kind: 'drop', times: 1 },
      { operation: 'collect', kind: 'http-500', times: Infinity },
      { operation: 'revoke', kind: { code: -16 }, times: 2 },
    ]);
  });
});
