import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EntityManager, IsNull, MoreThan } from 'typeorm';
import { z } from 'zod';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { field, parseInput } from '../common/input.js';
import { sha256Hex } from '../common/hash.js';
import { Transactions } from '../database/transactions.js';
import { isLanguage, type Language } from '../i18n/languages.js';
import { MailService } from '../mail/mail.service.js';
import { normaliseEmail } from '../accounts/accounts.service.js';
import { PasswordsService } from '../accounts/passwords.service.js';
import { User } from '../accounts/user.entity.js';
import { PasswordReset } from './password-reset.entity.js';
import { ResetLinkInvalid } from './people.errors.js';

// Short-lived: the link sits in a mailbox; 30 minutes is enough to use it.
const RESET_VALIDITY_MS = 30 * 60 * 1000;
// One link per account and five minutes at most: the form cannot be used to flood a mailbox.
const RESET_INTERVAL_MS = 5 * 60 * 1000;

// "Forgot password": a link by e-mail that sets a new password once, within 30 minutes.
@Injectable()
export class PasswordResetsService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly mail: MailService,
    private readonly passwords: PasswordsService,
  ) {}

  // Says nothing about whether the address has an account: the caller shows the same
  // answer either way, and the work done is the same up to the mail queued.
  async requestReset(input: unknown, fallbackLanguage: Language, ip: string | undefined) {
    const { email } = parseInput(z.object({ email: field.email() }), input);
    const token = randomBytes(32).toString('base64url');
    await this.tx.run(async (em) => {
      const user = await em.findOneBy(User, { email: normaliseEmail(email) });
      if (!user?.passwordHash) {
        return;
      }
      const now = this.clock.now();
      const recent = await em.existsBy(PasswordReset, {
        userId: user.id,
        createdAt: MoreThan(new Date(now.getTime() - RESET_INTERVAL_MS)),
      });
      if (recent) {
        return;
      }
      // A new link replaces any older one.
      await em.delete(PasswordReset, { userId: user.id });
      const expiresAt = new Date(now.getTime() + RESET_VALIDITY_MS);
      await em.save(
        em.create(PasswordReset, {
          tokenHash: sha256Hex(token),
          userId: user.id,
          createdAt: now,
          expiresAt,
          usedAt: null,
        }),
      );
      await this.mail.enqueue(em, {
        to: user.email,
        template: 'password-reset',
        language: isLanguage(user.language) ? user.language : fallbackLanguage,
        context: { token, name: user.displayName || user.email },
        // The stored message loses the link once delivered, used or expired.
        secret: { value: token, expiresAt },
      });
      await this.audit.record(
        em,
        { id: null, label: user.email, ip: ip ?? null },
        { action: 'account.password-reset-requested', subjectType: 'user', subjectId: user.id },
      );
    });
  }

  private async openReset(em: EntityManager, token: string, lock: boolean) {
    const reset = await em.findOne(PasswordReset, {
      where: { tokenHash: sha256Hex(token), usedAt: IsNull() },
      lock: lock ? this.tx.forUpdate : undefined,
    });
    if (!reset || reset.expiresAt <= this.clock.now()) {
      throw new ResetLinkInvalid();
    }
    return reset;
  }

  async checkReset(token: string): Promise<void> {
    await this.openReset(this.tx.manager, token, false);
  }

  // Sets the password, uses the link up and ends every session of the account.
  async reset(token: string, input: unknown, ip: string | undefined): Promise<void> {
    const { password } = parseInput(
      z.object({ password: z.string({ error: 'required' }).min(1, 'required') }),
      input,
    );
    const reset = await this.openReset(this.tx.manager, token, false);
    const user = await this.tx.manager.findOneByOrFail(User, { id: reset.userId });
    const hash = await this.passwords.newHash(password, user.email, 'password');
    await this.tx.run(async (em) => {
      const current = await this.openReset(em, token, true);
      current.usedAt = this.clock.now();
      await em.save(current);
      await this.mail.forgetSecret(em, token);
      await em.update(User, { id: user.id }, { passwordHash: hash });
      await this.passwords.endSessions(em, user.id);
      await this.audit.record(
        em,
        { id: user.id, label: user.email, ip: ip ?? null },
        { action: 'account.password-reset', subjectType: 'user', subjectId: user.id },
      );
    });
  }
}
