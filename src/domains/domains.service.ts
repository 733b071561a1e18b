import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EntityManager, In } from 'typeorm';
import { can, scopeOf, type Action } from '../access/access.js';
import { placeOfDomain, placeOfOrganisation } from '../access/places.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound, StaleObject, ValidationFailed } from '../common/errors.js';
import { sha256Hex } from '../common/hash.js';
import { editedInput, parseInput, type EditMode } from '../common/input.js';
import { pagedQuery, type Page, type PageRequest } from '../common/paging.js';
import { DOMAIN_VALIDATION_REUSE, validationExpiresAt } from '../common/validation-reuse.js';
import { Transactions } from '../database/transactions.js';
import { isLanguage } from '../i18n/languages.js';
import { MailService } from '../mail/mail.service.js';
import { Department } from '../organisations/department.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { OrganisationsService } from '../organisations/organisations.service.js';
import { DcvChecker, type DcvOutcome } from './dcv/dcv-checker.js';
import { DCV_METHODS, type DcvChallenge } from './dcv/dcv-challenge.js';
import { DomainDelegation } from './domain-delegation.entity.js';
import { normaliseDomain } from './domain-name.js';
import { DomainLock } from './domain-lock.entity.js';
import { Domain, type DomainMethod, type DomainState } from './domain.entity.js';
import { DomainLinkInvalid, DomainLinkSuperseded } from './domains.errors.js';
import {
  checkInput,
  domainInput,
  domainUpdateInput,
  EMAIL_LOCAL_PARTS,
  emailInput,
  manualInput,
} from './domains.input.js';

const EMAIL_LINK_VALIDITY_MS = 30 * 24 * 3600 * 1000; // BR 3.2.2.4.4: random value valid 30 days

export interface DomainDetail {
  domain: Domain;
  organisation: Organisation;
  state: DomainState;
  departmentIds: number[];
  challenges: DcvChallenge[];
  emailAddresses: string[];
}

function newDcvToken(): string {
  return randomBytes(16).toString('hex');
}

