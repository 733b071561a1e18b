import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

// Append-only. Each row's hash covers its own fields and the previous row's hash, so an
// edited or deleted row breaks the chain (see AuditService.verify).
@Entity('audit_events')
@Index('ix_audit_subject', ['subjectType', 'subjectId'])
@Index('ix_audit_actor', ['actorId'])
export class AuditEvent {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'occurred_at', type: 'datetime' })
  occurredAt: Date;

  @Column({ name: 'actor_id', type: 'int', nullable: true })
  actorId: number | null;

  // Who it was in words (e-mail address, 'cli', 'system'), kept even if the account goes.
  @Column({ name: 'actor_label', type: 'varchar', length: 254 })
  actorLabel: string;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 32, nullable: true })
  subjectType: string | null;

  @Column({ name: 'subject_id', type: 'varchar', length: 64, nullable: true })
  subjectId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip: string | null;

  @Column({ type: 'text' })
  detail: string;

  // Unique: two writers can never both append after the same row.
  @Index('uq_audit_prev_hash', { unique: true })
  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash: string;

  @Column({ type: 'varchar', length: 64 })
  hash: string;

  // An HMAC under a key derived from SECRETS_KEY; false only for rows written before that.
  @Column({ type: 'boolean', default: false })
  keyed: boolean;
}

// One row (id 1): the chain's tip. Locked while appending, so appends from several
// instances serialise; also lets verify notice that the newest rows were deleted.
@Entity('audit_head')
export class AuditHead {
  @PrimaryColumn({ type: 'int' })
  id: number;

  @Column({ name: 'last_event_id', type: 'int', default: 0 })
  lastEventId: number;

  @Column({ name: 'last_hash', type: 'varchar', length: 64 })
  lastHash: string;
}
