import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { EntityManager, In } from 'typeorm';
import { AccountsService } from '../accounts/accounts.service.js';
import type { Principal } from '../accounts/principal.js';
import { ROLE_SCOPE, RoleGrant, type Role } from '../accounts/role-grant.entity.js';
import { User } from '../accounts/user.entity.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound, ValidationFailed } from '../common/errors.js';
import { federationConfig } from '../config/federation.config.js';
import { Transactions } from '../database/transactions.js';
import { Department } from '../organisations/department.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { Invitation, invitationClosed } from '../people/invitation.entity.js';
import { InvitationInvalid } from '../people/people.errors.js';
import { FederatedIdentity } from './federated-identity.entity.js';
import type { FederationLogin } from './federation-login.entity.js';
import type { VerifiedIdentity } from './federation-logins.service.js';
import {
  FederatedIdentityTaken,
  FederatedIdentityUnknown,
  FederatedLoginRefused,
  LocalLoginNotAllowed,
} from './federation.errors.js';
import { NrenLoginPolicy } from './nren-login-policy.entity.js';

export interface IdentityRow {
  id: number;
  protocol: string;
  subject: string;
  provider: string;
  createdAt: Date;
  lastLoginAt: Date | null;
}

function grantKey(role: Role, scopeId: number): string {
  return `${role}:${scopeId}`;
}

