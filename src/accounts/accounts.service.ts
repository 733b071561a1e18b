import { Injectable, OnModuleInit } from '@nestjs/common';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { EntityManager, IsNull } from 'typeorm';
import { Actor, AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound, ValidationFailed } from '../common/errors.js';
import { sha256Hex } from '../common/hash.js';
import { Transactions } from '../database/transactions.js';
import { isLanguage } from '../i18n/languages.js';
import { AccountExists, LoginFailed, LoginThrottled } from './accounts.errors.js';
import { ApiToken } from './api-token.entity.js';
import { LoginThrottleService, throttleKeys } from './login-throttle.service.js';
import { passwordProblems } from './password-policy.js';
import type { Principal } from './principal.js';
import { RoleGrant } from './role-grant.entity.js';
import { User } from './user.entity.js';
import { NotificationOptOut } from './notification-opt-out.entity.js';
import { MANDATORY_NOTIFICATIONS, NOTIFICATION_KINDS } from './notifications.js';

const ARGON2 = { type: argon2.argon2id } as const;
const TOKEN_PREFIX = 'ra_';
// Writing last_used_at on every API call would turn reads into writes; once a minute is plenty.
const TOKEN_TOUCH_INTERVAL_MS = 60_000;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isPlausibleEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/.test(email);
}

export interface NewToken {
  token: ApiToken;
  secret: string;
}

