import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request } from 'express';
import QRCode from 'qrcode';
import { EntityManager, IsNull, Not } from 'typeorm';
import { Actor, AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { appConfig } from '../config/app.config.js';
import { SecretBox } from '../common/secret-box.js';
import { Transactions } from '../database/transactions.js';
import { startSession } from '../sessions/session-helpers.js';
import {
  LoginThrottled,
  SecondFactorMissing,
  SecondFactorPresent,
  SecondFactorWrong,
} from './accounts.errors.js';
import { LoginThrottleService, secondFactorThrottleKey } from './login-throttle.service.js';
import { RecoveryCode, SecondFactor } from './second-factor.entity.js';
import {
  matchTotp,
  newRecoveryCode,
  newTotpSecret,
  otpauthUri,
  RECOVERY_CODE_COUNT,
  recoveryCodeHash,
} from './totp.js';
import { User } from './user.entity.js';

// A password accepted, the code not yet: after this long the login starts again.
export const PENDING_LOGIN_MS = 10 * 60 * 1000;

export interface Enrolment {
  secret: string;
  uri: string;
  qrSvg: string;
}

export interface SecondFactorStatus {
  enrolled: boolean;
  recoveryCodesLeft: number;
}

@Injectable()
export class SecondFactorService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly throttle: LoginThrottleService,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  async isEnrolled(userId: number, em: EntityManager = this.tx.manager): Promise<boolean> {
    return em.existsBy(SecondFactor, { userId, confirmedAt: Not(IsNull()) });
  }

  async status(userId: number): Promise<SecondFactorStatus> {
    const enrolled = await this.isEnrolled(userId);
    const recoveryCodesLeft = enrolled
      ? await this.tx.manager.countBy(RecoveryCode, { userId, usedAt: IsNull() })
      : 0;
    return { enrolled, recoveryCodesLeft };
  }

  // Where a login goes once the password (or the federation) has spoken: straight in, or
  // first to the code page. Until the code is right the session carries no user at all.
  async signIn(req: Request, userId: number, next: string): Promise<string> {
    const now = this.clock.now().getTime();
    if (await this.isEnrolled(userId)) {
      await startSession(req, userId, now, { pendingNext: next });
      return '/login/code';
    }
    await startSession(req, userId, now);
    return next;
  }

  // The person waiting at the code page, if their password was accepted recently enough.
  pendingUserId(req: Request): number | null {
    const s = req.session;
    if (!s?.pendingUserId || this.clock.now().getTime() - (s.loginAt ?? 0) > PENDING_LOGIN_MS) {
      return null;
    }
    return s.pendingUserId;
  }

  // The code page's answer: a fresh, fully signed-in session, and where to go now.
  async completeSignIn(req: Request, code: string): Promise<string | null> {
    const userId = this.pendingUserId(req);
    if (!userId) {
      return null;
    }
    const next = req.session.pendingNext ?? '/';
    const user = await this.tx.manager.findOneBy(User, { id: userId, active: true });
    if (!user) {
      return null;
    }
    await this.verify(userId, code, { id: user.id, label: user.email, ip: req.ip }, 'login');
    await startSession(req, userId, this.clock.now().getTime());
    return next;
  }

  // A new secret to scan, kept (sealed) until confirmed; shown again if the page reloads.
  async beginEnrolment(userId: number, email: string): Promise<Enrolment> {
    const secret = await this.tx.run(async (em) => {
      const row = await em.findOne(SecondFactor, { where: { userId }, lock: this.tx.forUpdate });
      if (row?.confirmedAt) {
        throw new SecondFactorPresent();
      }
      if (row) {
        return this.box.open(row.secretSealed);
      }
      const fresh = newTotpSecret();
      await em.insert(SecondFactor, {
        userId,
        secretSealed: this.box.seal(fresh),
        confirmedAt: null,
        lastUsedStep: null,
        createdAt: this.clock.now(),
      });
      return fresh;
    });
    const issuer = `TCS RA ${new URL(this.app.baseUrl).hostname}`;
    const uri = otpauthUri(secret, email, issuer);
    const qrSvg = await QRCode.toString(uri, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return { secret, uri, qrSvg };
  }

  // The first code proves the authenticator has the secret; recovery codes are made then and
  // returned this once.
  async confirmEnrolment(userId: number, code: string, actor: Actor): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await this.tx.run(async (em) => {
      const row = await em.findOne(SecondFactor, { where: { userId }, lock: this.tx.forUpdate });
      if (!row) {
        throw new SecondFactorMissing();
      }
      if (row.confirmedAt) {
        throw new SecondFactorPresent();
      }
      const now = this.clock.now();
      const step = matchTotp(this.box.open(row.secretSealed), code, now, null);
      if (step === null) {
        throw new SecondFactorWrong();
      }
      await em.update(SecondFactor, { userId }, { confirmedAt: now, lastUsedStep: step });
      await em.delete(RecoveryCode, { userId });
      await em.insert(
        RecoveryCode,
        codes.map((c) => ({ userId, codeHash: recoveryCodeHash(c)!, usedAt: null })),
      );
      await this.audit.record(em, actor, {
        action: 'second-factor.enrolled',
        subjectType: 'user',
        subjectId: userId,
      });
    });
    return codes;
  }

  // Checks a code (TOTP, or an unused recovery code), counted against the account's
  // throttle before it is looked at. Each code works once: the TOTP step is moved on and a
  // recovery code marked used by conditional updates, so two instances cannot both accept it.
  async verify(userId: number, code: string, actor: Actor, purpose: 'login' | 'disable') {
    const key = secondFactorThrottleKey(userId);
    const wait = await this.throttle.attempt([key]);
    if (wait > 0) {
      throw new LoginThrottled(wait);
    }
    const row = await this.tx.manager.findOneBy(SecondFactor, {
      userId,
      confirmedAt: Not(IsNull()),
    });
    if (!row) {
      throw new SecondFactorMissing();
    }
    const now = this.clock.now();
    let method: 'totp' | 'recovery-code' | null = null;
    const step = matchTotp(this.box.open(row.secretSealed), code, now, row.lastUsedStep);
    if (step !== null) {
      const moved = await this.tx.run((em) =>
        em
          .createQueryBuilder()
          .update(SecondFactor)
          .set({ lastUsedStep: step })
          .where('user_id = :userId AND (last_used_step IS NULL OR last_used_step < :step)', {
            userId,
            step,
          })
          .execute(),
      );
      method = moved.affected === 1 ? 'totp' : null;
    } else {
      const hash = recoveryCodeHash(code);
      if (hash) {
        const used = await this.tx.run((em) =>
          em.update(RecoveryCode, { userId, codeHash: hash, usedAt: IsNull() }, { usedAt: now }),
        );
        method = used.affected === 1 ? 'recovery-code' : null;
      }
    }
    if (!method) {
      await this.audit.recordNow(actor, {
        action: 'second-factor.failed',
        subjectType: 'user',
        subjectId: userId,
        detail: { purpose },
      });
      throw new SecondFactorWrong();
    }
    await this.throttle.succeeded([key]);
    await this.audit.recordNow(actor, {
      action: purpose === 'login' ? 'login.second-factor' : 'second-factor.checked',
      subjectType: 'user',
      subjectId: userId,
      detail: { method },
    });
  }

  // Turning one's own second factor off takes a current code.
  async disableOwn(userId: number, code: string, actor: Actor): Promise<void> {
    await this.verify(userId, code, actor, 'disable');
    await this.tx.run(async (em) => {
      await this.remove(em, userId);
      await this.audit.record(em, actor, {
        action: 'second-factor.disabled',
        subjectType: 'user',
        subjectId: userId,
      });
    });
  }

  // The secret and the recovery codes go; the caller audits why.
  async remove(em: EntityManager, userId: number): Promise<boolean> {
    const removed = await em.delete(SecondFactor, { userId });
    await em.delete(RecoveryCode, { userId });
    return (removed.affected ?? 0) > 0;
  }
}
