import type { MailTransportName } from './mail-message.entity.js';

// A rendered message, ready to hand to whatever delivers it. The sender address is the
// transport's business (MAIL_FROM), not the caller's.
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string | null;
  // Stable per queued message (becomes the Message-ID), so a copy delivered twice (see
  // MailDispatcher) can be recognised as the same message.
  key: string;
}

// The port: SMTP in production, the outbox on embedded defaults. Used as the DI token.
export abstract class MailTransport {
  abstract readonly name: MailTransportName;
  // How many messages the dispatcher may hand over at once (SMTP: its pooled connections).
  readonly parallel: number = 1;
  // Resolves once the peer has accepted the message; rejects with the reason otherwise.
  abstract deliver(message: OutgoingMail): Promise<void>;
}
