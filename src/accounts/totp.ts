import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { sha256Hex } from '../common/hash.js';

// RFC 6238 with the parameters every authenticator app understands: SHA-1, six digits, 30 s.
export const TOTP_PERIOD_SECONDS = 30;
// Codes of the step before and after the current one are accepted too (clocks drift).
export const TOTP_WINDOW = 1;
export const RECOVERY_CODE_COUNT = 10;

function totpOf(secretBase32: string, label = '', issuer = ''): TOTP {
  return new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits: 6,
    period: TOTP_PERIOD_SECONDS,
  });
}

export function newTotpSecret(): string {
  // 160 bits, the HMAC-SHA-1 key size RFC 4226 recommends.
  return new Secret({ size: 20 }).base32;
}

export function otpauthUri(secretBase32: string, label: string, issuer: string): string {
  return totpOf(secretBase32, label, issuer).toString();
}

export function stepAt(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

// The step whose code this is, or null. A step at or before lastUsedStep never matches
// again: a code seen once (typed, or read over a shoulder) is spent.
export function matchTotp(
  secretBase32: string,
  code: string,
  now: Date,
  lastUsedStep: number | null,
): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) {
    return null;
  }
  const totp = totpOf(secretBase32);
  const current = stepAt(now);
  for (let delta = -TOTP_WINDOW; delta <= TOTP_WINDOW; delta++) {
    const step = current + delta;
    if (lastUsedStep !== null && step <= lastUsedStep) {
      continue;
    }
    if (totp.generate({ timestamp: step * TOTP_PERIOD_SECONDS * 1000 }) === token) {
      return step;
    }
  }
  return null;
}

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

// Ten characters from 31 (about 50 bits) in two groups: xxxxx-xxxxx.
export function newRecoveryCode(): string {
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]);
  return `${chars.slice(0, 5).join('')}-${chars.slice(5).join('')}`;
}

// What is stored of a recovery code: the hash of its letters, however it was typed.
export function recoveryCodeHash(code: string): string | null {
  const letters = code.toLowerCase().replace(/[\s-]+/g, '');
  return /^[a-z0-9]{10}$/.test(letters) ? sha256Hex(`recovery:${letters}`) : null;
}
