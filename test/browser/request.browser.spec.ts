import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import * as argon2 from 'argon2';
import { User } from '../../src/accounts/user.entity.js';
import { Transactions } from '../../src/database/transactions.js';
import { buildCsr, keyFor, toPem } from '../fixtures/csr/csr-builder.js';
import { HAS_CHROMIUM, launchChromium } from '../support/browser.js';
import { Directory } from '../support/directory.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const describeWithBrowser = HAS_CHROMIUM ? describe : describe.skip;

describeWithBrowser('requesting a certificate in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp();
    const dir = await new Directory(t).init();
    const nren = await dir.nren('SWITCH');
    const org = await dir.organisation(nren.id, 'Universität Beispiel');
    const dept = await dir.department(org.id, 'Physik');
    const d = await dir.domain(org.id, 'physik.example.org');
    await dir.api('post', `/domains/${d.id}/manual-validation`, {
      version: d.version,
      note: 'fixture',
    });
    const v = (await dir.api('get', `/domains/${d.id}`)).body.version;
    await dir.api('patch', `/domains/${d.id}`, { version: v, departmentIds: [dept.id] });
    const person = await dir.person('lena@physik.example.org', 'requester', dept.id);
    await t.get(Transactions).manager.update(
      User,
      { id: person.id },
      {
        passwordHash: await argon2.hash('lena-long-password', { type: argon2.argon2id }),
        language: 'de',
      },
    );
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('pastes a CSR, sees a refusal in German, fixes it, previews and submits', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/login`);
    await page.locator('#email').fill('lena@physik.example.org');
    await page.locator('#password').fill('lena-long-password');
    await page.locator('form[action="/login"] button').click();
    await page.waitForURL(`${base}/`);

    await page.goto(`${base}/requests/new`);
    const key = await keyFor({ type: 'ec', curve: 'P-256' });
    const wrong = toPem(
      buildCsr({
        key,
        subject: [['CN', 'www.chemie.example.org']],
        san: [{ type: 'dns', value: 'www.chemie.example.org' }],
      }),
    );
    await page.locator('#csr').fill(wrong);
    await page.locator('form[action="/requests/check"] button[type=submit]').click();
    await page.waitForLoadState();
    const alert = await page.getByRole('alert').textContent();
    expect(alert).toContain('www.chemie.example.org');
    expect(alert).toContain('DOMAIN_NOT_FOUND');
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    // What was pasted is still there to correct.
    expect(await page.locator('#csr').inputValue()).toContain('BEGIN CERTIFICATE REQUEST');

    const right = toPem(
      buildCsr({
        key,
        subject: [['CN', 'www.physik.example.org']],
        san: [{ type: 'dns', value: 'www.physik.example.org' }],
      }),
    );
    await page.locator('#csr').fill(right);
    await page.locator('form[action="/requests/check"] button[type=submit]').click();
    await page.waitForLoadState();
    const preview = await page.locator('main').textContent();
    expect(preview).toContain('www.physik.example.org');
    expect(preview).toContain('P-256');
    await page.locator('form[action="/requests"] button[type=submit]').first().click();
    await page.waitForURL(/\/requests\/\d+$/);
    expect(await page.locator('.state').first().getAttribute('class')).toContain('state-submitted');
  }, 60_000);
});
