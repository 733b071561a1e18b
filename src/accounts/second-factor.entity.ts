import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

// A person's TOTP secret (RFC 6238), sealed with SECRETS_KEY. Unconfirmed while the person is
// still enrolling; only a confirmed one is asked for at login.
@Entity('second_factors')
export class SecondFactor {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ name: 'secret_sealed', type: 'varchar', length: 255 })
  secretSealed: string;

  @Column({ name: 'confirmed_at', type: 'datetime', nullable: true })
  confirmedAt: Date | null;

  // The 30-second step of the last code accepted: a code is good once, not twice in its window.
  @Column({ name: 'last_used_step', type: 'int', nullable: true })
  lastUsedStep: number | null;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}

// One-time recovery codes, for a lost authenticator: only their SHA-256 is kept.
@Entity('recovery_codes')
@Index('uq_recovery_codes', ['userId', 'codeHash'], { unique: true })
export class RecoveryCode {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @Column({ name: 'code_hash', type: 'varchar', length: 64 })
  codeHash: string;

  @Column({ name: 'used_at', type: 'datetime', nullable: true })
  usedAt: Date | null;
}
