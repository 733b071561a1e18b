import { Injectable } from '@nestjs/common';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { LessThan } from 'typeorm';
import { Clock } from '../common/clock.js';
import { Transactions } from '../database/transactions.js';
import { FederatedLoginExpired, FederatedLoginRefused } from './federation.errors.js';
import { FederationLogin, type LoginIntent } from './federation-login.entity.js';

// Long enough to pick a password manager entry and do a second factor at the institution.
export const LOGIN_VALIDITY_MS = 15 * 60_000;

export interface VerifiedIdentity {
  protocol: 'saml' | 'oidc';
  provider: string;
  // '<kind>:<value>' for SAML (subject-id, pairwise-id, eppn), '<issuer>#<sub>' for OIDC.
  subject: string;
  email: string | null;
  displayName: string | null;
  entitlements: string[];
}

export interface StartedLogin {
  id: string;
  // Goes into a cookie of the browser that starts the sign-in; only its hash is stored.
  browserSecret: string;
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

// Sign-ins in progress, kept in the database so that any instance can take the IdP's answer
// and each answer is taken once.
@Injectable()
export class FederationLoginsService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
  ) {}

  async start(
    protocol: FederationLogin['protocol'],
    provider: string,
    intent: LoginIntent,
    intentRef: number | null,
    nextPath: string,
    oidc: { pkceVerifier: string; nonce: string } | null = null,
  ): Promise<StartedLogin> {
    // SAML IDs must not start with a digit (xs:ID); '_' plus 160 random bits.
    const id = `_${randomBytes(20).toString('hex')}`;
    const browserSecret = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    // Finished and abandoned sign-ins are of no use a day later.
    await this.tx.manager.delete(FederationLogin, {
      expiresAt: LessThan(new Date(now.getTime() - 24 * 3600_000)),
    });
    await this.tx.manager.insert(FederationLogin, {
      id,
      protocol,
      provider,
      intent,
      intentRef,
      nextPath: nextPath.slice(0, 2048),
      browserHash: sha256(browserSecret),
      pkceVerifier: oidc?.pkceVerifier ?? null,
      nonce: oidc?.nonce ?? null,
      expiresAt: new Date(now.getTime() + LOGIN_VALIDITY_MS),
      answeredAt: null,
      identity: null,
      completedAt: null,
    });
    return { id, browserSecret };
  }

  // An unanswered, unexpired sign-in of this protocol, or a refusal.
  async pending(id: string, protocol: FederationLogin['protocol']): Promise<FederationLogin> {
    const login = id.length <= 64 ? await this.tx.manager.findOneBy(FederationLogin, { id }) : null;
    if (!login || login.protocol !== protocol) {
      throw new FederatedLoginRefused('unknown or unsolicited request');
    }
    if (login.answeredAt) {
      throw new FederatedLoginRefused('request already answered (replay)');
    }
    if (login.expiresAt <= this.clock.now()) {
      throw new FederatedLoginExpired();
    }
    return login;
  }

  // Records the verified answer. The conditional update is the single-use guarantee: of two
  // instances given the same response at once, exactly one succeeds.
  async answer(id: string, identity: VerifiedIdentity): Promise<void> {
    const now = this.clock.now();
    const result = await this.tx.manager
      .createQueryBuilder()
      .update(FederationLogin)
      .set({ answeredAt: now, identity: JSON.stringify(identity) })
      .where('id = :id', { id })
      .andWhere('answered_at IS NULL')
      .andWhere('expires_at > :now', { now })
      .execute();
    if (result.affected !== 1) {
      throw new FederatedLoginRefused('request already answered (replay)');
    }
  }

  assertSameBrowser(login: FederationLogin, browserSecret: string | undefined): void {
    const given = Buffer.from(sha256(browserSecret ?? ''));
    if (!browserSecret || !timingSafeEqual(given, Buffer.from(login.browserHash))) {
      throw new FederatedLoginRefused('finished in another browser than it started');
    }
  }

  // The browser returns from the IdP: it must be the one that started, and it can come once.
  async complete(
    id: string,
    browserSecret: string | undefined,
  ): Promise<{ login: FederationLogin; identity: VerifiedIdentity }> {
    const login = id.length <= 64 ? await this.tx.manager.findOneBy(FederationLogin, { id }) : null;
    if (!login?.answeredAt || !login.identity) {
      throw new FederatedLoginRefused('no verified answer for this sign-in');
    }
    this.assertSameBrowser(login, browserSecret);
    const now = this.clock.now();
    const result = await this.tx.manager
      .createQueryBuilder()
      .update(FederationLogin)
      .set({ completedAt: now })
      .where('id = :id', { id })
      .andWhere('completed_at IS NULL')
      .execute();
    if (result.affected !== 1 || login.expiresAt <= now) {
      throw new FederatedLoginExpired();
    }
    return { login, identity: JSON.parse(login.identity) as VerifiedIdentity };
  }
}
