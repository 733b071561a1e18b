import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { Organisation } from '../organisations/organisation.entity.js';
import { DomainDelegation } from './domain-delegation.entity.js';

export const DOMAIN_METHODS = ['email', 'http', 'dns-cname', 'dns-txt', 'manual'] as const;
export type DomainMethod = (typeof DOMAIN_METHODS)[number];

// Stored states; 'expired' is not stored but derived from validation_expires_at and the clock.
export type StoredDomainState = 'pending' | 'validated' | 'failed';
export type DomainState = StoredDomainState | 'expired';

@Entity('domains')
@Index('ix_domains_org', ['organisationId'])
export class Domain {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'organisation_id', type: 'int' })
  organisationId: number;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation: Relation<Organisation>;

  // Lower case, A-labels, no trailing dot. Unique: one organisation holds a domain.
  @Index('uq_domains_name', { unique: true })
  @Column({ type: 'varchar', length: 253 })
  name: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  state: StoredDomainState;

  @Column({ type: 'varchar', length: 16, nullable: true })
  method: DomainMethod | null;

  @Column({ name: 'validated_at', type: 'datetime', nullable: true })
  validatedAt: Date | null;

  // When the validation stops counting for issuance (BR 4.2.1), fixed at validation time.
  @Column({ name: 'validation_expires_at', type: 'datetime', nullable: true })
  validationExpiresAt: Date | null;

  @Column({ name: 'validated_by', type: 'int', nullable: true })
  validatedBy: number | null;

  @Column({ name: 'validation_note', type: 'varchar', length: 1000, nullable: true })
  validationNote: string | null;

  // The random value the DNS and HTTP challenges publish; a fresh one after each validation.
  @Column({ name: 'dcv_token', type: 'varchar', length: 32 })
  dcvToken: string;

  // E-mail method: SHA-256 of the link's token, where it went, and until when it works.
  @Column({ name: 'email_token_hash', type: 'varchar', length: 64, nullable: true })
  emailTokenHash: string | null;

  @Column({ name: 'email_sent_to', type: 'varchar', length: 254, nullable: true })
  emailSentTo: string | null;

  @Column({ name: 'email_token_expires_at', type: 'datetime', nullable: true })
  emailTokenExpiresAt: Date | null;

  @Column({ name: 'last_check_at', type: 'datetime', nullable: true })
  lastCheckAt: Date | null;

  @Column({ name: 'last_check_method', type: 'varchar', length: 16, nullable: true })
  lastCheckMethod: string | null;

  @Column({ name: 'last_check_code', type: 'varchar', length: 32, nullable: true })
  lastCheckCode: string | null;

  @Column({ name: 'last_check_detail', type: 'varchar', length: 1000, nullable: true })
  lastCheckDetail: string | null;

  @Column({ name: 'wildcards_allowed', type: 'boolean', default: false })
  wildcardsAllowed: boolean;

  @OneToMany(() => DomainDelegation, (d) => d.domain)
  delegations: Relation<DomainDelegation[]>;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
