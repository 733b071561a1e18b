import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

// Where an order stands (README, "Ordering from the CA"):
//   queued    to be sent (first time, after the CA was unavailable, or re-sent by an RAO)
//   sending   written before the call, in the transaction that moved the request to ordering;
//             left so by a process that died mid-call, it goes to `unknown` once its lease ran out
//   ordered   the CA took it (order number known): the collector polls it
//   unknown   sent, outcome unknown: waits for an RAO, never sent again by itself
//   issued    certificate stored;  refused  the CA said no, or what it issued failed the check
//   cancelled the request was withdrawn before it was sent
export const ORDER_STATES = [
  'queued',
  'sending',
  'ordered',
  'unknown',
  'issued',
  'refused',
  'cancelled',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

// What the last attempt came to, as a code and parameters, rendered in the reader's language.
export interface OrderOutcome {
  // An i18n key (ca.codes.-20, orders.outcomes.unavailable, …).
  key: string;
  params: Record<string, string | number>;
  // The CA's numeric code, when it gave one.
  caCode?: number | null;
  // The issued-certificate check's findings, when that refused it.
  findings?: { code: string; params: Record<string, string | number> }[];
}

// One per request (unique): the record written before each call to the CA and completed after
// it, so a crash in between leaves something to reconcile rather than a second order.
@Entity('ca_orders')
@Index('ix_ca_orders_state_due', ['state', 'dueAt'])
export class CaOrder {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('uq_ca_orders_request', { unique: true })
  @Column({ name: 'request_id', type: 'int' })
  requestId: number;

  // Sent with every order: finds an order at the CA whose reply was lost.
  @Column({ name: 'foreign_order_number', type: 'varchar', length: 64 })
  foreignOrderNumber: string;

  @Column({ type: 'varchar', length: 16 })
  state: OrderState;

  // Calls that may have reached the CA (order or replace); a retry after "unavailable" counts.
  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'int', default: 0 })
  polls: number;

  @Column({ name: 'ca_order_number', type: 'varchar', length: 64, nullable: true })
  caOrderNumber: string | null;

  @Column({ name: 'last_outcome', type: 'simple-json', nullable: true })
  lastOutcome: OrderOutcome | null;

  @Column({ name: 'last_attempt_at', type: 'datetime', nullable: true })
  lastAttemptAt: Date | null;

  // When the orderer (queued) or the collector (ordered) should take it next.
  @Column({ name: 'due_at', type: 'datetime' })
  dueAt: Date;

  // The collector's current wait between polls; grows up to CA_POLL_MAX_SECONDS.
  @Column({ name: 'poll_interval_seconds', type: 'int', default: 0 })
  pollIntervalSeconds: number;

  @Column({ name: 'ordered_at', type: 'datetime', nullable: true })
  orderedAt: Date | null;

  @Column({ name: 'claimed_by', type: 'varchar', length: 64, nullable: true })
  claimedBy: string | null;

  @Column({ name: 'claimed_until', type: 'datetime', nullable: true })
  claimedUntil: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
