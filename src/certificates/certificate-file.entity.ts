import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Certificate } from './certificate.entity.js';

// The certificate's bytes live beside it, not in it: at a million rows the list's table
// stays small (a leaf and its chain are 4-6 KiB, more than the rest of the row ten times).
@Entity('certificate_files')
export class CertificateFile {
  @PrimaryColumn({ name: 'certificate_id', type: 'int' })
  certificateId: number;

  @OneToOne(() => Certificate, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'certificate_id' })
  certificate: Relation<Certificate>;

  @Column({ name: 'leaf_der', type: 'blob' })
  leafDer: Buffer;

  // The intermediates (and the root if the CA sent it), DER certificates one after the
  // other, issuer of the leaf first. DER is self-delimiting, so no separator is needed.
  @Column({ name: 'chain_der', type: 'blob' })
  chainDer: Buffer;
}
