import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const BLOCK_REASONS = ['key-compromise', 'operator'] as const;
export type BlockReason = (typeof BLOCK_REASONS)[number];

// Keys never to certify again: revoked for key compromise, or listed by an operator.
@Entity('blocked_keys')
export class BlockedKey {
  @PrimaryColumn({ name: 'spki_sha256', type: 'varchar', length: 64 })
  spkiSha256: string;

  @Column({ type: 'varchar', length: 32 })
  reason: BlockReason;

  @Column({ type: 'varchar', length: 500, default: '' })
  note: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
