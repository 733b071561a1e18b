import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { EntityManager, In, IsNull } from 'typeorm';
import { can, canInvite, canResetSecondFactor, scopeOf, type Place } from '../access/access.js';
import { placeOfDepartment, placeOfNren, placeOfOrganisation } from '../access/places.js';
import { normaliseEmail } from '../accounts/accounts.service.js';
import { passwordProblems } from '../accounts/password-policy.js';
import { PasswordsService } from '../accounts/passwords.service.js';
import type { Principal } from '../accounts/principal.js';
import { ROLE_SCOPE, RoleGrant, type Role } from '../accounts/role-grant.entity.js';
import { User } from '../accounts/user.entity.js';
import { SecondFactorService } from '../accounts/second-factor.service.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound, ValidationFailed } from '../common/errors.js';
import { sha256Hex } from '../common/hash.js';
import { parseInput } from '../common/input.js';
import { Transactions } from '../database/transactions.js';
import { isLanguage, type Language } from '../i18n/languages.js';
import { MailService } from '../mail/mail.service.js';
import { Nren } from '../nrens/nren.entity.js';
import { Department } from '../organisations/department.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { Invitation, invitationClosed } from './invitation.entity.js';
import { InvitationInvalid } from './people.errors.js';
import { acceptNewInput, invitationInput, roleRemovalInput } from './people.input.js';

const INVITATION_VALIDITY_MS = 7 * 24 * 3600 * 1000;

export interface PersonRow {
  userId: number;
  email: string;
  displayName: string;
  roles: { role: Role; scopeId: number; scopeName: string; removable?: boolean }[];
  // This person may reset the listed person's second factor.
  secondFactorResettable?: boolean;
}

