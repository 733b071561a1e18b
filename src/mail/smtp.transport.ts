import type { OnModuleDestroy } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { MailTransport, type OutgoingMail } from './mail-transport.js';

// nodemailer's pooled transport: a few connections kept open and reused, so a message costs
// one MAIL FROM … DATA exchange rather than a connect, greeting and EHLO. A connection the
// server closed while idle leaves the pool and the next message opens a new one; a message
// whose connection closes under it is tried once more on a fresh connection, and a message
// that still fails is rejected like any other failure, so the queue retries it later.
export class SmtpTransport extends MailTransport implements OnModuleDestroy {
  readonly name = 'smtp' as const;
  private readonly transporter: ReturnType<typeof createTransport>;
  private readonly domain: string;

  // connections (SMTP_CONNECTIONS): kept open to the server, each one message at a time; the
  // dispatcher hands over this many messages at once.
  constructor(
    url: string,
    private readonly from: string,
    override readonly parallel: number,
  ) {
    super();
    this.domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
    // Bounded waits, so one stuck server cannot hold a claimed batch past its lease (an idle
    // pooled connection is closed after socketTimeout too).
    this.transporter = createTransport({
      url,
      pool: true,
      maxConnections: parallel,
      // A fresh session now and then: servers limit messages per connection too.
      maxMessages: 100,
      maxRequeues: 1,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 30_000,
    });
  }

  override async deliver(message: OutgoingMail): Promise<void> {
    await this.transporter.sendMail({
      from: this.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html ?? undefined,
      messageId: `<${message.key}@${this.domain}>`,
      // RFC 3834: machine-sent, so auto-responders stay quiet.
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
  }

  onModuleDestroy(): void {
    this.transporter.close();
  }
}