@Injectable()
export class DomainsService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly organisations: OrganisationsService,
    private readonly dcv: DcvChecker,
    private readonly mail: MailService,
  ) {}

  stateOf(d: Domain, now = this.clock.now()): DomainState {
    if (d.state === 'validated' && d.validationExpiresAt && d.validationExpiresAt <= now) {
      return 'expired';
    }
    return d.state;
  }

  async list(
    p: Principal,
    organisationId: number,
    req: PageRequest,
  ): Promise<Page<Domain & { status: DomainState }>> {
    const o = await this.tx.manager.findOneBy(Organisation, { id: organisationId });
    if (!o) {
      throw new NotFound('organisation');
    }
    const qb = this.tx.manager
      .createQueryBuilder(Domain, 'd')
      .where('d.organisation_id = :id', { id: o.id })
      .orderBy('d.name', 'ASC');
    if (!can(p, 'domain.view', placeOfOrganisation(o))) {
      // Members see the domains delegated to their departments of this organisation only;
      // someone with no department here is told nothing, not even that it exists.
      const member = [...scopeOf(p).memberDepartments];
      const mine = member.length
        ? (await this.tx.manager.findBy(Department, { id: In(member), organisationId: o.id })).map(
            (d) => d.id,
          )
        : [];
      if (!mine.length) {
        throw new NotFound('organisation');
      }
      qb.andWhere(
        'd.id IN (SELECT dd.domain_id FROM domain_delegations dd WHERE dd.department_id IN (:...mine))',
        { mine },
      );
    }
    // Restricted above: all of the organisation's domains, or those delegated to the member.
    const page = await pagedQuery(qb, req, { within: null, search: 'd.name' });
    const now = this.clock.now();
    return {
      ...page,
      items: page.items.map((d) => Object.assign(d, { status: this.stateOf(d, now) })),
    };
  }

  // Domains delegated to one department (its page, and later the CSR checks).
  async forDepartment(departmentId: number): Promise<(Domain & { status: DomainState })[]> {
    const rows = await this.tx.manager
      .createQueryBuilder(Domain, 'd')
      .innerJoin(
        DomainDelegation,
        'dd',
        'dd.domain_id = d.id AND dd.department_id = :departmentId',
        { departmentId },
      )
      .orderBy('d.name', 'ASC')
      .take(1000)
      .getMany();
    const now = this.clock.now();
    return rows.map((d) => Object.assign(d, { status: this.stateOf(d, now) }));
  }

  private async load(p: Principal, id: number, action: Action, em?: EntityManager) {
    const m = em ?? this.tx.manager;
    const domain = await m.findOne(Domain, {
      where: { id },
      lock: em ? this.tx.forUpdate : undefined,
    });
    if (!domain) {
      throw new NotFound('domain');
    }
    const organisation = await m.findOneByOrFail(Organisation, { id: domain.organisationId });
    const departmentIds = (await m.findBy(DomainDelegation, { domainId: id })).map(
      (d) => d.departmentId,
    );
    if (!can(p, action, placeOfDomain(organisation, departmentIds))) {
      throw new NotFound('domain');
    }
    return { domain, organisation, departmentIds };
  }

  async get(p: Principal, id: number): Promise<DomainDetail> {
    const { domain, organisation, departmentIds } = await this.load(p, id, 'domain.view');
    return {
      domain,
      organisation,
      state: this.stateOf(domain),
      departmentIds,
      challenges: DCV_METHODS.map((m) => this.dcv.challengeFor(m, domain.name, domain.dcvToken)),
      emailAddresses: EMAIL_LOCAL_PARTS.map((l) => `${l}@${domain.name}`),
    };
  }

  async register(
    p: Principal,
    organisationId: number,
    input: unknown,
    actor: Actor,
  ): Promise<Domain> {
    const data = parseInput(domainInput, input);
    if (!data.name.trim()) {
      throw new ValidationFailed([{ field: 'name', code: 'required' }]);
    }
    const normalised = normaliseDomain(data.name);
    if (!normalised.ok) {
      throw new ValidationFailed([{ field: 'name', code: normalised.problem }]);
    }
    const name = normalised.name;
    return this.tx.run(async (em) => {
      // The lock row, exclusively (a no-op upsert), before anything is read: on MySQL a
      // transaction's snapshot is taken at its first plain read, and the check below must see
      // what the previous holder of the lock committed.
      await em
        .createQueryBuilder()
        .insert()
        .into(DomainLock)
        .values({ name: normalised.registrable })
        .orUpdate(['name'], ['name'])
        .execute();
      const o = await this.organisations.get(p, organisationId, 'domain.create', em);
      // Another organisation holding the name, a parent of it or a name below it.
      const labels = name.split('.');
      const parents = labels.slice(1).map((_, i) => labels.slice(i + 1).join('.'));
      const clashes = await em
        .createQueryBuilder(Domain, 'd')
        .innerJoinAndSelect('d.organisation', 'o')
        .where('d.name IN (:...names) OR d.name LIKE :below', {
          names: [name, ...parents],
          below: `%.${name}`,
        })
        .getMany();
      const clash =
        clashes.find((c) => c.organisationId !== o.id) ?? clashes.find((c) => c.name === name);
      if (clash) {
        // Who holds it is for NREN administrators to know, not for the institution asking.
        const named = can(p, 'nren.view', { nrenId: clash.organisation.nrenId });
        throw new ValidationFailed([
          clash.organisationId === o.id
            ? { field: 'name', code: 'domain_already_registered' }
            : named
              ? {
                  field: 'name',
                  code: 'domain_taken_by',
                  params: { holder: clash.organisation.name, domain: clash.name },
                }
              : { field: 'name', code: 'domain_taken' },
        ]);
      }
      const domain = await em.save(
        em.create(Domain, {
          organisationId: o.id,
          name,
          state: 'pending',
          dcvToken: newDcvToken(),
          wildcardsAllowed: data.wildcardsAllowed,
        }),
      );
      await this.audit.record(em, actor, {
        action: 'domain.registered',
        subjectType: 'domain',
        subjectId: domain.id,
        detail: { name, organisationId: o.id },
      });
      return domain;
    });
  }

  async update(
    p: Principal,
    id: number,
    input: unknown,
    actor: Actor,
    mode: EditMode = 'replace',
  ): Promise<Domain> {
    return this.tx.run(async (em) => {
      const { domain, departmentIds } = await this.load(p, id, 'domain.edit', em);
      const stored = { wildcardsAllowed: domain.wildcardsAllowed, departmentIds };
      const data = parseInput(domainUpdateInput, editedInput(mode, input, stored));
      if (domain.version !== data.version) {
        throw new StaleObject();
      }
      const wanted = [...new Set(data.departmentIds)];
      if (wanted.length) {
        const found = await em.findBy(Department, {
          id: In(wanted),
          organisationId: domain.organisationId,
        });
        if (found.length !== wanted.length) {
          throw new ValidationFailed([{ field: 'departmentIds', code: 'invalid' }]);
        }
      }
      const added = wanted.filter((x) => !departmentIds.includes(x));
      const removed = departmentIds.filter((x) => !wanted.includes(x));
      if (removed.length) {
        await em.delete(DomainDelegation, { domainId: id, departmentId: In(removed) });
      }
      for (const departmentId of added) {
        await em.insert(DomainDelegation, { domainId: id, departmentId, createdBy: actor.id });
      }
      // An update statement bumps the version even when only the delegations changed, so any
      // other form showing the old delegations is now stale.
      await em.update(Domain, { id }, { wildcardsAllowed: data.wildcardsAllowed });
      const saved = await em.findOneByOrFail(Domain, { id });
      await this.audit.record(em, actor, {
        action: 'domain.updated',
        subjectType: 'domain',
        subjectId: id,
        detail: { wildcardsAllowed: data.wildcardsAllowed, delegated: added, undelegated: removed },
      });
      return saved;
    });
  }

  private markValidated(
    domain: Domain,
    method: DomainMethod,
    actor: Actor,
    note: string | null,
  ): void {
    const now = this.clock.now();
    domain.state = 'validated';
    domain.method = method;
    domain.validatedAt = now;
    domain.validationExpiresAt = validationExpiresAt(DOMAIN_VALIDATION_REUSE, now);
    domain.validatedBy = actor.id;
    domain.validationNote = note;
    // A published token proves control once; the next validation needs a fresh one.
    domain.dcvToken = newDcvToken();
    // A link still out in someone's mailbox stops working; its hash is kept (unless it was
    // the link used) so that following it later says why, rather than just "invalid".
    if (method === 'email') {
      domain.emailTokenHash = null;
    }
    domain.emailTokenExpiresAt = null;
  }

  // Performs the real lookup now and records what it found, validated or not.
  async check(
    p: Principal,
    id: number,
    input: unknown,
    actor: Actor,
  ): Promise<{ domain: Domain; outcome: DcvOutcome }> {
    const { method } = parseInput(checkInput, input);
    const { domain } = await this.load(p, id, 'domain.check');
    const outcome = await this.dcv.check(method, domain.name, domain.dcvToken);
    const saved = await this.tx.run(async (em) => {
      const { domain: current } = await this.load(p, id, 'domain.check', em);
      current.lastCheckAt = this.clock.now();
      current.lastCheckMethod = method;
      current.lastCheckCode = outcome.code;
      current.lastCheckDetail = outcome.detail.slice(0, 1000);
      // Only if the token checked is still the current one (no validation in between).
      if (outcome.ok && current.dcvToken === domain.dcvToken) {
        this.markValidated(current, method, actor, null);
      } else if (!outcome.ok && current.state === 'pending') {
        current.state = 'failed';
      }
      const result = await em.save(current);
      await this.audit.record(em, actor, {
        action: outcome.ok ? 'domain.validated' : 'domain.check-failed',
        subjectType: 'domain',
        subjectId: id,
        detail: { method, code: outcome.code, detail: outcome.detail.slice(0, 500) },
      });
      return result;
    });
    return { domain: saved, outcome };
  }

  async validateManually(p: Principal, id: number, input: unknown, actor: Actor): Promise<Domain> {
    const data = parseInput(manualInput, input);
    return this.tx.run(async (em) => {
      const { domain } = await this.load(p, id, 'domain.validate-manually', em);
      if (domain.version !== data.version) {
        throw new StaleObject();
      }
      this.markValidated(domain, 'manual', actor, data.note);
      const saved = await em.save(domain);
      await this.audit.record(em, actor, {
        action: 'domain.validated-manually',
        subjectType: 'domain',
        subjectId: id,
        detail: { note: data.note },
      });
      return saved;
    });
  }

  // E-mail method: a link to one of the constructed addresses; following it validates.
  async sendValidationEmail(
    p: Principal,
    id: number,
    input: unknown,
    actor: Actor,
    language: string,
  ): Promise<string> {
    const { localPart } = parseInput(emailInput, input);
    const token = randomBytes(24).toString('base64url');
    return this.tx.run(async (em) => {
      const { domain, organisation } = await this.load(p, id, 'domain.check', em);
      const to = `${localPart}@${domain.name}`;
      domain.emailTokenHash = sha256Hex(token);
      domain.emailSentTo = to;
      domain.emailTokenExpiresAt = new Date(this.clock.now().getTime() + EMAIL_LINK_VALIDITY_MS);
      await em.save(domain);
      await this.mail.enqueue(em, {
        to,
        template: 'domain-validation',
        language: isLanguage(language) ? language : 'en',
        context: { domain: domain.name, organisation: organisation.name, token },
        secret: { value: token, expiresAt: domain.emailTokenExpiresAt },
      });
      await this.audit.record(em, actor, {
        action: 'domain.validation-mail-sent',
        subjectType: 'domain',
        subjectId: id,
        detail: { to },
      });
      return to;
    });
  }

  async emailLink(token: string): Promise<Domain> {
    const domain = await this.tx.manager.findOneBy(Domain, { emailTokenHash: sha256Hex(token) });
    if (
      domain &&
      !domain.emailTokenExpiresAt &&
      domain.state === 'validated' &&
      domain.validatedAt
    ) {
      throw new DomainLinkSuperseded(domain.name, domain.validatedAt.toISOString().slice(0, 10));
    }
    if (!domain || !domain.emailTokenExpiresAt || domain.emailTokenExpiresAt <= this.clock.now()) {
      throw new DomainLinkInvalid();
    }
    return domain;
  }

  async confirmEmail(token: string, ip: string | undefined): Promise<Domain> {
    return this.tx.run(async (em) => {
      const found = await this.emailLink(token);
      const domain = await em.findOneOrFail(Domain, {
        where: { id: found.id },
        lock: this.tx.forUpdate,
      });
      if (domain.emailTokenHash !== sha256Hex(token)) {
        throw new DomainLinkInvalid();
      }
      const actor = { id: null, label: domain.emailSentTo ?? 'e-mail', ip };
      this.markValidated(domain, 'email', actor, `confirmed by ${domain.emailSentTo}`);
      const saved = await em.save(domain);
      await this.mail.forgetSecret(em, token);
      await this.audit.record(em, actor, {
        action: 'domain.validated',
        subjectType: 'domain',
        subjectId: domain.id,
        detail: { method: 'email' },
      });
      return saved;
    });
  }
}