@Injectable()
export class PeopleService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly mail: MailService,
    private readonly secondFactor: SecondFactorService,
    private readonly passwords: PasswordsService,
  ) {}

  // Where a role's scope sits, and its name for display; null when the scope does not exist.
  async placeOfScope(
    role: Role,
    scopeId: number,
    em: EntityManager = this.tx.manager,
  ): Promise<{ place: Place; name: string } | null> {
    switch (ROLE_SCOPE[role]) {
      case 'platform':
        return scopeId === 0 ? { place: { nrenId: 0 }, name: '' } : null;
      case 'nren': {
        const n = await em.findOneBy(Nren, { id: scopeId });
        return n ? { place: placeOfNren(n), name: n.name } : null;
      }
      case 'organisation': {
        const o = await em.findOneBy(Organisation, { id: scopeId });
        return o ? { place: placeOfOrganisation(o), name: o.name } : null;
      }
      case 'department': {
        const d = await em.findOne(Department, {
          where: { id: scopeId },
          relations: { organisation: true },
        });
        return d
          ? { place: placeOfDepartment(d), name: `${d.organisation.name} / ${d.name}` }
          : null;
      }
    }
  }

  // Many scopes, each looked up once (lists show the same few places over and over).
  private scopePlaces(): (
    role: Role,
    scopeId: number,
  ) => Promise<{ place: Place; name: string } | null> {
    const cache = new Map<string, Promise<{ place: Place; name: string } | null>>();
    return (role, scopeId) => {
      const key = `${ROLE_SCOPE[role]}:${scopeId}`;
      let found = cache.get(key);
      if (!found) {
        found = this.placeOfScope(role, scopeId);
        cache.set(key, found);
      }
      return found;
    };
  }

  private scopeNames(): (role: Role, scopeId: number) => Promise<string> {
    const placeOf = this.scopePlaces();
    return async (role, scopeId) => (await placeOf(role, scopeId))?.name ?? '';
  }

  // The places where the person may give this role, for the invitation form (by name; at
  // most 500, which is more than any one administrator has).
  async invitablePlaces(p: Principal, role: Role): Promise<{ scopeId: number; label: string }[]> {
    const s = scopeOf(p);
    const em = this.tx.manager;
    const ids = (set: Set<number>) => [0, ...set];
    switch (ROLE_SCOPE[role]) {
      case 'platform':
        return [];
      case 'nren': {
        const qb = em.createQueryBuilder(Nren, 'n').orderBy('n.name').take(500);
        if (!s.platform) {
          qb.where('n.id IN (:...ids)', { ids: ids(s.nrens) });
        }
        return (await qb.getMany())
          .filter((n) => canInvite(p, role, { nrenId: n.id }))
          .map((n) => ({ scopeId: n.id, label: n.name }));
      }
      case 'organisation': {
        const qb = em.createQueryBuilder(Organisation, 'o').orderBy('o.name').take(500);
        if (!s.platform) {
          qb.where('o.nren_id IN (:...nrens)', { nrens: ids(s.nrens) }).orWhere(
            'o.id IN (:...orgs)',
            { orgs: ids(s.raoOrganisations) },
          );
        }
        return (await qb.getMany())
          .filter((o) => canInvite(p, role, { nrenId: o.nrenId, organisationId: o.id }))
          .map((o) => ({ scopeId: o.id, label: o.name }));
      }
      case 'department': {
        const qb = em
          .createQueryBuilder(Department, 'd')
          .innerJoinAndSelect('d.organisation', 'o')
          .orderBy('o.name')
          .addOrderBy('d.name')
          .take(500);
        if (!s.platform) {
          qb.where('o.nren_id IN (:...nrens)', { nrens: ids(s.nrens) })
            .orWhere('o.id IN (:...orgs)', { orgs: ids(s.raoOrganisations) })
            .orWhere('d.id IN (:...deps)', { deps: ids(s.draoDepartments) });
        }
        return (await qb.getMany())
          .filter((d) =>
            canInvite(p, role, {
              nrenId: d.organisation.nrenId,
              organisationId: d.organisationId,
              departmentId: d.id,
            }),
          )
          .map((d) => ({ scopeId: d.id, label: `${d.organisation.name} / ${d.name}` }));
      }
    }
  }

  // The person's own roles, each with the place it applies to.
  async rolesOf(p: Principal): Promise<{ role: Role; scopeId: number; scopeName: string }[]> {
    const nameOf = this.scopeNames();
    return Promise.all(
      p.grants.map(async (g) => ({ ...g, scopeName: await nameOf(g.role, g.scopeId) })),
    );
  }

  // People with a role in an organisation (RAOs, and DRAOs and requesters of its departments)
  // or in one department.
  async list(
    p: Principal,
    target: { organisationId?: number; departmentId?: number; nrenId?: number },
  ): Promise<PersonRow[]> {
    const em = this.tx.manager;
    let grants: { role: Role; scopeIds: number[] }[];
    if (target.departmentId) {
      const found = await this.placeOfScope('requester', target.departmentId);
      if (!found || !can(p, 'people.view', found.place)) {
        throw new NotFound('department');
      }
      grants = [
        { role: 'drao', scopeIds: [target.departmentId] },
        { role: 'requester', scopeIds: [target.departmentId] },
      ];
    } else if (target.organisationId) {
      const found = await this.placeOfScope('rao', target.organisationId);
      if (!found || !can(p, 'people.view', found.place)) {
        throw new NotFound('organisation');
      }
      const departments = (
        await em.findBy(Department, { organisationId: target.organisationId })
      ).map((d) => d.id);
      grants = [
        { role: 'rao', scopeIds: [target.organisationId] },
        { role: 'drao', scopeIds: departments },
        { role: 'requester', scopeIds: departments },
      ];
    } else if (target.nrenId) {
      if (!can(p, 'nren.view', placeOfNren({ id: target.nrenId }))) {
        throw new NotFound('nren');
      }
      grants = [{ role: 'nren-admin', scopeIds: [target.nrenId] }];
    } else {
      throw new ValidationFailed([{ field: 'organisationId', code: 'required' }]);
    }
    const rows: RoleGrant[] = [];
    for (const g of grants.filter((g) => g.scopeIds.length)) {
      rows.push(
        ...(await em.find(RoleGrant, {
          where: { role: g.role, scopeId: In(g.scopeIds) },
          relations: { user: true },
          take: 2000,
        })),
      );
    }
    const byUser = new Map<number, PersonRow>();
    const placeOf = this.scopePlaces();
    for (const g of rows) {
      const found = await placeOf(g.role, g.scopeId);
      const row = byUser.get(g.userId) ?? {
        userId: g.userId,
        email: g.user.email,
        displayName: g.user.displayName,
        roles: [],
      };
      row.roles.push({
        role: g.role,
        scopeId: g.scopeId,
        scopeName: found?.name ?? '',
        // Who may give a role may take it away, but nobody removes their own.
        removable: Boolean(found) && g.userId !== p.userId && canInvite(p, g.role, found!.place),
      });
      byUser.set(g.userId, row);
    }
    for (const row of byUser.values()) {
      row.secondFactorResettable = canResetSecondFactor(
        p,
        await this.secondFactorPlaces(row.userId, placeOf),
      );
    }
    return [...byUser.values()].sort((a, b) => a.email.localeCompare(b.email));
  }

  // Where all of a person's roles lie, for the rule on resetting their second factor.
  private async secondFactorPlaces(
    userId: number,
    placeOf = this.scopePlaces(),
  ): Promise<{ userId: number; places: Place[]; platformAdmin: boolean }> {
    const grants = await this.tx.manager.findBy(RoleGrant, { userId });
    const places: Place[] = [];
    for (const g of grants) {
      const found = g.role === 'platform-admin' ? null : await placeOf(g.role, g.scopeId);
      if (found) {
        places.push(found.place);
      }
    }
    return { userId, places, platformAdmin: grants.some((g) => g.role === 'platform-admin') };
  }

  // The person whose second factor this administrator may reset, or 404.
  async secondFactorOf(
    p: Principal,
    userId: number,
  ): Promise<{ userId: number; email: string; displayName: string; enrolled: boolean }> {
    const user = await this.tx.manager.findOneBy(User, { id: userId });
    if (!user || !canResetSecondFactor(p, await this.secondFactorPlaces(userId))) {
      throw new NotFound('user');
    }
    return {
      userId,
      email: user.email,
      displayName: user.displayName,
      enrolled: await this.secondFactor.isEnrolled(userId),
    };
  }

  // A lost phone: the person enrols again at their next login. Audited with who did it.
  // Their signed-in sessions end with it: whoever has the phone may have one of them too.
  async resetSecondFactor(p: Principal, userId: number, actor: Actor): Promise<boolean> {
    await this.secondFactorOf(p, userId);
    return this.tx.run(async (em) => {
      const removed = await this.secondFactor.remove(em, userId);
      const sessionsEnded = await this.passwords.endSessions(em, userId);
      await this.audit.record(em, actor, {
        action: 'second-factor.reset',
        subjectType: 'user',
        subjectId: userId,
        detail: { removed, sessionsEnded },
      });
      return removed;
    });
  }

  async invite(
    p: Principal,
    input: unknown,
    actor: Actor,
    fallbackLanguage: Language,
  ): Promise<Invitation> {
    const data = parseInput(invitationInput, input);
    const token = randomBytes(24).toString('base64url');
    return this.tx.run(async (em) => {
      const scope = await this.placeOfScope(data.role, data.scopeId, em);
      if (!scope || !canInvite(p, data.role, scope.place)) {
        throw new ValidationFailed([{ field: 'role', code: 'role_not_yours' }]);
      }
      const existing = await em.findOneBy(User, { email: data.email });
      if (
        existing &&
        (await em.existsBy(RoleGrant, {
          userId: existing.id,
          role: data.role,
          scopeId: data.scopeId,
        }))
      ) {
        throw new ValidationFailed([{ field: 'email', code: 'already_has_role' }]);
      }
      // The invitee's own language if known, else the one chosen, else the NREN's.
      const nrenLanguage = await this.nrenLanguageOf(em, scope.place.nrenId);
      const language =
        (existing?.language as Language | null) ??
        data.language ??
        nrenLanguage ??
        fallbackLanguage;
      const expiresAt = new Date(this.clock.now().getTime() + INVITATION_VALIDITY_MS);
      const invitation = await em.save(
        em.create(Invitation, {
          email: data.email,
          role: data.role,
          scopeId: data.scopeId,
          language,
          tokenHash: sha256Hex(token),
          invitedBy: actor.id,
          expiresAt,
          acceptedAt: null,
          acceptedBy: null,
        }),
      );
      await this.mail.enqueue(em, {
        to: data.email,
        template: 'invitation',
        language,
        context: {
          token,
          roleKey: `roles.${data.role}`,
          scope: scope.name,
          inviter: actor.label,
          existing: Boolean(existing?.passwordHash),
        },
        secret: { value: token, expiresAt },
      });
      await this.audit.record(em, actor, {
        action: 'invitation.sent',
        subjectType: ROLE_SCOPE[data.role],
        subjectId: data.scopeId,
        detail: { invitationId: invitation.id, email: data.email, role: data.role },
      });
      return invitation;
    });
  }

  async removeRole(p: Principal, input: unknown, actor: Actor): Promise<void> {
    const data = parseInput(roleRemovalInput, input);
    await this.tx.run(async (em) => {
      const found = await this.placeOfScope(data.role, data.scopeId, em);
      const grant = await em.findOneBy(RoleGrant, {
        userId: data.userId,
        role: data.role,
        scopeId: data.scopeId,
      });
      if (!found || !grant || !canInvite(p, data.role, found.place)) {
        throw new NotFound('role');
      }
      if (data.userId === p.userId) {
        throw new ValidationFailed([{ field: 'role', code: 'own_role' }]);
      }
      await em.delete(RoleGrant, { userId: data.userId, role: data.role, scopeId: data.scopeId });
      await this.audit.record(em, actor, {
        action: 'role.removed',
        subjectType: ROLE_SCOPE[data.role],
        subjectId: data.scopeId,
        detail: { userId: data.userId, role: data.role },
      });
    });
  }

  // An open invitation, if this person may give its role where it is for.
  private async ownInvitation(p: Principal, id: number, em: EntityManager): Promise<Invitation> {
    const invitation = await em.findOne(Invitation, { where: { id }, lock: this.tx.forUpdate });
    const found = invitation
      ? await this.placeOfScope(invitation.role, invitation.scopeId, em)
      : null;
    if (
      !invitation ||
      invitation.withdrawnAt ||
      !found ||
      !canInvite(p, invitation.role, found.place)
    ) {
      throw new NotFound('invitation');
    }
    if (invitation.acceptedAt) {
      throw new InvitationInvalid('used');
    }
    return invitation;
  }

  // A fresh link (the old one stops working) and seven more days.
  async resendInvitation(p: Principal, id: number, actor: Actor): Promise<void> {
    const token = randomBytes(24).toString('base64url');
    await this.tx.run(async (em) => {
      const invitation = await this.ownInvitation(p, id, em);
      const scope = await this.placeOfScope(invitation.role, invitation.scopeId, em);
      const existing = await em.findOneBy(User, { email: invitation.email });
      invitation.tokenHash = sha256Hex(token);
      invitation.expiresAt = new Date(this.clock.now().getTime() + INVITATION_VALIDITY_MS);
      await em.save(invitation);
      await this.mail.enqueue(em, {
        to: invitation.email,
        template: 'invitation',
        language: invitation.language as Language,
        context: {
          token,
          roleKey: `roles.${invitation.role}`,
          scope: scope?.name ?? '',
          inviter: actor.label,
          existing: Boolean(existing?.passwordHash),
        },
        secret: { value: token, expiresAt: invitation.expiresAt },
      });
      await this.audit.record(em, actor, {
        action: 'invitation.resent',
        subjectType: ROLE_SCOPE[invitation.role],
        subjectId: invitation.scopeId,
        detail: { invitationId: invitation.id, email: invitation.email },
      });
    });
  }

  // The link stops working at once; the invitation is gone from the lists.
  async withdrawInvitation(p: Principal, id: number, actor: Actor): Promise<void> {
    await this.tx.run(async (em) => {
      const invitation = await this.ownInvitation(p, id, em);
      await em.update(
        Invitation,
        { id: invitation.id },
        { withdrawnAt: new Date(Math.floor(this.clock.now().getTime() / 1000) * 1000) },
      );
      await this.audit.record(em, actor, {
        action: 'invitation.withdrawn',
        subjectType: ROLE_SCOPE[invitation.role],
        subjectId: invitation.scopeId,
        detail: { invitationId: invitation.id, email: invitation.email },
      });
    });
  }

  private async nrenLanguageOf(em: EntityManager, nrenId: number): Promise<Language | null> {
    const nren = nrenId ? await em.findOneBy(Nren, { id: nrenId }) : null;
    return nren && isLanguage(nren.defaultLanguage) ? nren.defaultLanguage : null;
  }

  // Open invitations where the person may invite, newest first.
  async listInvitations(
    p: Principal,
    target: { organisationId?: number; nrenId?: number; departmentId?: number },
  ): Promise<(Invitation & { scopeName: string })[]> {
    const scopes: { role: Role; ids: number[] }[] = [];
    if (target.departmentId) {
      const found = await this.placeOfScope('requester', target.departmentId);
      if (!found || !can(p, 'people.view', found.place)) {
        throw new NotFound('department');
      }
      scopes.push(
        { role: 'drao', ids: [target.departmentId] },
        { role: 'requester', ids: [target.departmentId] },
      );
    } else if (target.organisationId) {
      const found = await this.placeOfScope('rao', target.organisationId);
      if (!found || !can(p, 'people.view', found.place)) {
        throw new NotFound('organisation');
      }
      const departments = (
        await this.tx.manager.findBy(Department, { organisationId: target.organisationId })
      ).map((d) => d.id);
      scopes.push(
        { role: 'rao', ids: [target.organisationId] },
        { role: 'drao', ids: departments },
        { role: 'requester', ids: departments },
      );
    } else if (target.nrenId) {
      if (!can(p, 'nren.view', placeOfNren({ id: target.nrenId }))) {
        throw new NotFound('nren');
      }
      scopes.push({ role: 'nren-admin', ids: [target.nrenId] });
    } else if (scopeOf(p).platform) {
      scopes.push({ role: 'platform-admin', ids: [0] });
    }
    const out: (Invitation & { scopeName: string })[] = [];
    const nameOf = this.scopeNames();
    for (const s of scopes.filter((s) => s.ids.length)) {
      const rows = await this.tx.manager.find(Invitation, {
        where: { role: s.role, scopeId: In(s.ids), withdrawnAt: IsNull() },
        order: { id: 'DESC' },
        take: 200,
      });
      for (const r of rows) {
        out.push(Object.assign(r, { scopeName: await nameOf(r.role, r.scopeId) }));
      }
    }
    return out.sort((a, b) => b.id - a.id);
  }

  async findOpen(token: string, em: EntityManager = this.tx.manager): Promise<Invitation> {
    const invitation = await em.findOne(Invitation, {
      where: { tokenHash: sha256Hex(token) },
      lock: em === this.tx.manager ? undefined : this.tx.forUpdate,
    });
    const closed = invitationClosed(invitation, this.clock.now());
    if (closed || !invitation) {
      throw new InvitationInvalid(closed ?? 'unknown');
    }
    return invitation;
  }

  async accountExists(email: string): Promise<boolean> {
    const user = await this.tx.manager.findOneBy(User, { email: normaliseEmail(email) });
    return Boolean(user?.passwordHash);
  }

  // A newcomer sets a name and password; someone who already has an account accepts while
  // logged in as that account (`principal`). Either way the link works once.
  async accept(
    token: string,
    input: unknown,
    principal: Principal | undefined,
    ip: string | undefined,
  ): Promise<User> {
    const newcomer = principal ? null : parseInput(acceptNewInput, input);
    const passwordHash = newcomer ? await this.hashNewPassword(newcomer.password, token) : null;
    return this.tx.run(async (em) => {
      const invitation = await this.findOpen(token, em);
      let user = await em.findOneBy(User, { email: invitation.email });
      if (principal) {
        if (!user || user.id !== principal.userId) {
          throw new ValidationFailed([
            {
              field: 'form',
              code: 'invitation_other_account',
              params: { email: invitation.email },
            },
          ]);
        }
      } else {
        if (user?.passwordHash) {
          throw new ValidationFailed([
            { field: 'form', code: 'invitation_login_first', params: { email: invitation.email } },
          ]);
        }
        user = await em.save(
          Object.assign(user ?? em.create(User, { email: invitation.email }), {
            displayName: newcomer!.displayName,
            passwordHash,
            language: user?.language ?? invitation.language,
          }),
        );
      }
      await em.insert(RoleGrant, {
        userId: user.id,
        role: invitation.role,
        scopeId: invitation.scopeId,
      });
      invitation.acceptedAt = this.clock.now();
      invitation.acceptedBy = user.id;
      await em.save(invitation);
      await this.mail.forgetSecret(em, token);
      await this.audit.record(
        em,
        { id: user.id, label: user.email, ip },
        {
          action: 'invitation.accepted',
          subjectType: ROLE_SCOPE[invitation.role],
          subjectId: invitation.scopeId,
          detail: { invitationId: invitation.id, role: invitation.role },
        },
      );
      return user;
    });
  }

  private async hashNewPassword(password: string, token: string): Promise<string> {
    const invitation = await this.findOpen(token);
    const problems = passwordProblems(password, invitation.email);
    if (problems.length) {
      throw new ValidationFailed(problems.map((code) => ({ field: 'password', code })));
    }
    return argon2.hash(password, { type: argon2.argon2id });
  }
}
