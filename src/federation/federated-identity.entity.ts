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
import { User } from '../accounts/user.entity.js';

// An institutional identity bound to an account. For SAML the subject is the scoped
// persistent identifier itself (subject-id, pairwise-id or eduPersonPrincipalName, prefixed
// with its kind), which stays when an IdP changes its entity id; for OIDC it is issuer + sub.
@Entity('federated_identities')
@Index('uq_federated_identities', ['protocol', 'subject'], { unique: true })
@Index('ix_federated_identities_user', ['userId'])
export class FederatedIdentity {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ name: 'user_id', type: 'int' })
  userId: number;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user: Relation<User>;

  @Column({ type: 'varchar', length: 8 })
  protocol: 'saml' | 'oidc';

  @Column({ type: 'varchar', length: 512 })
  subject: string;

  // The provider that last asserted it, for display and audit.
  @Column({ type: 'varchar', length: 512 })
  provider: string;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;

  @Column({ name: 'last_login_at', type: 'datetime', nullable: true })
  lastLoginAt: Date | null;

  // JSON list of "role:scopeId" grants that exist because of an eduPersonEntitlement, so
  // that they go when the entitlement goes (and grants given by invitation stay).
  @Column({ name: 'entitled_grants', type: 'text', nullable: true })
  entitledGrants: string | null;
}