// What a verified federated identity means here: which account it is, what it may bind to,
// which roles entitlements give; and when password login is closed.
@Injectable()
export class FederationService implements OnModuleInit {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly accounts: AccountsService,
    @Inject(federationConfig.KEY) private readonly cfg: ConfigType<typeof federationConfig>,
  ) {}

  onModuleInit(): void {
    this.accounts.setLocalLoginCheck((user) => this.assertLocalLoginAllowed(user));
  }

  // The first administrator (and every platform administrator) keeps the password: someone
  // must be able to get in when the federation is down or misconfigured.
  async assertLocalLoginAllowed(user: User): Promise<void> {
    const grants = await this.tx.manager.findBy(RoleGrant, { userId: user.id });
    if (grants.some((g) => g.role === 'platform-admin')) {
      return;
    }
    if (this.cfg.localLogin === 'platform-admins') {
      throw new LocalLoginNotAllowed();
    }
    const nrens = await this.nrensOf(grants, this.tx.manager);
    if (!nrens.length) {
      return;
    }
    const closed = await this.tx.manager.existsBy(NrenLoginPolicy, {
      nrenId: In(nrens),
      federatedOnly: true,
    });
    if (closed) {
      throw new LocalLoginNotAllowed();
    }
  }

  private async nrensOf(grants: RoleGrant[], em: EntityManager): Promise<number[]> {
    const nrens = new Set<number>();
    const orgIds = new Set<number>();
    const deptIds: number[] = [];
    for (const g of grants) {
      switch (ROLE_SCOPE[g.role]) {
        case 'platform':
          break;
        case 'nren':
          nrens.add(g.scopeId);
          break;
        case 'organisation':
          orgIds.add(g.scopeId);
          break;
        case 'department':
          deptIds.push(g.scopeId);
          break;
      }
    }
    if (deptIds.length) {
      for (const d of await em.findBy(Department, { id: In(deptIds) })) {
        orgIds.add(d.organisationId);
      }
    }
    if (orgIds.size) {
      for (const o of await em.findBy(Organisation, { id: In([...orgIds]) })) {
        nrens.add(o.nrenId);
      }
    }
    return [...nrens];
  }

  // Turns a completed sign-in into the account to log in as, doing what it was started for.
  async finish(
    login: FederationLogin,
    identity: VerifiedIdentity,
    principal: Principal | undefined,
    ip: string | undefined,
  ): Promise<User> {
    return this.tx.run(async (em) => {
      const linked = await em.findOne(FederatedIdentity, {
        where: { protocol: identity.protocol, subject: identity.subject },
        lock: this.tx.forUpdate,
      });
      let user: User | null;
      switch (login.intent) {
        case 'link':
          user = await this.link(em, login, identity, linked, principal, ip);
          break;
        case 'invitation':
          user = await this.acceptInvitation(em, login, identity, linked, principal, ip);
          break;
        case 'login':
          user = linked
            ? await em.findOneBy(User, { id: linked.userId, active: true })
            : await this.createFromEntitlements(em, identity, ip);
          break;
      }
      if (!user?.active) {
        throw new FederatedIdentityUnknown();
      }
      const identityRow =
        (await em.findOneBy(FederatedIdentity, {
          protocol: identity.protocol,
          subject: identity.subject,
        })) ?? null;
      await this.refreshProfile(em, user, identity);
      await this.applyEntitlements(em, user, identity, identityRow, ip);
      if (identityRow) {
        await em.update(
          FederatedIdentity,
          { id: identityRow.id },
          { lastLoginAt: this.clock.now(), provider: identity.provider },
        );
      }
      await this.audit.record(
        em,
        { id: user.id, label: user.email, ip },
        {
          action: 'login',
          subjectType: 'user',
          subjectId: user.id,
          detail: { via: identity.protocol, provider: identity.provider },
        },
      );
      return user;
    });
  }

  private async bind(
    em: EntityManager,
    user: User,
    identity: VerifiedIdentity,
    actor: Actor,
  ): Promise<void> {
    await em.insert(FederatedIdentity, {
      userId: user.id,
      protocol: identity.protocol,
      subject: identity.subject,
      provider: identity.provider,
      lastLoginAt: null,
      entitledGrants: null,
    });
    await this.audit.record(em, actor, {
      action: 'account.identity-linked',
      subjectType: 'user',
      subjectId: user.id,
      detail: { protocol: identity.protocol, provider: identity.provider },
    });
  }

  private async link(
    em: EntityManager,
    login: FederationLogin,
    identity: VerifiedIdentity,
    linked: FederatedIdentity | null,
    principal: Principal | undefined,
    ip: string | undefined,
  ): Promise<User | null> {
    // Linking is for the account that started it, still logged in in this browser.
    if (!principal || principal.userId !== login.intentRef) {
      throw new FederatedLoginRefused('link finished by another account than started it');
    }
    const user = await em.findOneBy(User, { id: principal.userId, active: true });
    if (!user) {
      return null;
    }
    if (linked) {
      if (linked.userId !== user.id) {
        throw new FederatedIdentityTaken();
      }
      return user;
    }
    await this.bind(em, user, identity, { id: user.id, label: user.email, ip });
    return user;
  }

  // Accepting an invitation with an institutional login instead of a password: the account
  // of the invited address is created (or completed) and bound to the identity.
  private async acceptInvitation(
    em: EntityManager,
    login: FederationLogin,
    identity: VerifiedIdentity,
    linked: FederatedIdentity | null,
    principal: Principal | undefined,
    ip: string | undefined,
  ): Promise<User | null> {
    const invitation = await em.findOne(Invitation, {
      where: { id: login.intentRef ?? 0 },
      lock: this.tx.forUpdate,
    });
    const closed = invitationClosed(invitation, this.clock.now());
    if (closed || !invitation) {
      throw new InvitationInvalid(closed ?? 'unknown');
    }
    let user = await em.findOneBy(User, { email: invitation.email });
    if (linked) {
      // The identity already has an account: the invitation must be for that account.
      if (!user || linked.userId !== user.id) {
        throw new ValidationFailed([
          { field: 'form', code: 'invitation_other_account', params: { email: invitation.email } },
        ]);
      }
    } else if (
      user &&
      principal?.userId !== user.id &&
      (user.passwordHash || (await em.existsBy(FederatedIdentity, { userId: user.id })))
    ) {
      // An account someone already uses: they accept while logged in to it.
      throw new ValidationFailed([
        { field: 'form', code: 'invitation_login_first', params: { email: invitation.email } },
      ]);
    }
    if (!user) {
      user = await em.save(
        em.create(User, {
          email: invitation.email,
          displayName: identity.displayName ?? '',
          passwordHash: null,
          language: invitation.language,
        }),
      );
    }
    const actor = { id: user.id, label: user.email, ip };
    if (!linked) {
      await this.bind(em, user, identity, actor);
    }
    if (
      !(await em.existsBy(RoleGrant, {
        userId: user.id,
        role: invitation.role,
        scopeId: invitation.scopeId,
      }))
    ) {
      await em.insert(RoleGrant, {
        userId: user.id,
        role: invitation.role,
        scopeId: invitation.scopeId,
      });
    }
    invitation.acceptedAt = this.clock.now();
    invitation.acceptedBy = user.id;
    await em.save(invitation);
    await this.audit.record(em, actor, {
      action: 'invitation.accepted',
      subjectType: ROLE_SCOPE[invitation.role],
      subjectId: invitation.scopeId,
      detail: { invitationId: invitation.id, role: invitation.role, via: identity.protocol },
    });
    return user;
  }

  private entitledGrants(identity: VerifiedIdentity): Map<string, { role: Role; scopeId: number }> {
    const out = new Map<string, { role: Role; scopeId: number }>();
    for (const value of identity.entitlements) {
      const rule = Object.hasOwn(this.cfg.saml.entitlements, value)
        ? this.cfg.saml.entitlements[value]
        : undefined;
      if (rule && (!rule.idp || rule.idp === identity.provider)) {
        out.set(grantKey(rule.role, rule.scopeId), { role: rule.role, scopeId: rule.scopeId });
      }
    }
    return out;
  }

  // An unknown identity whose entitlements give it a role gets an account (when its mail is
  // not already another account's); without such a role it needs an invitation.
  private async createFromEntitlements(
    em: EntityManager,
    identity: VerifiedIdentity,
    ip: string | undefined,
  ): Promise<User | null> {
    if (!this.entitledGrants(identity).size || !identity.email) {
      throw new FederatedIdentityUnknown();
    }
    if (await em.existsBy(User, { email: identity.email })) {
      throw new FederatedIdentityUnknown();
    }
    const user = await em.save(
      em.create(User, {
        email: identity.email,
        displayName: identity.displayName ?? '',
        passwordHash: null,
        language: null,
      }),
    );
    await this.bind(em, user, identity, { id: user.id, label: user.email, ip });
    return user;
  }

  private async applyEntitlements(
    em: EntityManager,
    user: User,
    identity: VerifiedIdentity,
    row: FederatedIdentity | null,
    ip: string | undefined,
  ): Promise<void> {
    if (!row) {
      return;
    }
    const wanted = this.entitledGrants(identity);
    const before = new Set(row.entitledGrants ? (JSON.parse(row.entitledGrants) as string[]) : []);
    if (!wanted.size && !before.size) {
      return;
    }
    const actor = { id: user.id, label: user.email, ip };
    const kept = new Set<string>();
    for (const [key, g] of wanted) {
      if (before.has(key)) {
        kept.add(key);
        continue;
      }
      if (await em.existsBy(RoleGrant, { userId: user.id, role: g.role, scopeId: g.scopeId })) {
        // Given some other way (an invitation): not the entitlement's to take away later.
        continue;
      }
      await em.insert(RoleGrant, { userId: user.id, role: g.role, scopeId: g.scopeId });
      kept.add(key);
      await this.audit.record(em, actor, {
        action: 'role.entitled',
        subjectType: ROLE_SCOPE[g.role],
        subjectId: g.scopeId,
        detail: { userId: user.id, role: g.role, provider: identity.provider },
      });
    }
    for (const key of before) {
      if (wanted.has(key)) {
        continue;
      }
      const [role, scopeId] = key.split(':') as [Role, string];
      await em.delete(RoleGrant, { userId: user.id, role, scopeId: Number(scopeId) });
      await this.audit.record(em, actor, {
        action: 'role.entitlement-lost',
        subjectType: ROLE_SCOPE[role],
        subjectId: Number(scopeId),
        detail: { userId: user.id, role, provider: identity.provider },
      });
    }
    await em.update(
      FederatedIdentity,
      { id: row.id },
      { entitledGrants: kept.size ? JSON.stringify([...kept].sort()) : null },
    );
  }

  // The institution is the source of the name and, for accounts without a password (whose
  // address is not a login name), of the address when no other account uses it.
  private async refreshProfile(
    em: EntityManager,
    user: User,
    identity: VerifiedIdentity,
  ): Promise<void> {
    const changes: Partial<User> = {};
    if (identity.displayName && identity.displayName !== user.displayName) {
      changes.displayName = identity.displayName;
    }
    if (
      identity.email &&
      !user.passwordHash &&
      identity.email !== user.email &&
      !(await em.existsBy(User, { email: identity.email }))
    ) {
      changes.email = identity.email;
    }
    if (Object.keys(changes).length) {
      await em.update(User, { id: user.id }, changes);
      Object.assign(user, changes);
    }
  }

  listIdentities(userId: number): Promise<IdentityRow[]> {
    return this.tx.manager.find(FederatedIdentity, {
      where: { userId },
      order: { id: 'ASC' },
      select: {
        id: true,
        protocol: true,
        subject: true,
        provider: true,
        createdAt: true,
        lastLoginAt: true,
      },
    });
  }

  async unlink(userId: number, identityId: number, actor: Actor): Promise<void> {
    await this.tx.run(async (em) => {
      const row = await em.findOneBy(FederatedIdentity, { id: identityId, userId });
      if (!row) {
        throw new NotFound('identity');
      }
      // Without a password the last institutional login is the only way in.
      const user = await em.findOneBy(User, { id: userId });
      if (!user?.passwordHash && (await em.countBy(FederatedIdentity, { userId })) <= 1) {
        throw new ValidationFailed([{ field: 'form', code: 'identity_last' }]);
      }
      await em.delete(FederatedIdentity, { id: row.id });
      await this.audit.record(em, actor, {
        action: 'account.identity-unlinked',
        subjectType: 'user',
        subjectId: userId,
        detail: { protocol: row.protocol, provider: row.provider },
      });
    });
  }

  async nrenPolicy(nrenId: number): Promise<boolean> {
    const row = await this.tx.manager.findOneBy(NrenLoginPolicy, { nrenId });
    return row?.federatedOnly ?? false;
  }

  async setNrenPolicy(nrenId: number, federatedOnly: boolean, actor: Actor): Promise<void> {
    await this.tx.run(async (em) => {
      await em.upsert(NrenLoginPolicy, { nrenId, federatedOnly }, ['nrenId']);
      await this.audit.record(em, actor, {
        action: 'nren.login-policy-changed',
        subjectType: 'nren',
        subjectId: nrenId,
        detail: { federatedOnly },
      });
    });
  }
}
