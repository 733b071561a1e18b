import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { scopeOf } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { RoleGrant } from '../accounts/role-grant.entity.js';
import { User } from '../accounts/user.entity.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound, StaleObject } from '../common/errors.js';
import { field, parseInput } from '../common/input.js';
import { Transactions } from '../database/transactions.js';
import { Department } from '../organisations/department.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { OrganisationsService } from '../organisations/organisations.service.js';
import { RequestLifecycle, type Acting } from '../requests/request-lifecycle.js';
import { DomainError } from '../common/errors.js';
import { SubstituteInvalid, SubstitutePeriodInvalid } from './approvals.errors.js';
import { Substitution } from '../requests/substitution.entity.js';

export const MAX_BULK = 100;

export const bulkInput = z.object({
  requests: z
    .array(z.object({ id: field.id(), version: field.version().optional() }), {
      error: 'required',
    })
    .min(1, 'required')
    .max(MAX_BULK, 'too_many'),
});

export type BulkOutcome =
  | { id: number; ok: true; status: string }
  | { id: number; ok: false; code: string; params: Record<string, string | number> };

const MAX_PERIOD_MS = 366 * 86_400_000;

const blankToUndefined = (v: unknown) => (v === '' || v === null ? undefined : v);
const when = z.coerce.date({ error: 'date_invalid' });
export const substituteInput = z.object({
  substitute: field.email(),
  startsAt: z.preprocess(blankToUndefined, when.optional()),
  endsAt: z.preprocess(blankToUndefined, z.coerce.date({ error: 'required' })),
});

export const switchInput = z.object({ enabled: field.flag(), version: field.version() });

export interface SubstitutionView {
  id: number;
  absent: { id: number; label: string };
  substitute: { id: number; label: string };
  startsAt: Date;
  endsAt: Date;
}

