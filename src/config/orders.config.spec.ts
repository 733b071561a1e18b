import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configProblems } from './env.js';
import { loadOrdersConfig } from './orders.config.js';

describe('ordering configuration', () => {
  it('polls from a minute to four hours and retries orders from a minute to an hour by default', () => {
    expect(loadOrdersConfig({})).toEqual({
      pollMinSeconds: 60,
      pollMaxSeconds: 14_400,
      retryMinSeconds: 60,
      retryMaxSeconds: 3_600,
      issuerRootsPem: null,
    });
  });

  it.each([
    [{ CA_POLL_MIN_SECONDS: '0' }, 'CA_POLL_MIN_SECONDS: must be greater than zero'],
    [{ CA_POLL_MAX_SECONDS: '90000' }, 'CA_POLL_MAX_SECONDS: must be at most 86400 seconds'],
    [
      { CA_POLL_MIN_SECONDS: '600', CA_POLL_MAX_SECONDS: '300' },
      'CA_POLL_MAX_SECONDS: must not be less than CA_POLL_MIN_SECONDS',
    ],
    [
      { CA_ORDER_RETRY_MIN_SECONDS: '120', CA_ORDER_RETRY_MAX_SECONDS: '60' },
      'CA_ORDER_RETRY_MAX_SECONDS: must not be less than CA_ORDER_RETRY_MIN_SECONDS',
    ],
    [
      { CA_ISSUER_ROOTS_FILE: '/no/such/file.pem' },
      'CA_ISSUER_ROOTS_FILE: /no/such/file.pem does not exist',
    ],
  ])('refuses %o', (env, problem) => {
    expect(configProblems(() => loadOrdersConfig(env))).toEqual([problem]);
  });

  it('reads the issuer roots file once, and refuses one without a certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ra-orders-config-'));
    try {
      const empty = join(dir, 'empty.pem');
      writeFileSync(empty, 'nothing here');
      expect(configProblems(() => loadOrdersConfig({ CA_ISSUER_ROOTS_FILE: empty }))).toEqual([
        `CA_ISSUER_ROOTS_FILE: ${empty} holds no PEM certificate`,
      ]);
      const roots = join(dir, 'roots.pem');
      writeFileSync(roots, '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n');
      expect(loadOrdersConfig({ CA_ISSUER_ROOTS_FILE: roots }).issuerRootsPem).toContain(
        'BEGIN CERTIFICATE',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
