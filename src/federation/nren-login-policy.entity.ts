import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

// An NREN administrator's choice that its people log in through their institution only.
@Entity('nren_login_policies')
export class NrenLoginPolicy {
  @PrimaryColumn({ name: 'nren_id', type: 'int' })
  nrenId: number;

  @Column({ name: 'federated_only', type: 'boolean', default: false })
  federatedOnly: boolean;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;
}
