import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { AccountsService } from '../../src/accounts/accounts.service.js';
import { HAS_CHROMIUM, launchChromium } from '../support/browser.js';
import { ADMIN } from '../support/http.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const describeWithBrowser = HAS_CHROMIUM ? describe : describe.skip;

describeWithBrowser('in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t
      .get(AccountsService)
      .createAdmin(ADMIN.email, ADMIN.password, { id: null, label: 'cli' });
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('logs in through the form, switches language, and logs out', async () => {
    const page = await browser.newPage({ locale: 'en-GB' });
    await page.goto(`${base}/account`);
    expect(new URL(page.url()).pathname).toBe('/login');

    await page.getByLabel('E-mail address').fill(ADMIN.email);
    await page.getByLabel('Password').fill('wrong-password-typed');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not correct');
    // The address typed stays in the field.
    expect(await page.getByLabel('E-mail address').inputValue()).toBe(ADMIN.email);

    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${base}/account`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('My account');

    await page.getByRole('link', { name: 'Deutsch' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Mein Konto');
    expect(await page.locator('html').getAttribute('lang')).toBe('de');

    // The choice sticks to later pages without ?lang=.
    await page.goto(`${base}/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('de');

    await page.getByRole('button', { name: 'Abmelden' }).click();
    await page.waitForURL(/\/login/);
    await page.goto(`${base}/account`);
    expect(new URL(page.url()).pathname).toBe('/login');
  }, 60_000);
});
