import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

// A "forgot password" link: only the SHA-256 of its token is stored; it works once, briefly.
@Entity('password_resets')
@Index('ix_password_resets_user', ['userId'])
export class PasswordReset {
  @PrimaryColumn({ name: 'token_hash', type: 'varchar', length: 64 })
  tokenHash: string;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'datetime', nullable: true })
  usedAt: Date | null;
}
