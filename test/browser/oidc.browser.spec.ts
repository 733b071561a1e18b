import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { Transactions } from '../../src/database/transactions.js';
import { FederatedIdentity } from '../../src/federation/federated-identity.entity.js';
import { HAS_CHROMIUM, launchChromium } from '../support/browser.js';
import { Directory } from '../support/directory.js';
import { TestOidcProvider } from '../support/oidc-provider.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const describeWithBrowser = HAS_CHROMIUM ? describe : describe.skip;

// The redirect URI the provider sends the browser back to is the app's own URL, so the port
// is chosen before the app starts.
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

describeWithBrowser('OpenID Connect login in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let op: TestOidcProvider;

  beforeAll(async () => {
    base = `http://127.0.0.1:${await freePort()}`;
    op = await TestOidcProvider.start(() => t.clock.now());
    op.loginPage = true;
    t = await createTestApp({
      env: {
        BASE_URL: base,
        OIDC_ISSUER: op.issuer,
        OIDC_CLIENT_ID: op.clientId,
        OIDC_CLIENT_SECRET: op.clientSecret,
        OIDC_DISPLAY_NAME: 'Test Federation',
        OIDC_ALLOW_HTTP: 'true',
      },
    });
    const dir = await new Directory(t).init();
    const nren = await dir.nren('Funetish');
    const { id } = await dir.person('olivia@uni.example', 'nren-admin', nren.id);
    await t.get(Transactions).manager.insert(FederatedIdentity, {
      userId: id,
      protocol: 'oidc',
      subject: `${op.issuer}#olivia-1`,
      provider: op.issuer,
      lastLoginAt: null,
      entitledGrants: null,
    });
    await new Promise<void>((resolve) =>
      t.server.listen(Number(new URL(base).port), '127.0.0.1', resolve),
    );
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await op?.close();
  });
  afterEach(() => {
    op.tweaks = {};
  });

  // From the login page through the provider's sign-in page and back; returns the page.
  async function signIn(locale: string, user: Record<string, unknown>) {
    op.user = user;
    const context = await browser.newContext({ locale });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.locator('a[href^="/login/institution"]').click();
    await page.waitForURL(/\/login\/institution/);
    await page.locator('form[action="/oidc/login"] button').click();
    await page.waitForURL(new RegExp(`^${op.issuer}/authorize`));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState();
    return { context, page };
  }

  it('logs a linked person in: login page, institution, provider, back signed in with their name', async () => {
    const { context, page } = await signIn('en-GB', {
      sub: 'olivia-1',
      email: 'olivia@uni.example',
      name: 'Olivia Olsen',
    });
    await page.waitForURL(`${base}/`);
    expect(await page.textContent('.ra-who')).toContain('Olivia Olsen');
    await page.goto(`${base}/account`);
    expect(page.url()).toBe(`${base}/account`);
    expect(await page.textContent('main')).toContain('olivia@uni.example');
    await context.close();
  }, 60_000);

  it('refuses an account linked to nobody here, saying so in the reader’s language', async () => {
    const { context, page } = await signIn('fr-FR', {
      sub: 'stranger-9',
      email: 'stranger@uni.example',
      name: 'Sam Stranger',
    });
    const main = await page.textContent('main');
    expect(main).toContain('aucun compte ici n’est lié à cette identité');
    expect(await page.locator('.ra-who').count()).toBe(0);
    await page.goto(`${base}/account`);
    expect(page.url()).toMatch(/\/login/);
    await context.close();
  }, 60_000);

  it('refuses an ID token with the wrong nonce, with a clear message and no session', async () => {
    op.tweaks = { nonce: 'replayed-nonce' };
    const { context, page } = await signIn('de-DE', {
      sub: 'olivia-1',
      email: 'olivia@uni.example',
      name: 'Olivia Olsen',
    });
    const main = await page.textContent('main');
    expect(main).toContain('Die Antwort Ihrer Einrichtung konnte nicht angenommen werden');
    // The reason is for the operator's log, not for the page.
    expect(main).not.toMatch(/nonce/i);
    await page.goto(`${base}/account`);
    expect(page.url()).toMatch(/\/login/);
    await context.close();
  }, 60_000);
});
