import {
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  type Relation,
} from 'typeorm';
import { Department } from '../organisations/department.entity.js';
import { Domain } from './domain.entity.js';

// A domain delegated to a department covers the domain and all names below it.
@Entity('domain_delegations')
@Index('ix_domain_delegations_department', ['departmentId'])
export class DomainDelegation {
  @PrimaryColumn({ name: 'domain_id', type: 'int' })
  domainId: number;

  @PrimaryColumn({ name: 'department_id', type: 'int' })
  departmentId: number;

  @ManyToOne(() => Domain, (d) => d.delegations, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'domain_id' })
  domain: Relation<Domain>;

  @ManyToOne(() => Department, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'department_id' })
  department: Relation<Department>;

  @Column({ name: 'created_by', type: 'int', nullable: true })
  createdBy: number | null;
}
