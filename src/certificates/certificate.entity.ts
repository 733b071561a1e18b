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
import { Department } from '../organisations/department.entity.js';
import { CertificateRequest } from '../requests/certificate-request.entity.js';
import { CertificateName } from './certificate-name.entity.js';

// What is stored. "expired" is never stored: it follows from not_after and the clock
// (see effectiveState), so no job has to flip a million rows and no instance can lag.
export const STORED_STATES = ['valid', 'revoked', 'superseded'] as const;
export type StoredState = (typeof STORED_STATES)[number];
export const CERTIFICATE_STATES = ['valid', 'expired', 'revoked', 'superseded'] as const;
export type CertificateState = (typeof CERTIFICATE_STATES)[number];

export type CertificateSource = 'ordered' | 'imported';

export function isCertificateState(v: unknown): v is CertificateState {
  return CERTIFICATE_STATES.includes(v as CertificateState);
}

// Revoked and superseded say more than expired, so they win once the date has passed.
export function effectiveState(
  c: { state: StoredState; notAfter: Date },
  now: Date,
): CertificateState {
  return c.state === 'valid' && c.notAfter.getTime() <= now.getTime() ? 'expired' : c.state;
}

// Every list is keyset-paged on (not_after, id) or on id, per scope: each scope column has
// an index for both orders. `state` trails each of them so state filters and the capped
// count are answered from the index alone, without reading a row per candidate (at a
// million rows the table does not stay in a default-sized buffer pool).
@Entity('certificates')
@Index('uq_certificates_fingerprint', ['fingerprintSha256'], { unique: true })
@Index('ix_certificates_expiry', ['notAfter', 'id', 'state'])
@Index('ix_certificates_nren_expiry', ['nrenId', 'notAfter', 'id', 'state'])
@Index('ix_certificates_nren', ['nrenId', 'id', 'state'])
@Index('ix_certificates_organisation_expiry', ['organisationId', 'notAfter', 'id', 'state'])
@Index('ix_certificates_organisation', ['organisationId', 'id', 'state'])
@Index('ix_certificates_department_expiry', ['departmentId', 'notAfter', 'id', 'state'])
@Index('ix_certificates_department', ['departmentId', 'id', 'state'])
@Index('ix_certificates_serial', ['serial'])
@Index('ix_certificates_spki', ['spkiSha256'])
@Index('ix_certificates_request', ['requestId'])
@Index('ix_certificates_replaces', ['replacesId'])
export class Certificate {
  @PrimaryGeneratedColumn()
  id: number;

  // Denormalised from the department, so each scope's list is one index range.
  @Column({ name: 'nren_id', type: 'int' })
  nrenId: number;

  @Column({ name: 'organisation_id', type: 'int' })
  organisationId: number;

  @Column({ name: 'department_id', type: 'int' })
  departmentId: number;

  @ManyToOne(() => Department, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'department_id' })
  department: Relation<Department>;

  @Column({ type: 'varchar', length: 16 })
  source: CertificateSource;

  // The request it answers; null for certificates imported from elsewhere.
  @Column({ name: 'request_id', type: 'int', nullable: true })
  requestId: number | null;

  @ManyToOne(() => CertificateRequest, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'request_id' })
  request: Relation<CertificateRequest> | null;

  // The certificate this one renews or replaces (that one is then superseded).
  @Column({ name: 'replaces_id', type: 'int', nullable: true })
  replacesId: number | null;

  @ManyToOne(() => Certificate, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'replaces_id' })
  replaces: Relation<Certificate> | null;

  // Lower-case hex without leading zeros, as searched.
  @Column({ type: 'varchar', length: 64 })
  serial: string;

  @Column({ type: 'varchar', length: 1000 })
  issuer: string;

  @Column({ type: 'varchar', length: 1000 })
  subject: string;

  // The name files and lists go by: the first SAN (or the CN when there is none).
  @Column({ name: 'main_name', type: 'varchar', length: 253 })
  mainName: string;

  @Column({ name: 'name_count', type: 'int' })
  nameCount: number;

  @OneToMany(() => CertificateName, (n) => n.certificate)
  names: Relation<CertificateName[]>;

  @Column({ name: 'key_type', type: 'varchar', length: 16 })
  keyType: string;

  @Column({ name: 'key_bits', type: 'int', nullable: true })
  keyBits: number | null;

  @Column({ name: 'signature_algorithm', type: 'varchar', length: 64 })
  signatureAlgorithm: string;

  @Column({ name: 'not_before', type: 'datetime' })
  notBefore: Date;

  @Column({ name: 'not_after', type: 'datetime' })
  notAfter: Date;

  @Column({ name: 'fingerprint_sha256', type: 'varchar', length: 64 })
  fingerprintSha256: string;

  // SHA-256 of the public key (SubjectPublicKeyInfo), as on requests and blocked keys.
  @Column({ name: 'spki_sha256', type: 'varchar', length: 64 })
  spkiSha256: string;

  @Column({ type: 'varchar', length: 16 })
  state: StoredState;

  // RFC 5280 CRLReason name (keyCompromise, superseded, ...).
  @Column({ name: 'revocation_reason', type: 'varchar', length: 32, nullable: true })
  revocationReason: string | null;

  @Column({ name: 'revoked_at', type: 'datetime', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
