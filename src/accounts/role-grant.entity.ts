import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from './user.entity.js';

export const ROLES = ['platform-admin', 'nren-admin', 'rao', 'drao', 'requester'] as const;
export type Role = (typeof ROLES)[number];

// What a role's scope_id points at: nothing, an NREN, an organisation or a department.
export const ROLE_SCOPE = {
  'platform-admin': 'platform',
  'nren-admin': 'nren',
  rao: 'organisation',
  drao: 'department',
  requester: 'department',
} as const satisfies Record<Role, string>;

@Entity('role_grants')
@Index('uq_role_grants', ['userId', 'role', 'scopeId'], { unique: true })
@Index('ix_role_grants_scope', ['role', 'scopeId'])
export class RoleGrant {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, (user) => user.grants, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user: Relation<User>;

  @Column({ type: 'varchar', length: 32 })
  role: Role;

  // 0 for platform-wide roles, so the unique index also covers them (NULLs never collide).
  @Column({ name: 'scope_id', type: 'int', default: 0 })
  scopeId: number;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
