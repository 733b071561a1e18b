import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type ReminderOutcome = 'sent' | 'skipped';

// The reminder log, and what makes a reminder happen once: one row per (certificate,
// threshold, recipient), inserted in the transaction that queues the mail (insertOnce).
@Entity('expiry_reminders')
@Index('uq_expiry_reminders', ['certificateId', 'thresholdDays', 'recipient'], { unique: true })
export class ExpiryReminder {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'certificate_id', type: 'int' })
  certificateId: number;

  @Column({ name: 'threshold_days', type: 'int' })
  thresholdDays: number;

  // Lower case, as compared.
  @Column({ type: 'varchar', length: 254 })
  recipient: string;

  @Column({ type: 'varchar', length: 16 })
  outcome: ReminderOutcome;

  @Column({ name: 'mail_id', type: 'int', nullable: true })
  mailId: number | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}

// Up to where (the job's "now") every crossing has been handled: the next run starts there.
@Entity('expiry_reminder_cursor')
export class ExpiryReminderCursor {
  @Column({ type: 'varchar', length: 32, primary: true })
  name: string;

  @Column({ type: 'datetime' })
  position: Date;
}

export type PolicyScope = 'nren' | 'organisation';

// Thresholds an NREN sets for its organisations, or an organisation for itself.
@Entity('expiry_reminder_policies')
@Index('uq_expiry_reminder_policies', ['scope', 'scopeId'], { unique: true })
export class ExpiryReminderPolicy {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 16 })
  scope: PolicyScope;

  @Column({ name: 'scope_id', type: 'int' })
  scopeId: number;

  // "60,30,14,7,3,1,-1"
  @Column({ type: 'varchar', length: 100 })
  days: string;
}

// Per certificate: muted by an RAO (audited), and addresses to remind besides the owners.
@Entity('certificate_reminder_settings')
export class CertificateReminderSettings {
  @Column({ name: 'certificate_id', type: 'int', primary: true })
  certificateId: number;

  @Column({ name: 'muted_at', type: 'datetime', nullable: true })
  mutedAt: Date | null;

  @Column({ name: 'muted_by', type: 'int', nullable: true })
  mutedBy: number | null;

  @Column({ name: 'extra_addresses', type: 'varchar', length: 2000, default: '' })
  extraAddresses: string;
}
