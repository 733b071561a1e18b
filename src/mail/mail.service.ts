import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager, type FindOptionsSelect } from 'typeorm';
import { isPlatformAdmin, type Principal } from '../accounts/principal.js';
import { Clock } from '../common/clock.js';
import { NotFound, ValidationFailed } from '../common/errors.js';
import { appConfig } from '../config/app.config.js';
import { Transactions } from '../database/transactions.js';
import type { Language } from '../i18n/languages.js';
import { Cron, CronExpression } from '@nestjs/schedule';
import { MailDispatcher } from './mail.dispatcher.js';
import { forgetSecrets } from './mail-secrets.js';
import { MailMessage } from './mail-message.entity.js';
import { MailRenderer } from './mail-renderer.js';
import { wholeSeconds } from '../database/whole-seconds.js';

export interface MailRequest {
  to: string;
  // views/mail/<template>.text.hbs (+ optional .html.hbs); subject from mail.<template>.subject
  template: string;
  // The recipient's stored language: there is no request language in a cron job.
  language: Language;
  context: Record<string, unknown>;
  // The token a link in the body carries, and when that link stops working.
  secret?: { value: string; expiresAt: Date };
}

export const OUTBOX_PAGE_SIZE = 50;
// One INSERT of queueAll(): at most this many messages, and about this many characters of
// bodies (MySQL's max_allowed_packet is 16 or 64 MB by default; UTF-8 takes up to 4 bytes).
const QUEUE_ROWS = 100;
const QUEUE_BYTES = 2_000_000;

export interface OutboxPage {
  items: MailMessage[];
  page: number;
  pageSize: number;
  total: number;
  pages: number;
}

const SINGLE_ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;
const LIST_COLUMNS: FindOptionsSelect<MailMessage> = {
  id: true,
  toAddress: true,
  subject: true,
  language: true,
  template: true,
  status: true,
  attempts: true,
  transport: true,
  createdAt: true,
  sentAt: true,
};

@Injectable()
export class MailService {
  constructor(
    private readonly renderer: MailRenderer,
    private readonly dispatcher: MailDispatcher,
    private readonly tx: Transactions,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  // Renders now and queues in the caller's transaction: the change that causes the e-mail
  // and the e-mail commit together or not at all. Once that transaction commits, the
  // dispatcher is woken to deliver it at once, without waiting for its next tick.
  async enqueue(em: EntityManager, mail: MailRequest): Promise<MailMessage> {
    const saved = await em.save(this.compose(mail));
    this.tx.afterCommit(em, () => this.dispatcher.kick());
    return saved;
  }

  // What enqueue does before it writes: checks the address and renders the message. A job
  // that queues many mails composes each one, then writes them together with queueAll().
  compose(mail: MailRequest): MailMessage {
    const to = mail.to.trim();
    if (to.length > 254 || !SINGLE_ADDRESS.test(to)) {
      throw new ValidationFailed([{ field: 'to', code: 'email_invalid' }]);
    }
    const rendered = this.renderer.render(mail.template, mail.language, {
      baseUrl: this.app.baseUrl,
      ...mail.context,
    });
    const now = wholeSeconds(this.clock.now());
    return Object.assign(new MailMessage(), {
      toAddress: to,
      subject: rendered.subject,
      textBody: rendered.text,
      htmlBody: rendered.html,
      language: mail.language,
      template: mail.template,
      status: 'queued',
      attempts: 0,
      nextAttemptAt: now,
      claimedBy: null,
      claimedUntil: null,
      sentAt: null,
      transport: null,
      lastError: null,
      createdAt: now,
      secret: mail.secret?.value ?? null,
      secretExpiresAt: mail.secret ? wholeSeconds(mail.secret.expiresAt) : null,
    } satisfies Omit<MailMessage, 'id'>);
  }

  // Queues composed messages in the caller's transaction, as enqueue does one, with a
  // multi-row INSERT per QUEUE_BYTES of bodies (under MySQL's max_allowed_packet); each
  // message gets its id. The ids of one INSERT come back from the driver: MariaDB's RETURNING,
  // or the first id plus the row's place (MySQL hands a multi-row INSERT consecutive ids in
  // every auto-increment lock mode; SQLite's writer is alone).
  async queueAll(em: EntityManager, messages: MailMessage[]): Promise<void> {
    let chunk: MailMessage[] = [];
    let bytes = 0;
    const flush = async () => {
      if (chunk.length === 0) {
        return;
      }
      const result = await em.insert(MailMessage, chunk);
      chunk.forEach((m, i) => (m.id = (result.identifiers[i] as { id: number }).id));
      chunk = [];
      bytes = 0;
    };
    for (const message of messages) {
      const size = message.textBody.length + (message.htmlBody?.length ?? 0);
      if (chunk.length >= QUEUE_ROWS || (chunk.length > 0 && bytes + size > QUEUE_BYTES)) {
        await flush();
      }
      chunk.push(message);
      bytes += size;
    }
    await flush();
    if (messages.length > 0) {
      this.tx.afterCommit(em, () => this.dispatcher.kick());
    }
  }

  // The link was used: the messages that carried it no longer hold it.
  forgetSecret(em: EntityManager, secret: string): Promise<number> {
    return forgetSecrets(em, { secret });
  }

  async forgetExpiredSecrets(now: Date): Promise<number> {
    return this.tx.run((em) => forgetSecrets(em, { expiredBy: now }));
  }

  @Cron(CronExpression.EVERY_10_MINUTES, { name: 'mail-forget-expired-secrets' })
  async forgetExpiredSecretsJob(): Promise<void> {
    await this.forgetExpiredSecrets(this.clock.now());
  }

  // A test message to the administrator's own address, to check the mail set-up.
  async sendTest(principal: Principal, language: Language): Promise<MailMessage> {
    this.requireAdmin(principal);
    return this.tx.run((em) =>
      this.enqueue(em, {
        to: principal.email,
        template: 'test',
        language,
        context: { name: principal.displayName || principal.email },
      }),
    );
  }

  // Newest first, one bounded page. The list view leaves the bodies out.
  async outbox(
    principal: Principal,
    options: { page: number; to?: string; bodies?: boolean },
  ): Promise<OutboxPage> {
    this.requireAdmin(principal);
    const page = Math.max(1, Math.floor(options.page) || 1);
    const where = options.to ? { toAddress: options.to } : {};
    // Not findAndCount: with a select it counts DISTINCT(a || b …), which NULLs throw off.
    const total = await this.tx.manager.count(MailMessage, { where });
    const items = await this.tx.manager.find(MailMessage, {
      select: options.bodies ? undefined : LIST_COLUMNS,
      where,
      order: { id: 'DESC' },
      skip: (page - 1) * OUTBOX_PAGE_SIZE,
      take: OUTBOX_PAGE_SIZE,
    });
    return {
      items,
      page,
      pageSize: OUTBOX_PAGE_SIZE,
      total,
      pages: Math.max(1, Math.ceil(total / OUTBOX_PAGE_SIZE)),
    };
  }

  async outboxMessage(principal: Principal, id: number): Promise<MailMessage> {
    this.requireAdmin(principal);
    const message = await this.tx.manager.findOne(MailMessage, { where: { id } });
    if (!message) {
      throw new NotFound('mail');
    }
    return message;
  }

  // Others get the answer an unknown page gets: the outbox's existence is not their business.
  private requireAdmin(principal: Principal): void {
    if (!isPlatformAdmin(principal)) {
      throw new NotFound();
    }
  }
}