// The approval policies people set: self-approval per organisation (NREN administrators),
// automatic approval per department (RAOs), substitutes for a period (approvers themselves).
@Injectable()
export class ApprovalsService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly organisations: OrganisationsService,
    private readonly lifecycle: RequestLifecycle,
  ) {}

  // Approves each selected request on its own: one failing (decided meanwhile, changed, not
  // allowed) does not stop the others, and each outcome is reported with its code.
  async bulkApprove(by: Acting, items: { id: number; version?: number }[]): Promise<BulkOutcome[]> {
    const outcomes: BulkOutcome[] = [];
    for (const item of items.slice(0, MAX_BULK)) {
      try {
        const r = await this.lifecycle.transition(by, item.id, 'approve', {
          expectedVersion: item.version,
        });
        outcomes.push({ id: item.id, ok: true, status: r.status });
      } catch (err) {
        if (!(err instanceof DomainError)) {
          throw err;
        }
        outcomes.push({ id: item.id, ok: false, code: err.code, params: err.params });
      }
    }
    return outcomes;
  }

  async setSelfApproval(
    p: Principal,
    organisationId: number,
    input: unknown,
    actor: Actor,
  ): Promise<Organisation> {
    const { enabled, version } = parseInput(switchInput, input);
    return this.tx.run(async (em) => {
      const o = await this.organisations.get(p, organisationId, 'organisation.self-approval', em);
      if (o.version !== version) {
        throw new StaleObject();
      }
      if (o.selfApprovalAllowed !== enabled) {
        o.selfApprovalAllowed = enabled;
        await em.save(o);
        await this.audit.record(em, actor, {
          action: 'organisation.self-approval-changed',
          subjectType: 'organisation',
          subjectId: o.id,
          detail: { allowed: enabled },
        });
      }
      return o;
    });
  }

  async setAutoApproval(
    p: Principal,
    departmentId: number,
    input: unknown,
    actor: Actor,
  ): Promise<Department> {
    const { enabled, version } = parseInput(switchInput, input);
    return this.tx.run(async (em) => {
      const d = await this.organisations.getDepartment(
        p,
        departmentId,
        'department.auto-approval',
        em,
      );
      if (d.version !== version) {
        throw new StaleObject();
      }
      if (d.autoApprove !== enabled) {
        d.autoApprove = enabled;
        await em.save(d);
        await this.audit.record(em, actor, {
          action: 'department.auto-approval-changed',
          subjectType: 'department',
          subjectId: d.id,
          detail: { enabled, organisationId: d.organisationId },
        });
      }
      return d;
    });
  }

  // Organisations and departments this person decides for by their own grants.
  private decidingPlaces(p: Principal) {
    const s = scopeOf(p);
    return { orgs: [...s.raoOrganisations], depts: [...s.draoDepartments] };
  }

  // An RAO or DRAO names a substitute who is an RAO or DRAO in one of their organisations.
  async appoint(p: Principal, input: unknown, actor: Actor): Promise<SubstitutionView> {
    const data = parseInput(substituteInput, input);
    const { orgs, depts } = this.decidingPlaces(p);
    if (orgs.length + depts.length === 0) {
      throw new NotFound('page');
    }
    const startsAt = data.startsAt ?? this.clock.now();
    if (
      data.endsAt.getTime() <= startsAt.getTime() ||
      data.endsAt.getTime() - startsAt.getTime() > MAX_PERIOD_MS ||
      data.endsAt.getTime() <= this.clock.now().getTime()
    ) {
      throw new SubstitutePeriodInvalid();
    }
    return this.tx.run(async (em) => {
      const substitute = await em.findOneBy(User, { email: data.substitute });
      if (!substitute || !substitute.active || substitute.id === p.userId) {
        throw new SubstituteInvalid();
      }
      // The appointer's organisations: those they run, and those of the departments they run.
      const myOrgs = new Set(orgs);
      if (depts.length) {
        for (const d of await em.findBy(
          Department,
          depts.map((id) => ({ id })),
        )) {
          myOrgs.add(d.organisationId);
        }
      }
      const theirs = await em.findBy(RoleGrant, { userId: substitute.id });
      const theirDepts = theirs.filter((g) => g.role === 'drao').map((g) => g.scopeId);
      const theirOrgs = new Set(theirs.filter((g) => g.role === 'rao').map((g) => g.scopeId));
      if (theirDepts.length) {
        for (const d of await em.findBy(
          Department,
          theirDepts.map((id) => ({ id })),
        )) {
          theirOrgs.add(d.organisationId);
        }
      }
      if (![...theirOrgs].some((o) => myOrgs.has(o))) {
        throw new SubstituteInvalid();
      }
      const saved = await em.save(
        em.create(Substitution, {
          absentId: p.userId,
          substituteId: substitute.id,
          startsAt,
          endsAt: data.endsAt,
        }),
      );
      await this.audit.record(em, actor, {
        action: 'substitute.appointed',
        subjectType: 'person',
        subjectId: p.userId,
        detail: {
          substituteId: substitute.id,
          substitute: substitute.email,
          startsAt: startsAt.toISOString(),
          endsAt: data.endsAt.toISOString(),
        },
      });
      return (await this.views([saved]))[0];
    });
  }

  // Appointments that have not ended, made by this person or naming them.
  async substitutions(p: Principal): Promise<SubstitutionView[]> {
    const rows = await this.tx.manager
      .createQueryBuilder(Substitution, 's')
      .where('(s.absent_id = :me OR s.substitute_id = :me) AND s.ends_at > :now', {
        me: p.userId,
        now: this.clock.now(),
      })
      .orderBy('s.starts_at')
      .take(100)
      .getMany();
    return this.views(rows);
  }

  // The appointer ends an appointment early (it then simply stops).
  async endSubstitution(p: Principal, id: number, actor: Actor): Promise<void> {
    await this.tx.run(async (em) => {
      const s = await em.findOne(Substitution, { where: { id }, lock: this.tx.forUpdate });
      if (!s || s.absentId !== p.userId) {
        throw new NotFound('substitute');
      }
      const now = this.clock.now();
      if (s.endsAt.getTime() > now.getTime()) {
        s.endsAt = now.getTime() < s.startsAt.getTime() ? s.startsAt : now;
        await em.save(s);
        await this.audit.record(em, actor, {
          action: 'substitute.ended',
          subjectType: 'person',
          subjectId: p.userId,
          detail: { substituteId: s.substituteId, endsAt: s.endsAt.toISOString() },
        });
      }
    });
  }

  private async views(rows: Substitution[]): Promise<SubstitutionView[]> {
    const ids = [...new Set(rows.flatMap((r) => [r.absentId, r.substituteId]))];
    const users = ids.length
      ? await this.tx.manager.findBy(
          User,
          ids.map((id) => ({ id })),
        )
      : [];
    const label = (id: number) => {
      const u = users.find((x) => x.id === id);
      return { id, label: u ? `${u.displayName} <${u.email}>` : String(id) };
    };
    return rows.map((r) => ({
      id: r.id,
      absent: label(r.absentId),
      substitute: label(r.substituteId),
      startsAt: r.startsAt,
      endsAt: r.endsAt,
    }));
  }
}
