import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

// One digest e-mail sent to one approver. The unique (person, slot) key, inserted in the same
// transaction as the queued mail, makes each digest go out once however many instances run
// the job; the slot is the time divided by the digest interval.
@Entity('approval_digests')
@Index('uq_approval_digests_slot', ['personId', 'slot'], { unique: true })
export class ApprovalDigest {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'person_id', type: 'int' })
  personId: number;

  @Column({ type: 'int' })
  slot: number;

  // The newest request the digest covered: the next one waits for something newer.
  @Column({ name: 'newest_request_id', type: 'int' })
  newestRequestId: number;

  @Column({ name: 'sent_at', type: 'datetime' })
  sentAt: Date;
}
