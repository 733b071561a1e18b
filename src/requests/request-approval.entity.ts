import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

// One person's approval of a request. The unique key is what makes "nobody counts twice" hold
// even when the same person approves from two sessions at once.
@Entity('request_approvals')
@Index('uq_request_approvals_person', ['requestId', 'personId'], { unique: true })
export class RequestApproval {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'request_id', type: 'int' })
  requestId: number;

  @Column({ name: 'person_id', type: 'int' })
  personId: number;

  @Column({ name: 'person_label', type: 'varchar', length: 254 })
  personLabel: string;

  // Set when the person approved as someone's substitute: both names are kept.
  @Column({ name: 'on_behalf_of_id', type: 'int', nullable: true })
  onBehalfOfId: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
