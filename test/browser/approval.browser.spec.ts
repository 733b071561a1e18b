import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { SecondFactorService } from '../../src/accounts/second-factor.service.js';
import { HAS_CHROMIUM, launchChromium } from '../support/browser.js';
import { PipelineFixture } from '../support/pipeline.js';
import { setPassword } from '../support/requests.js';
import { totpCode } from '../support/totp.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const describeWithBrowser = HAS_CHROMIUM ? describe : describe.skip;

// Two people in two browsers: the requester asks, the RAO (with a second factor) approves,
// the simulated CA issues, and the requester downloads the certificate.
describeWithBrowser(
  'from request to certificate, approved by an RAO with TOTP, in Chromium',
  () => {
    let t: TestApp;
    let fx: PipelineFixture;
    let browser: Browser;
    let base: string;
    let raoSecret: string;

    beforeAll(async () => {
      t = await createTestApp({
        // The CA jobs move the clock on by hours; the sessions must outlast that.
        env: { TOTP_REQUIRED: 'true', SESSION_IDLE_TIMEOUT: '86400' },
      });
      fx = await new PipelineFixture(t).init('CHROME');
      await setPassword(t, fx.requester.id, 'requester-long-password');
      await setPassword(t, fx.rao.id, 'approver-long-password');
      const second = t.get(SecondFactorService);
      raoSecret = (await second.beginEnrolment(fx.rao.id, `rao@${fx.domain}`)).secret;
      await second.confirmEnrolment(fx.rao.id, totpCode(raoSecret, t.clock.now()), {
        id: fx.rao.id,
        label: 'test',
      });
      t.clock.advance(30_000);
      await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(t.server.address() as AddressInfo).port}`;
      browser = await launchChromium();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await t?.close();
    });

    it('submits, approves with a code, issues, downloads', async () => {
      const requester = await (await browser.newContext({ acceptDownloads: true })).newPage();
      await requester.goto(`${base}/login`);
      await requester.locator('#email').fill(`req@${fx.domain}`);
      await requester.locator('#password').fill('requester-long-password');
      await requester.locator('form[action="/login"] button').click();
      await requester.waitForURL(`${base}/`);
      await requester.goto(`${base}/requests/new`);
      await requester.locator('#csr').fill(fx.csr());
      await requester.locator('form[action="/requests/check"] button[type=submit]').click();
      await requester.waitForLoadState();
      await requester.locator('form[action="/requests"] button[type=submit]').first().click();
      await requester.waitForURL(/\/requests\/\d+$/);
      const requestUrl = requester.url();
      const stateOf = async () => requester.locator('.state').first().getAttribute('class');
      expect(await stateOf()).toContain('state-submitted');

      // The RAO, in a browser of their own: password, then the code from their app.
      const rao = await (await browser.newContext()).newPage();
      await rao.goto(`${base}/login?next=${encodeURIComponent(new URL(requestUrl).pathname)}`);
      await rao.locator('#email').fill(`rao@${fx.domain}`);
      await rao.locator('#password').fill('approver-long-password');
      await rao.locator('form[action="/login"] button').click();
      await rao.waitForURL(`${base}/login/code`);
      await rao.locator('#code').fill('000000');
      await rao.locator('form[action="/login/code"] button').click();
      await rao.waitForLoadState();
      expect(await rao.getByRole('alert').textContent()).toContain('The code is not correct');
      await rao.locator('#code').fill(totpCode(raoSecret, t.clock.now()));
      await rao.locator('form[action="/login/code"] button').click();
      await rao.waitForURL(requestUrl);
      await rao.locator('form[action$="/approve"] button[type=submit]').click();
      await rao.waitForLoadState();

      await requester.reload();
      expect(await stateOf()).toContain('state-approved');

      // The orderer and the collector, against the simulated CA.
      await fx.settle(3);
      await requester.reload();
      expect(await stateOf()).toContain('state-issued');
      await requester.goto(`${base}/certificates`);
      await requester
        .locator('a[href^="/certificates/"]')
        .filter({ hasText: fx.domain })
        .first()
        .click();
      await requester.waitForURL(/\/certificates\/\d+$/);
      const [download] = await Promise.all([
        requester.waitForEvent('download'),
        requester.locator('ul.downloads a').first().click(),
      ]);
      const pem = await readFile(await download.path(), 'utf8');
      expect(pem).toContain('-----BEGIN CERTIFICATE-----');
    }, 120_000);
  },
);
