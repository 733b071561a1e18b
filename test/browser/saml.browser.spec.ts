import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { SamlIdpsService } from '../../src/federation/saml/saml-idps.service.js';
import { HAS_CHROMIUM, launchChromium } from '../support/browser.js';
import { Directory } from '../support/directory.js';
import { ATTR, federationFeed, keyPair, TestIdp } from '../support/saml-idp.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const describeWithBrowser = HAS_CHROMIUM ? describe : describe.skip;

// The SP's own URL goes into its metadata and into what the IdP checks, so the port is
// chosen before the app starts.
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

describeWithBrowser('federated login in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let idp: TestIdp;
  let tmp: string;
  let dir: Directory;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'ra-saml-browser-'));
    base = `http://127.0.0.1:${await freePort()}`;
    const sp = {
      acsUrl: `${base}/saml/acs`,
      entityId: `${base}/saml/metadata`,
      now: () => t.clock.now(),
    };
    idp = await TestIdp.create(
      'https://idp.uni-a.example/idp',
      ['uni-a.example'],
      'University of A',
      sp,
    );
    await idp.listen();
    const other = await TestIdp.create(
      'https://idp.uni-b.example/idp',
      ['uni-b.example'],
      'B Institute of Technology',
      sp,
    );
    const fed = await keyPair('federation.example');
    writeFileSync(join(tmp, 'fed.crt'), fed.cert);
    writeFileSync(
      join(tmp, 'feed.xml'),
      federationFeed([idp.entityDescriptor(), other.entityDescriptor()], fed),
    );
    t = await createTestApp({
      env: {
        BASE_URL: base,
        SAML_ENABLED: 'true',
        SAML_FEDERATION_METADATA_FILE: join(tmp, 'feed.xml'),
        SAML_FEDERATION_METADATA_CERT_FILE: join(tmp, 'fed.crt'),
      },
    });
    await t.get(SamlIdpsService).refreshFeed(true);
    dir = await new Directory(t).init();
    await new Promise<void>((resolve) =>
      t.server.listen(Number(new URL(base).port), '127.0.0.1', resolve),
    );
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await idp?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('accepts an invitation through the institution, then logs in through the discovery page', async () => {
    const nren = await dir.nren('SUNETish');
    await dir.create('/invitations', {
      email: 'alice@uni-a.example',
      role: 'nren-admin',
      scopeId: nren.id,
    });
    const mail = (await dir.api('get', '/outbox?to=alice%40uni-a.example')).body.items[0];
    const link = /(\/invitations\/accept\/[^\s]+)/.exec(mail.text)![1];
    idp.user = {
      [ATTR.subjectId]: ['8f3a2c@uni-a.example'],
      [ATTR.mail]: ['alice@uni-a.example'],
      [ATTR.displayName]: ['Alice Andersson'],
    };

    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${base}${link}`);
    await page.getByRole('button', { name: 'Accept with my institutional login' }).click();
    await page.waitForURL(/\/login\/institution/);
    await page.getByLabel('Name of your institution').fill('univ');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('button', { name: 'B Institute of Technology' }).count()).toBe(0);
    await page.getByRole('button', { name: 'University of A' }).click();
    // At the IdP: the request it got was signed with SHA-256.
    await page.waitForURL(/127\.0\.0\.1:\d+\/sso/);
    expect(idp.requests.at(-1)?.sigAlg).toBe('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/account`);
    expect(await page.textContent('main')).toContain('alice@uni-a.example');
    await page.goto(`${base}/nrens`);
    expect(await page.textContent('main')).toContain('SUNETish');

    // Log out, and in again: the discovery page offers the institution chosen last time.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    await page.getByRole('link', { name: 'Log in with your institution' }).click();
    await page.waitForURL(/\/login\/institution/);
    await page.locator('form[aria-labelledby="last-title"]').getByRole('button').click();
    await page.waitForURL(/\/sso/);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/nrens`);
    expect(await page.textContent('main')).toContain('SUNETish');
    await context.close();
  }, 90_000);
});
