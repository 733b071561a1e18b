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
import { Department } from '../organisations/department.entity.js';
import { Product } from '../products/product.entity.js';
import type { RequestStatus } from './request-status.js';

@Entity('certificate_requests')
@Index('ix_requests_department_status', ['departmentId', 'status'])
@Index('ix_requests_organisation_status', ['organisationId', 'status'])
@Index('ix_requests_spki', ['spkiSha256'])
@Index('uq_requests_submission_key', ['submissionKey'], { unique: true })
// The orderer looks for approved requests that have no order yet.
@Index('ix_requests_status', ['status', 'id'])
export class CertificateRequest {
  @PrimaryGeneratedColumn()
  id: number;

  // Denormalised from the department: the RAO's queue is per organisation.
  @Column({ name: 'organisation_id', type: 'int' })
  organisationId: number;

  @Column({ name: 'department_id', type: 'int' })
  departmentId: number;

  @ManyToOne(() => Department, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'department_id' })
  department: Relation<Department>;

  @Column({ name: 'product_id', type: 'int' })
  productId: number;

  @ManyToOne(() => Product, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'product_id' })
  product: Relation<Product>;

  @Column({ name: 'requester_id', type: 'int' })
  requesterId: number;

  @Column({ type: 'varchar', length: 32 })
  status: RequestStatus;

  @Column({ name: 'csr_pem', type: 'text' })
  csrPem: string;

  @Column({ name: 'csr_sha256', type: 'varchar', length: 64 })
  csrSha256: string;

  // SHA-256 of the public key: finds the same key in other requests and the blocklist.
  @Column({ name: 'spki_sha256', type: 'varchar', length: 64 })
  spkiSha256: string;

  @Column({ type: 'varchar', length: 1000 })
  subject: string;

  // Every name the certificate will carry, the CSR's and the ones added.
  @Column({ type: 'simple-json' })
  names: string[];

  @Column({ name: 'key_type', type: 'varchar', length: 16 })
  keyType: string;

  @Column({ name: 'key_bits', type: 'int', nullable: true })
  keyBits: number | null;

  @Column({ name: 'signature_algorithm', type: 'varchar', length: 64 })
  signatureAlgorithm: string;

  @Column({ name: 'validity_days', type: 'int' })
  validityDays: number;

  @Column({ type: 'varchar', length: 2000, default: '' })
  comment: string;

  // Findings the requester saw and accepted (codes and params), for the RAO to weigh.
  @Column({ type: 'simple-json' })
  warnings: {
    code: string;
    field: string;
    name?: string;
    params: Record<string, string | number>;
  }[];

  // Code signing (CSBR 6.2.7.4): how the key is protected, and the evidence if any.
  @Column({ name: 'key_protection', type: 'varchar', length: 32, nullable: true })
  keyProtection: string | null;

  @Column({ name: 'evidence_name', type: 'varchar', length: 200, nullable: true })
  evidenceName: string | null;

  @Column({ name: 'evidence_sha256', type: 'varchar', length: 64, nullable: true })
  evidenceSha256: string | null;

  // Base64 of the file as uploaded; attestations are a few KiB, uploads are capped at 32 KiB.
  @Column({ name: 'evidence_data', type: 'text', nullable: true })
  evidenceData: string | null;

  // The submitting form's one-time key (RequestsService.submit): unique, so one form makes
  // one request however often it is sent.
  @Column({ name: 'submission_key', type: 'varchar', length: 64, nullable: true })
  submissionKey: string | null;
  // A renewal (a new order) or a replacement (a new CSR on the same order at the CA) of this
  // certificate, which becomes superseded when the new one is issued.
  @Column({ name: 'replaces_certificate_id', type: 'int', nullable: true })
  replacesCertificateId: number | null;

  @Column({ name: 'replaces_how', type: 'varchar', length: 16, nullable: true })
  replacesHow: 'renew' | 'replace' | null;

  // The words given with the last status change (a rejection's reason), for the requester.
  @Column({ name: 'status_reason', type: 'varchar', length: 2000, nullable: true })
  statusReason: string | null;

  @Column({ name: 'status_changed_at', type: 'datetime' })
  statusChangedAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
