import { Secret, TOTP } from 'otpauth';
import type { Agent } from './http.js';
import { csrfFrom } from './http.js';

// What an authenticator app shows at this moment.
export function totpCode(secret: string, at: Date): string {
  return new TOTP({ secret: Secret.fromBase32(secret.replace(/\s+/g, '')), period: 30 }).generate({
    timestamp: at.getTime(),
  });
}

// The key as the enrolment page shows it (groups of four, for typing).
export function secretOnPage(html: string): string {
  const match = /id="totp-secret">([A-Z2-7 ]+)</.exec(html);
  if (!match) {
    throw new Error('no TOTP key on the page');
  }
  return match[1].replace(/\s+/g, '');
}

export function recoveryCodesOnPage(html: string): string[] {
  return [...html.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
}

// Enrols a signed-in agent through the account pages: the key, and the recovery codes shown.
export async function enrolThroughPages(
  agent: Agent,
  now: () => Date,
): Promise<{ secret: string; recoveryCodes: string[] }> {
  const page = await agent.get('/account/second-factor').expect(200);
  const secret = secretOnPage(page.text);
  const done = await agent
    .post('/account/second-factor')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), code: totpCode(secret, now()) })
    .expect(200);
  return { secret, recoveryCodes: recoveryCodesOnPage(done.text) };
}

// The password, then the code page, as a browser would.
export async function loginWithCode(
  agent: Agent,
  email: string,
  password: string,
  code: () => string,
) {
  const page = await agent.get('/login').expect(200);
  const first = await agent
    .post('/login')
    .type('form')
    .send({ email, password, _csrf: csrfFrom(page.text), next: '/account' });
  if (first.headers.location !== '/login/code') {
    throw new Error(`expected the code page after the password, got ${first.status}`);
  }
  const codePage = await agent.get('/login/code').expect(200);
  return agent
    .post('/login/code')
    .type('form')
    .send({ _csrf: csrfFrom(codePage.text), code: code() });
}
