import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import type { Role } from '../accounts/role-grant.entity.js';

// An e-mailed link that lets someone set a password and take up a role. Works once.
@Entity('invitations')
@Index('ix_invitations_scope', ['role', 'scopeId'])
export class Invitation {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ type: 'varchar', length: 32 })
  role: Role;

  @Column({ name: 'scope_id', type: 'int' })
  scopeId: number;

  @Column({ type: 'varchar', length: 8 })
  language: string;

  // SHA-256 of the token in the link; the link itself is only in the e-mail.
  @Index('uq_invitations_token', { unique: true })
  @Column({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'invited_by', type: 'int', nullable: true })
  invitedBy: number | null;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;

  @Column({ name: 'accepted_at', type: 'datetime', nullable: true })
  acceptedAt: Date | null;

  @Column({ name: 'accepted_by', type: 'int', nullable: true })
  acceptedBy: number | null;

  // Withdrawn by someone who may invite: the row stays so that its link can say so.
  @Column({ name: 'withdrawn_at', type: 'datetime', nullable: true })
  withdrawnAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}

// Why an invitation link no longer works, or null while it does: the order matters only when
// several apply (withdrawn before used before expired).
export function invitationClosed(
  invitation: Invitation | null,
  now: Date,
): 'unknown' | 'withdrawn' | 'used' | 'expired' | null {
  if (!invitation) {
    return 'unknown';
  }
  if (invitation.withdrawnAt) {
    return 'withdrawn';
  }
  if (invitation.acceptedAt) {
    return 'used';
  }
  if (invitation.expiresAt <= now) {
    return 'expired';
  }
  return null;
}
