import { MailTransport, type OutgoingMail } from './mail-transport.js';

// Delivers nowhere: the message stays in mail_messages, readable at /admin/outbox and
// /api/v1/outbox. The embedded default, so a local run needs no mail server.
export class OutboxTransport extends MailTransport {
  readonly name = 'outbox' as const;

  override deliver(_message: OutgoingMail): Promise<void> {
    return Promise.resolve();
  }
}
