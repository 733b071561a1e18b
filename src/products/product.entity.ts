import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

export const PRODUCT_KINDS = ['tls', 'code-signing'] as const;
export type ProductKind = (typeof PRODUCT_KINDS)[number];

// A certificate product the RA offers; the CA's own id for it may be overridden per NREN.
@Entity('products')
export class Product {
  @PrimaryGeneratedColumn()
  id: number;

  // Stable code used by the API, organisations' allowed products and NREN product ids.
  @Index('uq_products_code', { unique: true })
  @Column({ type: 'varchar', length: 32 })
  code: string;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  kind: ProductKind;

  @Column({ name: 'ca_product_id', type: 'int', nullable: true })
  caProductId: number | null;

  @Column({ name: 'max_names', type: 'int' })
  maxNames: number;

  @Column({ name: 'wildcards_allowed', type: 'boolean', default: false })
  wildcardsAllowed: boolean;

  // Validity terms offered, in days; the longest is the product's own limit. The date-based
  // industry limit (BR 6.3.2) still applies on top.
  @Column({ name: 'validity_terms', type: 'simple-json' })
  validityTerms: number[];

  @Column({ type: 'boolean', default: true })
  active: boolean;

  // N-of-M: how many different people must approve a request for this product.
  @Column({ name: 'approvals_required', type: 'int', default: 1 })
  approvalsRequired: number;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
