import type { OnModuleDestroy } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import { MailTransport, type OutgoingMail } from './mail-transport.js';

// nodemailer over one connection per message: the dispatcher sends small batches, and a
// fresh connection after a failure needs no pool state to recover.
export class SmtpTransport extends MailTransport implements OnModuleDestroy {
  readonly name = 'smtp' as const;
  private readonly transporter: ReturnType<typeof createTransport>;
  private readonly domain: string;

  constructor(
    url: string,
    private readonly from: string,
  ) {
    super();
    this.domain = /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';
    // Bounded waits, so one stuck server cannot hold a claimed batch past its lease.
    this.transporter = createTransport({
      url,
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
