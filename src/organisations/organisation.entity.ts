import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { Nren } from '../nrens/nren.entity.js';

// A subscriber institution. Name and address are as registered: they go into OV certificates.
@Entity('organisations')
@Index('ix_organisations_nren_name', ['nrenId', 'name'])
export class Organisation {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'nren_id', type: 'int' })
  nrenId: number;

  @ManyToOne(() => Nren, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'nren_id' })
  nren: Relation<Nren>;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ name: 'street_address', type: 'varchar', length: 200 })
  streetAddress: string;

  @Column({ type: 'varchar', length: 100 })
  locality: string;

  @Column({ name: 'state_or_province', type: 'varchar', length: 100, default: '' })
  stateOrProvince: string;

  @Column({ name: 'postal_code', type: 'varchar', length: 20, default: '' })
  postalCode: string;

  @Column({ type: 'varchar', length: 2 })
  country: string;

  @Column({ name: 'registration_number', type: 'varchar', length: 64, default: '' })
  registrationNumber: string;

  @Column({ name: 'identity_validated_at', type: 'datetime', nullable: true })
  identityValidatedAt: Date | null;

  @Column({ name: 'identity_validated_by', type: 'int', nullable: true })
  identityValidatedBy: number | null;

  // Addresses that receive certificate notices (expiry reminders and the like).
  @Column({ name: 'certificate_contacts', type: 'simple-json' })
  certificateContacts: string[];

  // Product codes this organisation may order.
  @Column({ name: 'allowed_products', type: 'simple-json' })
  allowedProducts: string[];

  // Separation of duties is on unless an NREN administrator lifts it for a one-person shop.
  @Column({ name: 'self_approval_allowed', type: 'boolean', default: false })
  selfApprovalAllowed: boolean;

  @Column({ name: 'ca_organisation_id', type: 'varchar', length: 64, nullable: true })
  caOrganisationId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
