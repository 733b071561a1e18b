import { Column, Entity, PrimaryColumn } from 'typeorm';

// Failed-login counters, kept in the database so every instance sees the same count.
@Entity('login_throttles')
export class LoginThrottle {
  // 'account:<sha256 of the lower-cased name>' or 'address:<ip>'.
  @PrimaryColumn({ type: 'varchar', length: 100 })
  key: string;

  @Column({ type: 'int', default: 0 })
  failures: number;

  // The count starts again once this is longer ago than LOGIN_FAILURE_WINDOW.
  @Column({ name: 'last_failure_at', type: 'datetime' })
  lastFailureAt: Date;

  @Column({ name: 'blocked_until', type: 'datetime', nullable: true })
  blockedUntil: Date | null;
}
