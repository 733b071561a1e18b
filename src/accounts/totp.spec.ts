import { TOTP, Secret } from 'otpauth';
import { matchTotp, newRecoveryCode, newTotpSecret, recoveryCodeHash, stepAt } from './totp.js';

const secret = newTotpSecret();
const codeAt = (ms: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), period: 30, digits: 6 }).generate({
    timestamp: ms,
  });

describe('TOTP verification', () => {
  const now = new Date('2027-03-01T12:00:15Z');
  const step = stepAt(now);

  it.each([
    ['the current step', 0, step],
    ['the step before (slow clock)', -30_000, step - 1],
    ['the step after (fast clock)', 30_000, step + 1],
  ])('accepts a code of %s', (_name, offset, expected) => {
    expect(matchTotp(secret, codeAt(now.getTime() + offset), now, null)).toBe(expected);
  });

  it.each([
    ['two steps ago', -60_000],
    ['two steps ahead', 60_000],
  ])('refuses a code from %s', (_name, offset) => {
    expect(matchTotp(secret, codeAt(now.getTime() + offset), now, null)).toBeNull();
  });

  it('refuses a code a second time, and an older one after a newer was used', () => {
    const current = codeAt(now.getTime());
    expect(matchTotp(secret, current, now, null)).toBe(step);
    expect(matchTotp(secret, current, now, step)).toBeNull();
    // Still in the window 29 seconds later, but spent.
    expect(matchTotp(secret, current, new Date(now.getTime() + 29_000), step)).toBeNull();
    expect(matchTotp(secret, codeAt(now.getTime() - 30_000), now, step)).toBeNull();
    // The next step's code is still good.
    expect(matchTotp(secret, codeAt(now.getTime() + 30_000), now, step)).toBe(step + 1);
  });

  it('refuses what is not six digits, and another secret', () => {
    expect(matchTotp(secret, '', now, null)).toBeNull();
    expect(matchTotp(secret, '12345', now, null)).toBeNull();
    expect(matchTotp(secret, 'abcdef', now, null)).toBeNull();
    expect(matchTotp(newTotpSecret(), codeAt(now.getTime()), now, null)).toBeNull();
  });

  it('accepts a code typed with a space in the middle', () => {
    const c = codeAt(now.getTime());
    expect(matchTotp(secret, `${c.slice(0, 3)} ${c.slice(3)}`, now, null)).toBe(step);
  });
});

describe('recovery codes', () => {
  it('hash the same however they are typed, and differ from each other', () => {
    const code = newRecoveryCode();
    expect(code).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    expect(recoveryCodeHash(code.toUpperCase().replace('-', ' '))).toBe(recoveryCodeHash(code));
    expect(recoveryCodeHash(newRecoveryCode())).not.toBe(recoveryCodeHash(code));
    expect(recoveryCodeHash('123456')).toBeNull();
  });
});
