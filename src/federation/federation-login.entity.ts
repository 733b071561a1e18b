import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export const LOGIN_INTENTS = ['login', 'link', 'invitation'] as const;
export type LoginIntent = (typeof LOGIN_INTENTS)[number];

// One sign-in started at an identity provider. The id is the SAML AuthnRequest ID (what the
// response's InResponseTo must name), kept here rather than in memory so that any instance
// can take the answer, and consumed once so that a replayed response is refused.
@Entity('federation_logins')
@Index('ix_federation_logins_expires', ['expiresAt'])
export class FederationLogin {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ type: 'varchar', length: 8 })
  protocol: 'saml' | 'oidc';

  // The IdP's entity id (or OIDC issuer) the person was sent to; only it may answer.
  @Column({ type: 'varchar', length: 512 })
  provider: string;

  @Column({ type: 'varchar', length: 16 })
  intent: LoginIntent;

  // The account being linked, or the invitation being accepted.
  @Column({ name: 'intent_ref', type: 'int', nullable: true })
  intentRef: number | null;

  @Column({ name: 'next_path', type: 'varchar', length: 2048, default: '/' })
  nextPath: string;

  // SHA-256 of a random value kept in a cookie of the browser that started the sign-in: only
  // that browser can finish it, so nobody can log a victim into the attacker's account.
  @Column({ name: 'browser_hash', type: 'varchar', length: 64 })
  browserHash: string;

  // OIDC: the PKCE code verifier and the nonce the ID token must carry.
  @Column({ name: 'pkce_verifier', type: 'varchar', length: 128, nullable: true })
  pkceVerifier: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  nonce: string | null;

  @Column({ name: 'expires_at', type: 'datetime' })
  expiresAt: Date;

  @Column({ name: 'answered_at', type: 'datetime', nullable: true })
  answeredAt: Date | null;

  // The verified identity (JSON) between the IdP's answer and the browser's return.
  @Column({ type: 'text', nullable: true })
  identity: string | null;

  @Column({ name: 'completed_at', type: 'datetime', nullable: true })
  completedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'datetime' })
  createdAt: Date;
}
