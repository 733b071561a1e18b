import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';

// A national research network: admits institutions and holds the account at the CA.
@Entity('nrens')
export class Nren {
  @PrimaryGeneratedColumn()
  id: number;

  @Index('uq_nrens_name', { unique: true })
  @Column({ type: 'varchar', length: 200 })
  name: string;

  // ISO 3166-1 alpha-2.
  @Column({ type: 'varchar', length: 2 })
  country: string;

  @Column({ name: 'contact_email', type: 'varchar', length: 254 })
  contactEmail: string;

  @Column({ name: 'default_language', type: 'varchar', length: 8 })
  defaultLanguage: string;

  @Column({ name: 'ca_login_name', type: 'varchar', length: 100, nullable: true })
  caLoginName: string | null;

  // Encrypted at rest with SECRETS_KEY (SecretBox); never shown again once saved.
  @Column({ name: 'ca_password_enc', type: 'varchar', length: 512, nullable: true })
  caPasswordEnc: string | null;

  @Column({ name: 'ca_customer_id', type: 'varchar', length: 64, nullable: true })
  caCustomerId: string | null;

  // Product code -> the CA's numeric product id, read by the CA adapter.
  @Column({ name: 'ca_product_ids', type: 'simple-json' })
  caProductIds: Record<string, number>;

  // Whether code-signing requests must carry evidence of hardware key protection.
  @Column({ name: 'code_signing_evidence_required', type: 'boolean', default: false })
  codeSigningEvidenceRequired: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
