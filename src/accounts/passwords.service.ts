import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { EntityManager, Not } from 'typeorm';
import { z } from 'zod';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { ValidationFailed } from '../common/errors.js';
import { parseInput } from '../common/input.js';
import { sha256Hex } from '../common/hash.js';
import { Transactions } from '../database/transactions.js';
import { SessionRecord } from '../sessions/session.entity.js';
import { passwordProblems } from './password-policy.js';
import { User } from './user.entity.js';

const ARGON2 = { type: argon2.argon2id } as const;
const changeInput = z.object({
  currentPassword: z.string({ error: 'required' }).min(1, 'required'),
  newPassword: z.string({ error: 'required' }).min(1, 'required'),
});

@Injectable()
export class PasswordsService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
  ) {}

  // Sessions other than the one given (the id as express-session knows it) end; how many did.
  async endSessions(em: EntityManager, userId: number, keepSid?: string): Promise<number> {
    const ended = await em.delete(SessionRecord, {
      userId,
      ...(keepSid ? { idHash: Not(sha256Hex(keepSid)) } : {}),
    });
    return ended.affected ?? 0;
  }

  // The hash of a new password, or the password rules' problems under the given field.
  async newHash(password: string, email: string, field: string): Promise<string> {
    const problems = passwordProblems(password, email);
    if (problems.length) {
      throw new ValidationFailed(problems.map((code) => ({ field, code })));
    }
    return argon2.hash(password, ARGON2);
  }

  async change(userId: number, input: unknown, keepSid: string, actor: Actor): Promise<void> {
    const data = parseInput(changeInput, input);
    const user = await this.tx.manager.findOneByOrFail(User, { id: userId });
    if (!user.passwordHash || !(await argon2.verify(user.passwordHash, data.currentPassword))) {
      throw new ValidationFailed([{ field: 'currentPassword', code: 'password_wrong' }]);
    }
    const hash = await this.newHash(data.newPassword, user.email, 'newPassword');
    await this.tx.run(async (em) => {
      await em.update(User, { id: userId }, { passwordHash: hash });
      await this.endSessions(em, userId, keepSid);
      await this.audit.record(em, actor, {
        action: 'account.password-changed',
        subjectType: 'user',
        subjectId: userId,
      });
    });
  }
}
