import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity('sessions')
@Index('ix_sessions_expires', ['expiresAt'])
@Index('ix_sessions_user', ['userId'])
export class SessionRecord {
  // SHA-256 of the session id: a copy of this table does not let anyone take over a session.
  @PrimaryColumn({ name: 'id_hash', type: 'varchar', length: 64 })
  idHash: string;

  @Column({ type: 'text' })
  data: string;

  @Column({ name: 'user_id', type: 'int', nullable: true })
  userId: number | null;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;
}
