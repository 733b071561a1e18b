import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import type { Principal } from '../accounts/principal.js';
import { RoleGrant } from '../accounts/role-grant.entity.js';
import { wantsNotification } from '../accounts/notifications.js';
import { User } from '../accounts/user.entity.js';
import { Clock } from '../common/clock.js';
import { appConfig } from '../config/app.config.js';
import { approvalsConfig, type ApprovalsConfig } from '../config/approvals.config.js';
import { insertOnce } from '../database/exactly-once.js';
import { Transactions } from '../database/transactions.js';
import { isLanguage } from '../i18n/languages.js';
import { MailService } from '../mail/mail.service.js';
import { Nren } from '../nrens/nren.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { Substitution } from '../requests/substitution.entity.js';
import { RequestsService } from '../requests/requests.service.js';
import { ApprovalDigest } from './approval-digest.entity.js';

// Approvers hear that requests await them: one digest per person at most every
// APPROVAL_DIGEST_MINUTES, and only when something arrived since the last one, never a mail
// per request. Every instance may run it: the (person, slot) key lets one digest through.
@Injectable()
export class ApprovalDigestJob {
  private readonly logger = new Logger('ApprovalDigestJob');

  constructor(
    private readonly tx: Transactions,
    private readonly requests: RequestsService,
    private readonly mail: MailService,
    private readonly clock: Clock,
    @Inject(approvalsConfig.KEY) private readonly config: ApprovalsConfig,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  @Cron(CronExpression.EVERY_5_MINUTES, { name: 'approval-digest' })
  async job(): Promise<void> {
    try {
      const sent = await this.run(this.clock.now());
      if (sent.length) {
        this.logger.log(`approval digests sent to ${sent.length} approver(s)`);
      }
    } catch (err) {
      this.logger.error(`approval digest failed: ${(err as Error).message}`);
    }
  }

  // Answers the ids of the people a digest was queued for.
  async run(now: Date): Promise<number[]> {
    const intervalMs = this.config.digestMinutes * 60_000;
    const slot = Math.floor(now.getTime() / intervalMs);
    const em = this.tx.manager;
    const grants = await em
      .createQueryBuilder(RoleGrant, 'g')
      .select('DISTINCT g.user_id', 'id')
      .where('g.role IN (:...roles)', { roles: ['rao', 'drao', 'nren-admin'] })
      .getRawMany<{ id: number }>();
    const standingIn = await em
      .createQueryBuilder(Substitution, 's')
      .select('DISTINCT s.substitute_id', 'id')
      .where('s.starts_at <= :now AND s.ends_at > :now', { now })
      .getRawMany<{ id: number }>();
    const people = [...new Set([...grants, ...standingIn].map((r) => Number(r.id)))];
    const sent: number[] = [];
    for (const personId of people) {
      const p = await this.principalOf(personId);
      if (!p || !(await wantsNotification(em, personId, 'approval-digest'))) {
        continue;
      }
      const waiting = await this.requests.list(
        p,
        { page: 1, size: 1, q: '' },
        { awaitingMe: true },
      );
      if (waiting.total === 0) {
        continue;
      }
      const newest = (
        await this.requests.list(p, { page: waiting.total, size: 1, q: '' }, { awaitingMe: true })
      ).items[0];
      const last = await em.findOne(ApprovalDigest, {
        where: { personId },
        order: { id: 'DESC' },
      });
      if (
        !newest ||
        (last &&
          (last.newestRequestId >= newest.id || now.getTime() - last.sentAt.getTime() < intervalMs))
      ) {
        continue;
      }
      const queued = await this.tx.run(async (tem) => {
        const first = await insertOnce(tem, ApprovalDigest, {
          personId,
          slot,
          newestRequestId: newest.id,
          sentAt: new Date(Math.floor(now.getTime() / 1000) * 1000),
        });
        if (!first) {
          return false;
        }
        const user = await tem.findOneByOrFail(User, { id: personId });
        await this.mail.enqueue(tem, {
          to: user.email,
          template: 'approval-digest',
          language: await this.languageOf(tem, user, p.grants),
          context: { count: waiting.total },
        });
        return true;
      });
      if (queued) {
        sent.push(personId);
      }
    }
    return sent;
  }

  // The approver as the queue sees them: their grants (active accounts only).
  private async principalOf(userId: number): Promise<Principal | null> {
    const user = await this.tx.manager.findOneBy(User, { id: userId });
    if (!user?.active) {
      return null;
    }
    const grants = await this.tx.manager.findBy(RoleGrant, { userId });
    return {
      userId,
      email: user.email,
      displayName: user.displayName,
      language: user.language,
      grants: grants.map((g) => ({ role: g.role, scopeId: g.scopeId })),
      via: 'session',
    };
  }

  // The person's stored language, else the default language of the NREN they work in, else
  // the platform's.
  private async languageOf(
    em: Transactions['manager'],
    user: User,
    grants: { role: string; scopeId: number }[],
  ) {
    if (isLanguage(user.language)) {
      return user.language;
    }
    const nrenGrant = grants.find((g) => g.role === 'nren-admin');
    const nren = nrenGrant ? await em.findOneBy(Nren, { id: nrenGrant.scopeId }) : null;
    if (nren && isLanguage(nren.defaultLanguage)) {
      return nren.defaultLanguage;
    }
    const org = grants.find((g) => g.role === 'rao');
    if (org) {
      const organisation = await em.findOneBy(Organisation, { id: org.scopeId });
      const home = organisation ? await em.findOneBy(Nren, { id: organisation.nrenId }) : null;
      const lang = home?.defaultLanguage;
      if (isLanguage(lang)) {
        return lang;
      }
    }
    return this.app.defaultLanguage;
  }
}
