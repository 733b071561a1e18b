import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const MAIL_STATUSES = ['queued', 'sent', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

export const MAIL_TRANSPORTS = ['smtp', 'outbox'] as const;
export type MailTransportName = (typeof MAIL_TRANSPORTS)[number];

// One e-mail, rendered when it is queued (in the sender's transaction) and delivered later by
// MailDispatcher, which claims rows through claimed_by/claimed_until.
@Entity('mail_messages')
@Index('ix_mail_messages_due', ['status', 'nextAttemptAt'])
@Index('ix_mail_messages_secret_expiry', ['secretExpiresAt'])
export class MailMessage {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'to_address', type: 'varchar', length: 254 })
  toAddress: string;

  @Column({ type: 'varchar', length: 300 })
  subject: string;

  @Column({ name: 'text_body', type: 'text' })
  textBody: string;

  @Column({ name: 'html_body', type: 'text', nullable: true })
  htmlBody: string | null;

  @Column({ type: 'varchar', length: 8 })
  language: string;

  @Column({ type: 'varchar', length: 64 })
  template: string;

  @Column({ type: 'varchar', length: 16 })
  status: MailStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ name: 'next_attempt_at', type: 'datetime' })
  nextAttemptAt: Date;

  @Column({ name: 'claimed_by', type: 'varchar', length: 64, nullable: true })
  claimedBy: string | null;

  @Column({ name: 'claimed_until', type: 'datetime', nullable: true })
  claimedUntil: Date | null;

  @Column({ name: 'sent_at', type: 'datetime', nullable: true })
  sentAt: Date | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  transport: MailTransportName | null;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  // The token of the link in the body, until the message is delivered by SMTP or the link
  // is used or expires: then it is taken out of the body and forgotten (see mail-secrets.ts).
  @Index('ix_mail_messages_secret')
  @Column({ type: 'varchar', length: 128, nullable: true })
  secret: string | null;

  @Column({ name: 'secret_expires_at', type: 'datetime', nullable: true })
  secretExpiresAt: Date | null;
}
