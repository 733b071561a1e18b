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
import { Organisation } from './organisation.entity.js';

@Entity('departments')
@Index('uq_departments_org_name', ['organisationId', 'name'], { unique: true })
export class Department {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'organisation_id', type: 'int' })
  organisationId: number;

  @ManyToOne(() => Organisation, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organisation_id' })
  organisation: Relation<Organisation>;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  // Requests whose names all lie in validated domains delegated here, and that raised no
  // warning, are approved by the policy without waiting for a person.
  @Column({ name: 'auto_approve', type: 'boolean', default: false })
  autoApprove: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
