import { Column, Entity, PrimaryColumn } from 'typeorm';

// A kind of e-mail this person chose not to receive (src/accounts/notifications.ts); no row
// means they get it.
@Entity('notification_opt_outs')
export class NotificationOptOut {
  @PrimaryColumn({ name: 'user_id', type: 'int' })
  userId: number;

  @PrimaryColumn({ type: 'varchar', length: 40 })
  kind: string;

  @Column({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
