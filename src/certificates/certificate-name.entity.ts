import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { Certificate } from './certificate.entity.js';

// One row per name of a certificate. `reversed` holds the labels back to front
// (www.example.org -> org.example.www), so "example.org and every name below it" is one
// index range: reversed = 'org.example' OR reversed LIKE 'org.example.%'.
@Entity('certificate_names')
@Index('ix_certificate_names_reversed', ['reversed', 'certificateId'])
export class CertificateName {
  @PrimaryColumn({ name: 'certificate_id', type: 'int' })
  certificateId: number;

  @PrimaryColumn({ type: 'varchar', length: 253 })
  name: string;

  @Column({ type: 'varchar', length: 253 })
  reversed: string;

  @ManyToOne(() => Certificate, (c) => c.names, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'certificate_id' })
  certificate: Relation<Certificate>;
}