@Injectable()
export class AccountsService implements OnModuleInit {
  // Verified against when the account does not exist, so both cases take the same time.
  private dummyHash = '';
  // Set by the federation module: whether this person may still log in with a password.
  private localLoginCheck: ((user: User) => Promise<void>) | null = null;

  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly throttle: LoginThrottleService,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    this.dummyHash = await argon2.hash(randomBytes(16).toString('hex'), ARGON2);
  }

  async createAdmin(email: string, password: string, actor: Actor): Promise<User> {
    const normalised = normaliseEmail(email);
    const problems = [];
    if (!isPlausibleEmail(normalised)) {
      problems.push({ field: 'email', code: 'email_invalid' });
    }
    problems.push(
      ...passwordProblems(password, normalised).map((code) => ({ field: 'password', code })),
    );
    if (problems.length) {
      throw new ValidationFailed(problems);
    }
    const passwordHash = await argon2.hash(password, ARGON2);
    return this.tx.run(async (em) => {
      if (await em.existsBy(User, { email: normalised })) {
        throw new AccountExists(normalised);
      }
      const user = await em.save(User, { email: normalised, displayName: '', passwordHash });
      await em.save(RoleGrant, { userId: user.id, role: 'platform-admin', scopeId: 0 });
      await this.audit.record(em, actor, {
        action: 'account.admin-created',
        subjectType: 'user',
        subjectId: user.id,
        detail: { email: normalised },
      });
      return user;
    });
  }

  async authenticate(email: string, password: string, ip: string | undefined): Promise<User> {
    const normalised = normaliseEmail(email);
    const keys = throttleKeys(normalised, ip);
    const wait = await this.throttle.attempt(keys);
    if (wait > 0) {
      throw new LoginThrottled(wait);
    }
    const user = normalised
      ? await this.tx.manager.findOneBy(User, { email: normalised, active: true })
      : null;
    const ok = await argon2.verify(user?.passwordHash ?? this.dummyHash, password.slice(0, 1024));
    if (!user || !user.passwordHash || !ok) {
      await this.audit.recordNow(
        { id: user?.id ?? null, label: normalised.slice(0, 254) || '(empty)', ip },
        { action: 'login.failed', subjectType: user ? 'user' : undefined, subjectId: user?.id },
      );
      throw new LoginFailed();
    }
    await this.throttle.succeeded(keys);
    await this.localLoginCheck?.(user);
    await this.audit.recordNow(
      { id: user.id, label: user.email, ip },
      { action: 'login', subjectType: 'user', subjectId: user.id },
    );
    return user;
  }

  setLocalLoginCheck(check: (user: User) => Promise<void>): void {
    this.localLoginCheck = check;
  }

  async loadPrincipal(userId: number, via: Principal['via']): Promise<Principal | null> {
    // find, not findOne: with a relation, findOne adds a DISTINCT query for its LIMIT 1, and
    // this runs on every request. The id is unique, so there is one user at most.
    const [user] = await this.tx.manager.find(User, {
      where: { id: userId, active: true },
      relations: { grants: true },
    });
    if (!user) {
      return null;
    }
    return {
      userId: user.id,
      email: user.email,
      displayName: user.displayName,
      language: user.language,
      grants: user.grants.map((g) => ({ role: g.role, scopeId: g.scopeId })),
      via,
    };
  }

  async setLanguage(userId: number, language: string, actor: Actor): Promise<void> {
    if (!isLanguage(language)) {
      throw new ValidationFailed([{ field: 'language', code: 'language_unknown' }]);
    }
    await this.tx.run(async (em) => {
      await em.update(User, { id: userId }, { language });
      await this.audit.record(em, actor, {
        action: 'account.language-changed',
        subjectType: 'user',
        subjectId: userId,
        detail: { language },
      });
    });
  }

  // The kinds of e-mail this person wants, from a form's ticked boxes; mandatory kinds are
  // always on whatever was sent.
  async setNotifications(userId: number, wanted: string[], actor: Actor): Promise<void> {
    const off = NOTIFICATION_KINDS.filter(
      (k) => !MANDATORY_NOTIFICATIONS.has(k) && !wanted.includes(k),
    );
    await this.tx.run(async (em) => {
      await em.delete(NotificationOptOut, { userId });
      if (off.length) {
        const createdAt = this.clock.now();
        await em.insert(
          NotificationOptOut,
          off.map((kind) => ({ userId, kind, createdAt })),
        );
      }
      await this.audit.record(em, actor, {
        action: 'account.notifications-changed',
        subjectType: 'user',
        subjectId: userId,
        detail: { off },
      });
    });
  }

  async createToken(email: string, name: string, actor: Actor): Promise<NewToken> {
    const user = await this.tx.manager.findOneBy(User, {
      email: normaliseEmail(email),
      active: true,
    });
    if (!user) {
      throw new NotFound('user');
    }
    return this.createTokenFor(user.id, name, actor);
  }

  async createTokenFor(userId: number, name: string, actor: Actor): Promise<NewToken> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) {
      throw new ValidationFailed([
        { field: 'name', code: trimmed ? 'too_long' : 'required', params: { max: 100 } },
      ]);
    }
    const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    return this.tx.run(async (em) => {
      const token = await em.save(ApiToken, {
        userId,
        name: trimmed,
        tokenHash: sha256Hex(secret),
        prefix: secret.slice(0, 10),
        lastUsedAt: null,
        revokedAt: null,
      });
      await this.audit.record(em, actor, {
        action: 'token.created',
        subjectType: 'user',
        subjectId: userId,
        detail: { tokenId: token.id, name: trimmed },
      });
      return { token, secret };
    });
  }

  listTokens(userId: number): Promise<ApiToken[]> {
    return this.tx.manager.find(ApiToken, {
      where: { userId, revokedAt: IsNull() },
      order: { id: 'DESC' },
      take: 100,
    });
  }

  async revokeToken(userId: number, tokenId: number, actor: Actor): Promise<void> {
    await this.tx.run(async (em: EntityManager) => {
      const token = await em.findOneBy(ApiToken, { id: tokenId, userId, revokedAt: IsNull() });
      if (!token) {
        throw new NotFound('token');
      }
      await em.update(ApiToken, { id: token.id }, { revokedAt: this.clock.now() });
      await this.audit.record(em, actor, {
        action: 'token.revoked',
        subjectType: 'user',
        subjectId: userId,
        detail: { tokenId: token.id, name: token.name },
      });
    });
  }

  async principalForToken(secret: string): Promise<Principal | null> {
    if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 100) {
      return null;
    }
    const token = await this.tx.manager.findOneBy(ApiToken, {
      tokenHash: sha256Hex(secret),
      revokedAt: IsNull(),
    });
    if (!token) {
      return null;
    }
    const now = this.clock.now();
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > TOKEN_TOUCH_INTERVAL_MS) {
      await this.tx.run((em) => em.update(ApiToken, { id: token.id }, { lastUsedAt: now }));
    }
    return this.loadPrincipal(token.userId, 'token');
  }
}
