import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { CaClient, type CaIssued } from '../src/ca/ca-client.js';
import { CaConnection } from '../src/ca/ca-connection.js';
import { createTestApp } from './support/test-app.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

async function csrPem(name: string): Promise<string> {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${name}`,
    keys,
    signingAlgorithm: alg,
  });
  return csr.toString('pem');
}

describe('the built-in simulated CA', () => {
  it('starts with the app when no CA_URL is set, says so on every page, and issues through the adapter', async () => {
    const first = await createTestApp({ env: { CA_SIM_ISSUE_AFTER_POLLS: '0' } });
    let second: Awaited<ReturnType<typeof createTestApp>> | undefined;
    try {
      const en = await request(first.server).get('/login').expect(200);
      expect(en.text).toContain('Simulated CA.');
      expect(en.text).toContain('not trusted by any browser');
      const fr = await request(first.server).get('/no-such-page?lang=fr').expect(404);
      expect(fr.text).toContain('AC simulée.');

      const connection = first.get(CaConnection);
      expect(connection.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/products\/$/);
      const account = connection.simulatorAccount([{ code: 'OV', kind: 'tls', maxNames: 1 }])!;
      const placed = await first.get(CaClient).order(account, {
        foreignOrderNumber: '1',
        productCode: 'OV',
        profile: 'ov-single',
        csrPem: await csrPem('www.example.org'),
        names: ['www.example.org'],
        days: 30,
        organisation: null,
      });

      // A second instance on the same data folder uses the same root and sees the same orders.
      second = await createTestApp({ db: first.db, env: { CA_SIM_ISSUE_AFTER_POLLS: '0' } });
      const issued = (await second.get(CaClient).collect(account, placed.orderNumber)) as CaIssued;
      expect(issued.status).toBe('issued');
      const root = readFileSync(join(first.db.dataDir, 'sim-ca', 'pki', 'root.pem'), 'utf8');
      expect(new x509.X509Certificate(issued.chainPem[1]).toString('pem')).toBe(
        new x509.X509Certificate(root).toString('pem'),
      );
      // Signed on the app's clock.
      expect(new x509.X509Certificate(issued.certificatePem).notBefore.toISOString()).toBe(
        first.clock
          .now()
          .toISOString()
          .replace(/\.\d{3}Z$/, '.000Z'),
      );
    } finally {
      await second?.close();
      await first.close();
    }
  });

  it('is not started, and no banner shown, when CA_URL names a CA', async () => {
    const app = await createTestApp({ env: { CA_URL: 'https://127.0.0.1:1/products/' } });
    try {
      expect(app.get(CaConnection).simulated).toBe(false);
      const page = await request(app.server).get('/login').expect(200);
      expect(page.text).not.toContain('Simulated CA');
    } finally {
      await app.close();
    }
  });
});
