import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  VersionColumn,
} from 'typeorm';

// The reasons a subscriber may give when asking for revocation (RFC 5280 5.3.1; the CA/B
// Forum's baseline requirements leave the others to the CA).
export const SUBSCRIBER_REASONS = [
  'unspecified',
  'keyCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
] as const;
export type SubscriberReason = (typeof SUBSCRIBER_REASONS)[number];

// open: waiting for an approver; revoked: the certificate was revoked (approved, key
// compromise straight through, or revoked directly meanwhile); refused: an approver said no,
// with a reason the asker sees.
export const REVOCATION_REQUEST_STATES = ['open', 'revoked', 'refused'] as const;
export type RevocationRequestState = (typeof REVOCATION_REQUEST_STATES)[number];

// Someone's request that a certificate be revoked. openCertificateId holds the certificate's
// id while the request is open and NULL once decided: its unique key is what keeps a second
// open request for the same certificate out, however many people ask at the same moment on
// however many instances (NULLs do not collide, on SQLite nor MySQL).
@Entity('revocation_requests')
@Index('uq_revocation_requests_open', ['openCertificateId'], { unique: true })
@Index('ix_revocation_requests_certificate', ['certificateId', 'id'])
@Index('ix_revocation_requests_state', ['state', 'id'])
export class RevocationRequest {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'certificate_id', type: 'int' })
  certificateId: number;

  @Column({ name: 'open_certificate_id', type: 'int', nullable: true })
  openCertificateId: number | null;

  // Where the certificate sits, so the approver's list is scoped without a join.
  @Column({ name: 'nren_id', type: 'int' })
  nrenId: number;

  @Column({ name: 'organisation_id', type: 'int' })
  organisationId: number;

  @Column({ name: 'department_id', type: 'int' })
  departmentId: number;

  @Column({ name: 'requester_id', type: 'int' })
  requesterId: number;

  @Column({ name: 'requester_label', type: 'varchar', length: 254 })
  requesterLabel: string;

  @Column({ type: 'varchar', length: 32 })
  reason: SubscriberReason;

  @Column({ type: 'varchar', length: 2000 })
  explanation: string;

  @Column({ type: 'varchar', length: 16 })
  state: RevocationRequestState;

  @Column({ name: 'decided_by_id', type: 'int', nullable: true })
  decidedById: number | null;

  @Column({ name: 'decided_by_label', type: 'varchar', length: 254, nullable: true })
  decidedByLabel: string | null;

  @Column({ name: 'decided_at', type: 'datetime', nullable: true })
  decidedAt: Date | null;

  @Column({ name: 'refusal_reason', type: 'varchar', length: 2000, nullable: true })
  refusalReason: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @VersionColumn()
  version: number;
}
