import { Column, Entity, PrimaryColumn } from 'typeorm';

// State of the federation metadata refresh; the row is also the lease that lets one
// instance at a time fetch the feed.
@Entity('federation_feeds')
export class FederationFeed {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id: string;

  @Column({ name: 'claimed_by', type: 'varchar', length: 64, nullable: true })
  claimedBy: string | null;

  @Column({ name: 'claimed_until', type: 'datetime', nullable: true })
  claimedUntil: Date | null;

  @Column({ name: 'refreshed_at', type: 'datetime', nullable: true })
  refreshedAt: Date | null;

  @Column({ name: 'valid_until', type: 'datetime', nullable: true })
  validUntil: Date | null;

  @Column({ name: 'idp_count', type: 'int', default: 0 })
  idpCount: number;

  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError: string | null;
}
