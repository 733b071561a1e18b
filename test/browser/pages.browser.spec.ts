import * as argon2 from 'argon2';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import request from 'supertest';
import { User } from '../../src/accounts/user.entity.js';
import { Transactions } from '../../src/database/transactions.js';
import { buildCsr, keyFor, toPem } from '../fixtures/csr/csr-builder.js';
import { HAS_CHROMIUM, launchChromium } from '../support/browser.js';
import { ExpiryReminder } from '../../src/expiry/expiry-reminder.entity.js';
import { SamlIdpsService } from '../../src/federation/saml/saml-idps.service.js';
import { seedCertificate } from '../support/certificate-seed.js';
import { Directory } from '../support/directory.js';
import { federationFeed, keyPair, TestIdp } from '../support/saml-idp.js';
import { totpCode } from '../support/totp.js';
import { csrFor, submitRequest } from '../support/requests.js';
import { createTestPki } from '../support/test-pki.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

// What the code inside page.evaluate() uses of the page (the project has no DOM types).
interface El {
  getBoundingClientRect(): { right: number };
  closest(selector: string): El | null;
  scrollWidth: number;
  clientWidth: number;
  tagName: string;
  classList: Iterable<string>;
  innerHTML: string;
}
declare const document: {
  scrollingElement: El | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): Iterable<El>;
};
declare const window: { innerWidth: number };
declare function getComputedStyle(e: El): { overflowX: string };

const describeWithBrowser = HAS_CHROMIUM ? describe : describe.skip;
const APP = 'TCS Registration Authority';
const SHOTS = process.env.SCREENSHOT_DIR;

