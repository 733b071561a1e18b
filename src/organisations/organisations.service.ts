import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { can, scopeOf, type Action } from '../access/access.js';
import { placeOfDepartment, placeOfOrganisation } from '../access/places.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound, StaleObject, ValidationFailed } from '../common/errors.js';
import { editedInput, parseInput, type EditMode } from '../common/input.js';
import { pagedQuery, type Page, type PageRequest } from '../common/paging.js';
import { IDENTITY_VALIDATION_REUSE, validationExpiresAt } from '../common/validation-reuse.js';
import { Transactions } from '../database/transactions.js';
import { Nren } from '../nrens/nren.entity.js';
import { Department } from './department.entity.js';
import { Organisation } from './organisation.entity.js';
import {
  departmentInput,
  departmentUpdateInput,
  identityValidationInput,
  organisationCreateInput,
  organisationUpdateInput,
} from './organisations.input.js';

export interface IdentityStatus {
  validatedAt: Date | null;
  validUntil: Date | null;
  current: boolean;
}

@Injectable()
export class OrganisationsService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  identityStatus(o: Organisation): IdentityStatus {
    if (!o.identityValidatedAt) {
      return { validatedAt: null, validUntil: null, current: false };
    }
    const validUntil = validationExpiresAt(IDENTITY_VALIDATION_REUSE, o.identityValidatedAt);
    return {
      validatedAt: o.identityValidatedAt,
      validUntil,
      current: this.clock.now() < validUntil,
    };
  }

  list(p: Principal, req: PageRequest, nrenId?: number): Promise<Page<Organisation>> {
    const s = scopeOf(p);
    const qb = this.tx.manager
      .createQueryBuilder(Organisation, 'o')
      .leftJoinAndSelect('o.nren', 'n')
      .orderBy('o.name', 'ASC');
    if (nrenId) {
      qb.andWhere('o.nren_id = :nrenId', { nrenId });
    }
    // Only organisations the person administers; members see their departments instead.
    return pagedQuery(qb, req, {
      within: s.platform
        ? null
        : [
            ['o.nren_id', s.nrens],
            ['o.id', s.raoOrganisations],
          ],
      search: 'o.name',
    });
  }

  async get(
    p: Principal,
    id: number,
    action: Action = 'organisation.view',
    em?: EntityManager,
  ): Promise<Organisation> {
    const o = await (em ?? this.tx.manager).findOne(Organisation, {
      where: { id },
      relations: { nren: true },
      lock: em ? this.tx.forUpdate : undefined,
    });
    if (!o || !can(p, action, placeOfOrganisation(o))) {
      throw new NotFound('organisation');
    }
    return o;
  }

  async create(p: Principal, input: unknown, actor: Actor): Promise<Organisation> {
    const data = parseInput(organisationCreateInput, input);
    if (!can(p, 'organisation.create', { nrenId: data.nrenId })) {
      throw new ValidationFailed([{ field: 'nrenId', code: 'invalid' }]);
    }
    return this.tx.run(async (em) => {
      if (!(await em.existsBy(Nren, { id: data.nrenId }))) {
        throw new ValidationFailed([{ field: 'nrenId', code: 'invalid' }]);
      }
      const o = await em.save(
        em.create(Organisation, { ...data, caOrganisationId: data.caOrganisationId || null }),
      );
      await this.audit.record(em, actor, {
        action: 'organisation.created',
        subjectType: 'organisation',
        subjectId: o.id,
        detail: { name: o.name, nrenId: o.nrenId },
      });
      return o;
    });
  }

  async update(
    p: Principal,
    id: number,
    input: unknown,
    actor: Actor,
    mode: EditMode = 'replace',
  ): Promise<Organisation> {
    return this.tx.run(async (em) => {
      const o = await this.get(p, id, 'organisation.edit', em);
      const data = parseInput(organisationUpdateInput, editedInput(mode, input, o));
      if (o.version !== data.version) {
        throw new StaleObject();
      }
      const { version: _v, ...fields } = data;
      const changed = Object.keys(fields).filter(
        (k) =>
          JSON.stringify(fields[k as keyof typeof fields]) !==
          JSON.stringify(o[k as keyof Organisation]),
      );
      Object.assign(o, fields, { caOrganisationId: fields.caOrganisationId || null });
      // Changing what goes into certificates invalidates the identity validation.
      const identityFields = [
        'name',
        'streetAddress',
        'locality',
        'stateOrProvince',
        'postalCode',
        'country',
      ];
      if (changed.some((k) => identityFields.includes(k))) {
        o.identityValidatedAt = null;
        o.identityValidatedBy = null;
      }
      const saved = await em.save(o);
      await this.audit.record(em, actor, {
        action: 'organisation.updated',
        subjectType: 'organisation',
        subjectId: id,
        detail: { changed },
      });
      return saved;
    });
  }

  async validateIdentity(
    p: Principal,
    id: number,
    input: unknown,
    actor: Actor,
  ): Promise<Organisation> {
    const { version } = parseInput(identityValidationInput, input);
    return this.tx.run(async (em) => {
      const o = await this.get(p, id, 'organisation.validate-identity', em);
      if (o.version !== version) {
        throw new StaleObject();
      }
      o.identityValidatedAt = this.clock.now();
      o.identityValidatedBy = actor.id;
      const saved = await em.save(o);
      await this.audit.record(em, actor, {
        action: 'organisation.identity-validated',
        subjectType: 'organisation',
        subjectId: id,
        detail: { validUntil: this.identityStatus(saved).validUntil?.toISOString() },
      });
      return saved;
    });
  }

  async listDepartments(p: Principal, organisationId: number): Promise<Department[]> {
    const o = await this.tx.manager.findOneBy(Organisation, { id: organisationId });
    if (!o) {
      throw new NotFound('organisation');
    }
    const all = await this.tx.manager.find(Department, {
      where: { organisationId },
      order: { name: 'ASC' },
      take: 1000,
    });
    const visible = all.filter((d) =>
      can(p, 'department.view', placeOfDepartment({ ...d, organisation: o })),
    );
    if (!visible.length && !can(p, 'organisation.view', placeOfOrganisation(o))) {
      throw new NotFound('organisation');
    }
    return visible;
  }

  // Departments the person belongs to (requester or DRAO), for their start page.
  async myDepartments(p: Principal): Promise<Department[]> {
    const ids = [...scopeOf(p).memberDepartments];
    if (!ids.length) {
      return [];
    }
    return this.tx.manager
      .createQueryBuilder(Department, 'd')
      .leftJoinAndSelect('d.organisation', 'o')
      .where('d.id IN (:...ids)', { ids })
      .orderBy('o.name')
      .addOrderBy('d.name')
      .take(200)
      .getMany();
  }

  async getDepartment(
    p: Principal,
    id: number,
    action: Action = 'department.view',
    em?: EntityManager,
  ): Promise<Department> {
    const d = await (em ?? this.tx.manager).findOne(Department, {
      where: { id },
      relations: { organisation: { nren: true } },
      lock: em ? this.tx.forUpdate : undefined,
    });
    if (!d || !can(p, action, placeOfDepartment(d))) {
      throw new NotFound('department');
    }
    return d;
  }

  async createDepartment(
    p: Principal,
    organisationId: number,
    input: unknown,
    actor: Actor,
  ): Promise<Department> {
    const data = parseInput(departmentInput, input);
    return this.tx.run(async (em) => {
      const o = await this.get(p, organisationId, 'department.create', em);
      await this.assertDepartmentNameFree(em, o.id, data.name);
      const d = await em.save(em.create(Department, { organisationId: o.id, name: data.name }));
      await this.audit.record(em, actor, {
        action: 'department.created',
        subjectType: 'organisation',
        subjectId: o.id,
        detail: { departmentId: d.id, name: d.name },
      });
      return d;
    });
  }

  async updateDepartment(
    p: Principal,
    id: number,
    input: unknown,
    actor: Actor,
    mode: EditMode = 'replace',
  ): Promise<Department> {
    return this.tx.run(async (em) => {
      const d = await this.getDepartment(p, id, 'department.edit', em);
      const data = parseInput(departmentUpdateInput, editedInput(mode, input, d));
      if (d.version !== data.version) {
        throw new StaleObject();
      }
      if (d.name !== data.name) {
        await this.assertDepartmentNameFree(em, d.organisationId, data.name);
      }
      const before = d.name;
      d.name = data.name;
      const saved = await em.save(d);
      await this.audit.record(em, actor, {
        action: 'department.updated',
        subjectType: 'department',
        subjectId: id,
        detail: { from: before, to: d.name },
      });
      return saved;
    });
  }

  private async assertDepartmentNameFree(
    em: EntityManager,
    organisationId: number,
    name: string,
  ): Promise<void> {
    if (await em.existsBy(Department, { organisationId, name })) {
      throw new ValidationFailed([{ field: 'name', code: 'name_taken' }]);
    }
  }
}
