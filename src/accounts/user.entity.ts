import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  OneToMany,
  PrimaryGeneratedColumn,
  type Relation,
  UpdateDateColumn,
  VersionColumn,
} from 'typeorm';
import { RoleGrant } from './role-grant.entity.js';

@Entity('users')
export class User {
  @PrimaryGeneratedColumn()
  id: number;

  // Stored lower-cased; the unique index makes the address the login name.
  @Index('uq_users_email', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  email: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200, default: '' })
  displayName: string;

  // Null until the person has set a password (an invited account).
  @Column({ name: 'password_hash', type: 'varchar', length: 255, nullable: true })
  passwordHash: string | null;

  @Column({ type: 'varchar', length: 8, nullable: true })
  language: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @OneToMany(() => RoleGrant, (grant) => grant.user)
  grants: Relation<RoleGrant[]>;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'datetime' })
  updatedAt: Date;

  @VersionColumn()
  version: number;
}