// Every page, as the people who can see it, on phone widths; the language links everywhere;
// forms shown again after a failed post survive a change of language.
describeWithBrowser('pages in a real browser', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;
  const ids: Record<string, number> = {};
  const csrs: Record<string, string> = {};

  async function withPassword(email: string, password: string, language = 'en') {
    await t
      .get(Transactions)
      .manager.update(
        User,
        { email },
        { passwordHash: await argon2.hash(password, { type: argon2.argon2id }), language },
      );
  }

  let tmp: string;

  beforeAll(async () => {
    // A federation feed, so the discovery page has institutions to list (nobody signs in).
    tmp = mkdtempSync(join(tmpdir(), 'ra-pages-browser-'));
    const sp = {
      acsUrl: 'http://127.0.0.1:9/saml/acs',
      entityId: 'http://127.0.0.1:9/saml/metadata',
      now: () => new Date(),
    };
    const idps = await Promise.all([
      TestIdp.create(
        'https://idp.uni-a.example/idp',
        ['uni-a.example'],
        'Universitetet i Exempelstad med ett mycket långt namn',
        sp,
      ),
      TestIdp.create(
        'https://idp.uni-b.example/idp',
        ['uni-b.example'],
        'B Institute of Technology',
        sp,
      ),
    ]);
    const fed = await keyPair('federation.example');
    writeFileSync(join(tmp, 'fed.crt'), fed.cert);
    writeFileSync(
      join(tmp, 'feed.xml'),
      federationFeed(
        idps.map((i) => i.entityDescriptor()),
        fed,
      ),
    );
    t = await createTestApp({
      env: {
        SAML_ENABLED: 'true',
        SAML_FEDERATION_METADATA_FILE: join(tmp, 'feed.xml'),
        SAML_FEDERATION_METADATA_CERT_FILE: join(tmp, 'fed.crt'),
      },
    });
    await t.get(SamlIdpsService).refreshFeed(true);
    const dir = await new Directory(t).init();
    const nren = await dir.nren('SUNET');
    ids.nren = nren.id;
    const org = await dir.organisation(
      nren.id,
      'Universitetet i Exempelstad med ett mycket långt namn',
    );
    ids.org = org.id;
    const dept = await dir.department(org.id, 'Institutionen för fysik och astronomi');
    ids.dept = dept.id;
    const validated = await dir.domain(org.id, 'fysik.exempel-universitetet.example.org');
    ids.domain = validated.id;
    await dir.api('post', `/domains/${validated.id}/manual-validation`, {
      version: validated.version,
      note: 'fixture',
    });
    const v = (await dir.api('get', `/domains/${validated.id}`)).body.version;
    await dir.api('patch', `/domains/${validated.id}`, { version: v, departmentIds: [dept.id] });
    ids.pending = (await dir.domain(org.id, 'pending.example.org')).id;
    const anna = await dir.person(
      'anna.requester@fysik.exempel-universitetet.example.org',
      'requester',
      dept.id,
    );
    ids.anna = anna.id;
    // A certificate with long names, and a revocation request on it waiting for a decision.
    const cert = await seedCertificate(
      t,
      await createTestPki(),
      dept.id,
      [
        'www.fysik.exempel-universitetet.example.org',
        'a-very-long-host-name-for-the-narrow-screen.fysik.exempel-universitetet.example.org',
      ],
      t.clock.now(),
    );
    ids.cert = cert.id;
    await request(t.server)
      .post(`/api/v1/certificates/${cert.id}/revocation-requests`)
      .set('Authorization', `Bearer ${anna.token}`)
      .send({
        reason: 'cessationOfOperation',
        explanation: 'Die Webseite wird abgeschaltet; der Server geht am Monatsende außer Betrieb.',
      })
      .expect(201);
    await withPassword(
      'anna.requester@fysik.exempel-universitetet.example.org',
      'anna-long-password',
    );
    await withPassword('root@example.org', 'platform-admin-secret');
    // Certificates expiring in the coming weeks, one with a reminder log.
    const pki = await createTestPki();
    const now = t.clock.now().getTime();
    for (const [i, days] of [10, 20, 20, 45, 80].entries()) {
      const c = await seedCertificate(
        t,
        pki,
        dept.id,
        [`host${i}.fysik.exempel-universitetet.example.org`],
        new Date(now - 86_400_000),
        days,
      );
      ids.cert ??= c.id;
    }
    await t.get(Transactions).manager.insert(ExpiryReminder, [
      {
        certificateId: ids.cert,
        thresholdDays: 14,
        recipient: 'noc@fysik.exempel-universitetet.example.org',
        outcome: 'skipped',
        mailId: null,
        createdAt: new Date(now),
      },
      {
        certificateId: ids.cert,
        thresholdDays: 7,
        recipient: 'noc@fysik.exempel-universitetet.example.org',
        outcome: 'sent',
        mailId: null,
        createdAt: new Date(now),
      },
    ]);
    const key = await keyFor({ type: 'ec', curve: 'P-256' });
    csrs.good = toPem(
      buildCsr({
        key,
        subject: [['CN', 'www.fysik.exempel-universitetet.example.org']],
        san: [{ type: 'dns', value: 'www.fysik.exempel-universitetet.example.org' }],
      }),
    );
    csrs.once = toPem(
      buildCsr({
        key: await keyFor({ type: 'ec', curve: 'P-256' }),
        subject: [['CN', 'api.fysik.exempel-universitetet.example.org']],
        san: [{ type: 'dns', value: 'api.fysik.exempel-universitetet.example.org' }],
      }),
    );
    csrs.wrong = toPem(
      buildCsr({
        key,
        subject: [['CN', 'www.kemi.example.org']],
        san: [{ type: 'dns', value: 'www.kemi.example.org' }],
      }),
    );
    // Something in the approval queue: two of Anna's requests with long names.
    for (const host of ['kalender', 'queue-with-a-rather-long-host-name']) {
      await submitRequest(
        t,
        anna.token,
        dept.id,
        csrFor([`${host}.fysik.exempel-universitetet.example.org`]),
      );
    }
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  async function loggedIn(email: string, password: string): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${base}/login?lang=en`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(password);
    await page.locator('form[action="/login"] button').click();
    await page.waitForURL(`${base}/`);
    return page;
  }

  // Visits each page at 360 and 390 pixels; none may be wider than the screen.
  async function visitNarrow(page: Page, paths: string[], titles: Map<string, string>) {
    const tooWide: string[] = [];
    for (const width of [360, 390]) {
      await page.setViewportSize({ width, height: 800 });
      for (const path of paths) {
        const res = await page.goto(`${base}${path}`);
        expect([path, res?.status()]).toEqual([path, 200]);
        const { scroll, inner } = await page.evaluate(() => ({
          scroll: document.scrollingElement!.scrollWidth,
          inner: window.innerWidth,
        }));
        if (scroll > inner) {
          // Name the innermost elements that stick out, to say where to look.
          const culprits = await page.evaluate(() =>
            [...document.querySelectorAll('body *')]
              .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
              .filter((e) => !e.closest('.ra-table-wrap'))
              .slice(-3)
              .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`)
              .concat(
                // Text running out of a box that itself fits.
                [...document.querySelectorAll('body *')]
                  .filter(
                    (e) =>
                      !e.closest('.ra-table-wrap') && getComputedStyle(e).overflowX === 'visible',
                  )
                  .filter((e) => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0)
                  .slice(-3)
                  .map((e) => `text in ${e.tagName.toLowerCase()}.${[...e.classList].join('.')}`),
              ),
          );
          tooWide.push(`${path} at ${width}px: ${scroll}px (${culprits.join(', ')})`);
        }
        // Every page offers the other languages, each leading back to this page.
        const links = await page
          .locator('nav.govuk-language-navigation a')
          .evaluateAll((as) => as.map((a) => [a.getAttribute('lang'), a.getAttribute('href')]));
        expect([path, links.length]).toEqual([path, 4]);
        for (const [lang, href] of links) {
          expect(href).toMatch(
            new RegExp(`^${new URL(page.url()).pathname}\\?(.*&)?lang=${lang}$`),
          );
        }
        titles.set(
          new URL(page.url()).pathname + (path.includes('role=') ? '?role' : ''),
          await page.title(),
        );
        if (SHOTS && width === 390) {
          const lang = await page.locator('html').getAttribute('lang');
          await page.screenshot({
            path: `${SHOTS}/${path.replace(/\W+/g, '_')}-${lang}.png`,
            fullPage: true,
          });
        }
      }
    }
    expect(tooWide).toEqual([]);
  }

  it('fits every page into 360 and 390 pixels, each with a title of its own', async () => {
    const titles = new Map<string, string>();
    const admin = await loggedIn('root@example.org', 'platform-admin-secret');
    // A request to look at, made through the form.
    await admin.goto(`${base}/requests/new`);
    await admin.locator('#csr').fill(csrs.good);
    await admin.locator('form[action="/requests/check"] button[type=submit]').click();
    await admin.locator('form[action="/requests"] button[type=submit]').first().click();
    await admin.waitForURL(/\/requests\/\d+$/);
    ids.request = Number(/(\d+)$/.exec(admin.url())![1]);
    await visitNarrow(
      admin,
      [
        '/',
        '/nrens',
        '/nrens/new',
        `/nrens/${ids.nren}`,
        `/nrens/${ids.nren}/edit`,
        '/organisations',
        '/organisations/new',
        `/organisations/${ids.org}`,
        `/organisations/${ids.org}/edit`,
        `/organisations/${ids.org}/domains/new`,
        `/departments/${ids.dept}`,
        `/departments/${ids.dept}/edit`,
        `/domains/${ids.domain}`,
        `/domains/${ids.pending}`,
        '/products',
        '/products/new',
        '/products/1/edit',
        '/requests',
        '/requests/new',
        `/requests/${ids.request}`,
        `/requests/${ids.request}/history`,
        `/organisations/${ids.org}/history`,
        '/approvals',
        '/approvals/substitutes',
        '/audit',
        '/account',
        '/account/second-factor',
        `/people/${ids.anna}/second-factor`,
        '/admin/outbox',
        '/invitations/new',
        '/invitations/new?role=rao',
      ],
      titles,
    );
    // The bulk approval's result page, which only a post reaches.
    await admin.setViewportSize({ width: 390, height: 800 });
    await admin.goto(`${base}/approvals`);
    await admin.locator('input[name="pick"]').first().check();
    await admin.locator('form[action="/approvals/approve-many"] button[type=submit]').click();
    await admin.waitForLoadState();
    expect(await admin.locator('.bulk-outcome').count()).toBe(1);
    expect(
      await admin.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth),
    ).toBe(true);
    if (SHOTS) {
      await admin.screenshot({ path: `${SHOTS}/approvals_bulk_result.png`, fullPage: true });
    }
    await admin.close();

    const requester = await loggedIn(
      'anna.requester@fysik.exempel-universitetet.example.org',
      'anna-long-password',
    );
    await visitNarrow(
      requester,
      [
        '/',
        '/requests',
        '/requests/new',
        `/departments/${ids.dept}`,
        `/domains/${ids.domain}`,
        '/account',
      ],
      new Map(),
    );
    // The requester's home page offers the way to a certificate.
    await requester.setViewportSize({ width: 1024, height: 800 });
    await requester.goto(`${base}/`);
    await requester.getByRole('button', { name: 'Request a certificate' }).click();
    await requester.waitForURL(`${base}/requests/new`);
    await requester.close();

    // Longer words in other languages (German above all) must not widen the pages either.
    const polyglot = await loggedIn('root@example.org', 'platform-admin-secret');
    for (const lang of ['fr', 'de', 'nl', 'sv']) {
      await visitNarrow(
        polyglot,
        [
          `/?lang=${lang}`,
          `/domains/${ids.domain}`,
          `/organisations/${ids.org}`,
          '/requests/new',
          '/products',
          '/account',
          `/approvals?lang=${lang}`,
          `/approvals/substitutes?lang=${lang}`,
          `/audit?lang=${lang}`,
          `/organisations/${ids.org}/history?lang=${lang}`,
          `/requests/${ids.request}?lang=${lang}`,
        ],
        new Map(),
      );
    }
    await polyglot.close();

    const anonymous = await browser.newPage();
    await visitNarrow(anonymous, ['/login'], titles);
    await anonymous.close();

    for (const [path, title] of titles) {
      expect([path, title.endsWith(` – ${APP}`)]).toEqual([path, true]);
    }
    const seen = new Map<string, string>();
    for (const [path, title] of titles) {
      expect([path, seen.get(title)]).toEqual([path, undefined]);
      seen.set(title, path);
    }
  }, 600_000);

  // The expiry pages, the import and the reminder log in every language, and the import's
  // result page (it comes from a post) with every kind of answer.
  it('fits the expiry, import and reminder log pages into 360 and 390 pixels in every language', async () => {
    const admin = await loggedIn('root@example.org', 'platform-admin-secret');
    const titles = new Map<string, string>();
    for (const lang of ['en', 'fr', 'de', 'nl', 'sv']) {
      await admin.goto(`${base}/?lang=${lang}`);
      await visitNarrow(
        admin,
        ['/expiries', '/certificates/import', `/expiries/certificates/${ids.cert}`],
        lang === 'en' ? titles : new Map(),
      );
    }
    expect(new Set(titles.values()).size).toBe(3);
    await admin.goto(`${base}/?lang=en`);
    // The import's result page comes from a post: every kind of answer, at phone width.
    await admin.setViewportSize({ width: 390, height: 800 });
    await admin.goto(`${base}/certificates/import`);
    await admin.locator('#hosts').fill('host,port\n192.0.2.1\nnot a host!,443\n[2001:db8::1],8443');
    await admin.locator('form[action="/certificates/import"] button[type=submit]').click();
    await admin.waitForLoadState();
    expect(await admin.locator('#import-items .govuk-summary-list__row').count()).toBe(3);
    expect(
      await admin.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth),
    ).toBe(true);
    if (SHOTS) {
      await admin.screenshot({ path: `${SHOTS}/_certificates_import_result.png`, fullPage: true });
    }
    await admin.close();
  }, 360_000);

  it('fits the certificate, revocation, reconciliation and federation pages too, in every language', async () => {
    const titles = new Map<string, string>();
    const admin = await loggedIn('root@example.org', 'platform-admin-secret');
    await visitNarrow(
      admin,
      [
        '/certificates',
        `/certificates/${ids.cert}`,
        '/reconciliation',
        '/revocation-requests',
        '/account/identities',
        `/nrens/${ids.nren}/login-policy`,
      ],
      titles,
    );
    // The approver sees the open revocation request with its two decisions, confirmed first.
    await admin.goto(`${base}/certificates/${ids.cert}?lang=en`);
    expect(await admin.locator('.revocation-request').count()).toBe(1);
    expect(await admin.locator('.revocation-request details.confirm').count()).toBe(2);
    for (const lang of ['fr', 'de', 'nl', 'sv']) {
      await visitNarrow(
        admin,
        [
          `/certificates?lang=${lang}`,
          `/certificates/${ids.cert}?lang=${lang}`,
          `/reconciliation?lang=${lang}`,
          `/nrens/${ids.nren}/login-policy?lang=${lang}`,
        ],
        new Map(),
      );
    }
    await admin.close();
    const requester = await loggedIn(
      'anna.requester@fysik.exempel-universitetet.example.org',
      'anna-long-password',
    );
    await visitNarrow(requester, ['/certificates', `/certificates/${ids.cert}?lang=en`], new Map());
    await requester.close();
    const anonymous = await browser.newPage();
    await visitNarrow(anonymous, ['/login/institution?q=univ'], titles);
    for (const lang of ['fr', 'de', 'nl', 'sv']) {
      await visitNarrow(anonymous, [`/login/institution?lang=${lang}`], new Map());
    }
    await anonymous.close();
    for (const [path, title] of titles) {
      expect([path, title.endsWith(` – ${APP}`)]).toEqual([path, true]);
    }
    expect(new Set(titles.values()).size).toBe(titles.size);
  }, 420_000);

  it('fits the second-factor and account pages into 360 and 390 pixels in every language', async () => {
    const polyglot = await loggedIn('root@example.org', 'platform-admin-secret');
    for (const lang of ['fr', 'de', 'nl', 'sv', 'en']) {
      await visitNarrow(
        polyglot,
        [`/account?lang=${lang}`, '/account/second-factor', `/people/${ids.anna}/second-factor`],
        new Map(),
      );
    }
    await polyglot.close();

    // The second factor: enrolled through the page at 390 pixels (the recovery codes shown
    // once), then the code page of the next login, in every language.
    const enrolling = await loggedIn(
      'anna.requester@fysik.exempel-universitetet.example.org',
      'anna-long-password',
    );
    await enrolling.setViewportSize({ width: 390, height: 800 });
    await enrolling.goto(`${base}/account/second-factor`);
    const secret = ((await enrolling.locator('#totp-secret').textContent()) ?? '').replace(
      /\s+/g,
      '',
    );
    await enrolling.locator('#code').fill(totpCode(secret, t.clock.now()));
    await enrolling.locator('form[action="/account/second-factor"] button').click();
    await enrolling.waitForLoadState();
    expect(await enrolling.locator('#recovery-codes li').count()).toBe(10);
    expect(
      await enrolling.evaluate(() => document.scrollingElement!.scrollWidth <= window.innerWidth),
    ).toBe(true);
    if (SHOTS) {
      await enrolling.screenshot({ path: `${SHOTS}/recovery-codes-en.png`, fullPage: true });
    }
    await enrolling.close();
    const secondStep = await browser.newPage();
    await secondStep.goto(`${base}/login?lang=en`);
    await secondStep
      .locator('#email')
      .fill('anna.requester@fysik.exempel-universitetet.example.org');
    await secondStep.locator('#password').fill('anna-long-password');
    await secondStep.locator('form[action="/login"] button').click();
    await secondStep.waitForURL(`${base}/login/code`);
    await visitNarrow(secondStep, ['/login/code'], new Map());
    for (const lang of ['fr', 'de', 'nl', 'sv']) {
      await visitNarrow(secondStep, [`/login/code?lang=${lang}`], new Map());
    }
    await secondStep.close();
  }, 300_000);

  it('has working language links on every form page, the NREN and invitation forms too', async () => {
    const admin = await loggedIn('root@example.org', 'platform-admin-secret');
    for (const path of [
      '/nrens/new',
      `/nrens/${ids.nren}/edit`,
      '/invitations/new',
      '/requests/new',
    ]) {
      await admin.goto(`${base}${path}`);
      const links = await admin.locator('nav.govuk-language-navigation a').evaluateAll((as) =>
        as.map((a) => ({
          lang: a.getAttribute('lang'),
          href: a.getAttribute('href'),
          text: a.textContent?.trim(),
        })),
      );
      expect(links.map((l) => l.lang).sort()).toEqual(['de', 'fr', 'nl', 'sv']);
      for (const l of links) {
        expect(l.href).toBe(`${path.split('?')[0]}?lang=${l.lang}`);
        expect(l.text).not.toContain('common.languages');
      }
      await admin.locator('nav.govuk-language-navigation a[lang="fr"]').click();
      await admin.waitForLoadState();
      expect(await admin.locator('html').getAttribute('lang')).toBe('fr');
      expect(new URL(admin.url()).pathname).toBe(path);
      await admin.goto(`${base}${path}?lang=en`);
    }
    await admin.close();
  }, 60_000);

  it('keeps what was typed when the language changes on a form shown again after a failed post', async () => {
    const admin = await loggedIn('root@example.org', 'platform-admin-secret');
    await admin.setViewportSize({ width: 390, height: 800 });

    // A department name that is too long: refused, then shown in German, still typed in.
    const longName = 'Institut '.repeat(25);
    await admin.goto(`${base}/organisations/${ids.org}`);
    // The browser would stop at maxlength; a client that ignores it is refused by the server.
    await admin
      .locator('form[action$="/departments"] #name')
      .evaluate((e) => e.removeAttribute('maxlength'));
    await admin.locator('form[action$="/departments"] #name').fill(longName);
    await admin.locator('form[action$="/departments"] button[type=submit]').click();
    await admin.waitForLoadState();
    expect(await admin.locator('.govuk-error-summary').count()).toBe(1);
    await admin.locator('nav.govuk-language-navigation a[lang="de"]').click();
    await admin.waitForLoadState();
    expect(new URL(admin.url()).pathname).toBe(`/organisations/${ids.org}`);
    expect(await admin.locator('html').getAttribute('lang')).toBe('de');
    expect(await admin.locator('form[action$="/departments"] #name').inputValue()).toBe(longName);

    // A multi-line note: comes back exactly as typed (no indented lines), and survives Swedish.
    const note = `Checked by telephone with the hostmaster.\nSecond line stays where it was.\n${'x'.repeat(1000)}`;
    await admin.goto(`${base}/domains/${ids.pending}?lang=en`);
    await admin.locator('#note').fill(note);
    await admin.locator('form[action$="/manual-validation"] button[type=submit]').click();
    await admin.waitForLoadState();
    expect(await admin.locator('#note').inputValue()).toBe(note);
    expect(await admin.locator('#note').getAttribute('aria-invalid')).toBe('true');
    expect(await admin.locator('#note').getAttribute('aria-describedby')).toContain('note-error');
    await admin.locator('nav.govuk-language-navigation a[lang="sv"]').click();
    await admin.waitForLoadState();
    expect(new URL(admin.url()).pathname).toBe(`/domains/${ids.pending}`);
    expect(await admin.locator('html').getAttribute('lang')).toBe('sv');
    expect(await admin.locator('#note').inputValue()).toBe(note);

    // A refused CSR: the CSR field is marked and tied to its errors; French keeps the CSR.
    await admin.goto(`${base}/requests/new?lang=en`);
    await admin.locator('#csr').fill(csrs.wrong);
    await admin.locator('#comment').fill('For the new\nbeam line');
    await admin.locator('form[action="/requests/check"] button[type=submit]').click();
    await admin.waitForLoadState();
    expect(await admin.locator('#csr').getAttribute('aria-invalid')).toBe('true');
    expect(await admin.locator('#csr').getAttribute('aria-describedby')).toBe('csr-hint csr-error');
    const summary = await admin.locator('.govuk-error-summary li').allTextContents();
    expect(summary.join(' ')).toContain('DOMAIN_NOT_FOUND');
    expect(new Set(summary).size).toBe(summary.length);
    await admin.locator('nav.govuk-language-navigation a[lang="fr"]').click();
    await admin.waitForLoadState();
    expect(new URL(admin.url()).pathname).toBe('/requests/new');
    expect(await admin.locator('html').getAttribute('lang')).toBe('fr');
    expect(await admin.locator('#csr').inputValue()).toBe(csrs.wrong);
    expect(await admin.locator('#comment').inputValue()).toBe('For the new\nbeam line');

    // A post-only address typed in (or reloaded) leads to its page, not to an error.
    const res = await admin.goto(`${base}/domains/${ids.pending}/manual-validation?lang=nl`);
    expect(res?.status()).toBe(200);
    expect(new URL(admin.url()).pathname).toBe(`/domains/${ids.pending}`);
    expect(await admin.locator('html').getAttribute('lang')).toBe('nl');
    await admin.close();
  }, 90_000);

  it('accepts a request form once: Back and Submit again shows the first request', async () => {
    const admin = await loggedIn('root@example.org', 'platform-admin-secret');
    const countRequests = async () => {
      await admin.goto(`${base}/requests`);
      return admin.locator('tbody tr a[href^="/requests/"]').count();
    };
    const before = await countRequests();
    await admin.goto(`${base}/requests/new`);
    await admin.locator('#csr').fill(csrs.once);
    await admin.locator('#comment').fill('Once only');
    await admin.locator('form[action="/requests/check"] button[type=submit]').click();
    await admin.waitForLoadState();
    // The preview shows the comment and offers a way back that keeps the input.
    expect(await admin.locator('main').textContent()).toContain('Once only');
    const form = await admin.locator('form[action="/requests"]').evaluate((f) => f.outerHTML);
    await admin.locator('form[action="/requests"] button[type=submit]').first().click();
    await admin.waitForURL(/\/requests\/\d+$/);
    const first = admin.url();

    // What Back shows is the same preview, with the same hidden fields: send it again.
    await admin.goto(`${base}/requests`);
    await admin.evaluate((html) => {
      document.querySelector('main')!.innerHTML = html;
    }, form);
    await admin.locator('form[action="/requests"] button[type=submit]').first().click();
    await admin.waitForURL(/\/requests\/\d+$/);
    expect(admin.url()).toBe(first);
    expect(await admin.locator('.govuk-notification-banner').textContent()).toContain(
      'already submitted',
    );
    expect(await countRequests()).toBe(before + 1);
    await admin.close();
  }, 60_000);
});
