import { Injectable } from '@nestjs/common';
import { EntityManager, type SelectQueryBuilder } from 'typeorm';
import { can, scopeOf } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound, ValidationFailed } from '../common/errors.js';
import { Transactions } from '../database/transactions.js';
import { Nren } from '../nrens/nren.entity.js';
import { Department } from '../organisations/department.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { CertificateRequest } from '../requests/certificate-request.entity.js';
import { CertificateFile } from './certificate-file.entity.js';
import { CertificateName } from './certificate-name.entity.js';
import {
  Certificate,
  effectiveState,
  type CertificateSource,
  type CertificateState,
} from './certificate.entity.js';
import { CertificateExists, CertificateUnreadable } from './certificates.errors.js';
import { download, splitDer, type Download, type DownloadFormat } from './formats.js';
import { leafFacts, type LeafFacts } from './leaf-facts.js';
import { classifySearch, reverseName } from './search.js';

const SYSTEM: Actor = { id: null, label: 'system' };
// Counting a million rows for every page would cost more than the page; beyond this the
// list says "more than".
export const COUNT_CAP = 10_000;

export interface StoreIssued {
  requestId: number;
  leafDer: Uint8Array;
  chainDer: Uint8Array[];
  // The certificate this one renews or replaces; it becomes superseded.
  replacesId?: number | null;
}

export interface StoreImported {
  departmentId: number;
  leafDer: Uint8Array;
  chainDer: Uint8Array[];
}

export type CertificateSort = 'expiry' | 'newest';

export interface CertificateFilter {
  q?: string;
  state?: CertificateState;
  expiresAfter?: Date;
  expiresBefore?: Date;
  nrenId?: number;
  organisationId?: number;
  departmentId?: number;
  sort?: CertificateSort;
  cursor?: string;
}

export interface CertificatePage {
  items: (Certificate & { effectiveState: CertificateState })[];
  // Opaque cursors for the neighbouring pages, null at either end.
  next: string | null;
  prev: string | null;
  total: number;
  totalCapped: boolean;
  // The scope asked for, by name (null: everything the person may see).
  place: string | null;
}

interface Cursor {
  dir: 'after' | 'before';
  notAfter: number;
  id: number;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.dir[0]}.${c.notAfter}.${c.id}`).toString('base64url');
}

function decodeCursor(raw: string): Cursor {
  const m = /^([ab])\.(\d{1,15})\.(\d{1,10})$/.exec(Buffer.from(raw, 'base64url').toString());
  if (!m) {
    throw new ValidationFailed([{ field: 'cursor', code: 'invalid' }]);
  }
  return { dir: m[1] === 'a' ? 'after' : 'before', notAfter: Number(m[2]), id: Number(m[3]) };
}

// '!' escapes LIKE wildcards the same way on MySQL and SQLite.
function likePrefix(s: string): string {
  return `${s.replace(/[!%_]/g, (c) => `!${c}`)}.%`;
}

export interface CertificateDetail {
  certificate: Certificate & { effectiveState: CertificateState };
  names: string[];
  organisation: Organisation;
  department: Department;
  request: CertificateRequest | null;
  replaces: Certificate | null;
  replacedBy: Certificate[];
}

type ScopePart = [string, Record<string, number | number[]>];

@Injectable()
export class CertificatesService {
  // Above this many matching names a name search walks the list's index instead of the
  // names index (see filter); tests lower it to reach that plan with a few rows.
  broadNameThreshold = COUNT_CAP;

  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  // For the CA collector, inside its transaction: the certificate the CA issued for a
  // request, checked beforehand (issued-check.ts). Storing the same certificate twice for
  // the same request returns the stored one, so a retried collection is harmless.
  async storeIssued(
    em: EntityManager,
    input: StoreIssued,
    actor: Actor = SYSTEM,
  ): Promise<Certificate> {
    const request = await em.findOne(CertificateRequest, {
      where: { id: input.requestId },
      relations: { department: { organisation: true } },
    });
    if (!request) {
      throw new NotFound('request');
    }
    return this.store(em, {
      source: 'ordered',
      requestId: request.id,
      department: request.department,
      nrenId: request.department.organisation.nrenId,
      leafDer: input.leafDer,
      chainDer: input.chainDer,
      replacesId: input.replacesId ?? null,
      actor,
    });
  }

  // A certificate that did not come through this RA (an NREN moving its records in).
  async storeImported(em: EntityManager, input: StoreImported, actor: Actor): Promise<Certificate> {
    const department = await em.findOne(Department, {
      where: { id: input.departmentId },
      relations: { organisation: true },
    });
    if (!department) {
      throw new NotFound('department');
    }
    return this.store(em, {
      source: 'imported',
      requestId: null,
      department,
      nrenId: department.organisation.nrenId,
      leafDer: input.leafDer,
      chainDer: input.chainDer,
      replacesId: null,
      actor,
    });
  }

  private async store(
    em: EntityManager,
    input: {
      source: CertificateSource;
      requestId: number | null;
      department: Department;
      nrenId: number;
      leafDer: Uint8Array;
      chainDer: Uint8Array[];
      replacesId: number | null;
      actor: Actor;
    },
  ): Promise<Certificate> {
    let facts: LeafFacts;
    try {
      facts = leafFacts(input.leafDer);
      input.chainDer.forEach((der) => splitDer(der));
    } catch {
      // Only parsing runs here: whatever fails, the bytes are not a certificate we can read.
      throw new CertificateUnreadable();
    }
    const existing = await em.findOneBy(Certificate, {
      fingerprintSha256: facts.fingerprintSha256,
    });
    if (existing) {
      if (existing.requestId !== null && existing.requestId === input.requestId) {
        return existing;
      }
      throw new CertificateExists();
    }
    const mainName = facts.names[0] ?? facts.subject;
    const certificate = await em.save(
      em.create(Certificate, {
        nrenId: input.nrenId,
        organisationId: input.department.organisationId,
        departmentId: input.department.id,
        source: input.source,
        requestId: input.requestId,
        replacesId: input.replacesId,
        serial: facts.serial,
        issuer: facts.issuer,
        subject: facts.subject,
        mainName: mainName.slice(0, 253),
        nameCount: facts.names.length,
        keyType: facts.keyType,
        keyBits: facts.keyBits,
        signatureAlgorithm: facts.signatureAlgorithm.slice(0, 64),
        notBefore: facts.notBefore,
        notAfter: facts.notAfter,
        fingerprintSha256: facts.fingerprintSha256,
        spkiSha256: facts.spkiSha256,
        state: 'valid',
        revocationReason: null,
        revokedAt: null,
      }),
    );
    if (facts.names.length) {
      await em.insert(
        CertificateName,
        facts.names.map((name) => ({
          certificateId: certificate.id,
          name: name.slice(0, 253),
          reversed: reverseName(name).slice(0, 253),
        })),
      );
    }
    await em.insert(CertificateFile, {
      certificateId: certificate.id,
      leafDer: Buffer.from(input.leafDer),
      chainDer: Buffer.concat(input.chainDer.map((d) => Buffer.from(d))),
    });
    if (input.replacesId !== null) {
      await this.supersede(em, input.replacesId, certificate.id, input.actor);
    }
    await this.audit.record(em, input.actor, {
      action: 'certificate.stored',
      subjectType: 'certificate',
      subjectId: certificate.id,
      detail: {
        source: input.source,
        requestId: input.requestId,
        serial: facts.serial,
        fingerprint: facts.fingerprintSha256,
        names: facts.names,
        notAfter: facts.notAfter.toISOString(),
      },
    });
    return certificate;
  }

  private async supersede(em: EntityManager, id: number, by: number, actor: Actor): Promise<void> {
    const old = await em.findOne(Certificate, { where: { id }, lock: this.tx.forUpdate });
    if (!old) {
      throw new NotFound('certificate');
    }
    // A revoked certificate stays revoked: that says more than superseded.
    if (old.state !== 'valid') {
      return;
    }
    await em.update(
      Certificate,
      { id, version: old.version },
      { state: 'superseded', version: old.version + 1 },
    );
    await this.audit.record(em, actor, {
      action: 'certificate.superseded',
      subjectType: 'certificate',
      subjectId: id,
      detail: { by },
    });
  }

  private placeOf(c: Pick<Certificate, 'nrenId' | 'organisationId' | 'departmentId'>) {
    return { nrenId: c.nrenId, organisationId: c.organisationId, departmentId: c.departmentId };
  }

  // Someone who may not see a certificate gets the same answer as for one that does not exist.
  private async visible(p: Principal, id: number): Promise<Certificate> {
    const c = await this.tx.manager.findOneBy(Certificate, { id });
    if (!c || !can(p, 'certificate.view', this.placeOf(c))) {
      throw new NotFound('certificate');
    }
    return c;
  }

  async get(p: Principal, id: number): Promise<CertificateDetail> {
    const c = await this.visible(p, id);
    const em = this.tx.manager;
    const [names, department, request, replaces, replacedBy] = await Promise.all([
      em.find(CertificateName, { where: { certificateId: id }, take: 1000 }),
      em.findOneOrFail(Department, {
        where: { id: c.departmentId },
        relations: { organisation: true },
      }),
      c.requestId
        ? em.findOne(CertificateRequest, {
            where: { id: c.requestId },
            relations: { product: true },
          })
        : null,
      c.replacesId ? em.findOneBy(Certificate, { id: c.replacesId }) : null,
      em.find(Certificate, { where: { replacesId: id }, order: { id: 'ASC' }, take: 20 }),
    ]);
    // Names in the certificate's order, as stored; the table's order is by name.
    const byName = new Set(names.map((n) => n.name));
    const ordered =
      c.mainName && byName.has(c.mainName)
        ? [c.mainName, ...[...byName].filter((n) => n !== c.mainName)]
        : [...byName];
    return {
      certificate: Object.assign(c, { effectiveState: effectiveState(c, this.clock.now()) }),
      names: ordered,
      organisation: department.organisation,
      department,
      request,
      replaces,
      replacedBy,
    };
  }

  async download(p: Principal, id: number, format: DownloadFormat): Promise<Download> {
    const c = await this.visible(p, id);
    const file = await this.tx.manager.findOneByOrFail(CertificateFile, { certificateId: id });
    return download(format, c.mainName, file.leafDer, splitDer(file.chainDer));
  }

  // What the person may see, or the one scope asked for (404 when it is not theirs, as for
  // one that does not exist): null for everything, else one condition per kind of grant.
  private async scope(
    p: Principal,
    f: CertificateFilter,
  ): Promise<{ place: string | null; parts: ScopePart[] | null }> {
    const em = this.tx.manager;
    if (f.departmentId !== undefined) {
      const d = await em.findOne(Department, {
        where: { id: f.departmentId },
        relations: { organisation: true },
      });
      if (
        !d ||
        !can(p, 'certificate.view', {
          nrenId: d.organisation.nrenId,
          organisationId: d.organisationId,
          departmentId: d.id,
        })
      ) {
        throw new NotFound('department');
      }
      return {
        place: `${d.organisation.name} / ${d.name}`,
        parts: [['c.department_id = :dept', { dept: d.id }]],
      };
    }
    if (f.organisationId !== undefined) {
      const o = await em.findOneBy(Organisation, { id: f.organisationId });
      if (!o || !can(p, 'certificate.view', { nrenId: o.nrenId, organisationId: o.id })) {
        throw new NotFound('organisation');
      }
      return { place: o.name, parts: [['c.organisation_id = :org', { org: o.id }]] };
    }
    if (f.nrenId !== undefined) {
      const n = await em.findOneBy(Nren, { id: f.nrenId });
      if (!n || !can(p, 'certificate.view', { nrenId: n.id })) {
        throw new NotFound('nren');
      }
      return { place: n.name, parts: [['c.nren_id = :nren', { nren: n.id }]] };
    }
    const s = scopeOf(p);
    if (s.platform) {
      return { place: null, parts: null };
    }
    const parts: ScopePart[] = [];
    if (s.memberDepartments.size) {
      parts.push(['c.department_id IN (:...deps)', { deps: [...s.memberDepartments] }]);
    }
    if (s.raoOrganisations.size) {
      parts.push(['c.organisation_id IN (:...orgs)', { orgs: [...s.raoOrganisations] }]);
    }
    if (s.nrens.size) {
      parts.push(['c.nren_id IN (:...nrens)', { nrens: [...s.nrens] }]);
    }
    return { place: null, parts };
  }

  // How many names a name search matches, counted up to the cap from the index alone.
  private async namesMatching(reversed: string): Promise<number> {
    const rows: { n: number | string }[] = await this.tx.manager.query(
      `SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM certificate_names n
        WHERE n.reversed = ? OR n.reversed LIKE ? ESCAPE '!' LIMIT ${this.broadNameThreshold + 1}) m`,
      [reversed, likePrefix(reversed)],
    );
    return Number(rows[0]?.n ?? 0);
  }

  private filter(
    qb: SelectQueryBuilder<Certificate>,
    f: CertificateFilter,
    now: Date,
    broadName: boolean,
  ): void {
    const term = classifySearch(f.q ?? '');
    if (term?.kind === 'fingerprint') {
      qb.andWhere('c.fingerprint_sha256 = :fp', { fp: term.value });
    } else if (term?.kind === 'serial') {
      qb.andWhere('c.serial = :serial', { serial: term.value });
    } else if (term?.kind === 'name') {
      const names = { rev: term.reversed, revBelow: likePrefix(term.reversed) };
      const match = "(n.reversed = :rev OR n.reversed LIKE :revBelow ESCAPE '!')";
      // A narrow name (a host, a department's domain) is found through the names index, and
      // its few certificates sorted. A broad one (a parent of most names) would make that
      // a sort of a million rows; then the list walks its index in order instead and checks
      // each certificate's names, stopping at the page. The per-row form is a scalar
      // subquery on purpose: the optimizer would turn IN or EXISTS back into the first plan.
      qb.andWhere(
        broadName
          ? `(SELECT 1 FROM certificate_names n WHERE n.certificate_id = c.id AND ${match} LIMIT 1) IS NOT NULL`
          : `c.id IN (SELECT n.certificate_id FROM certificate_names n WHERE ${match})`,
        names,
      );
    }
    switch (f.state) {
      case undefined:
        break;
      case 'valid':
        qb.andWhere("c.state = 'valid' AND c.not_after > :now", { now });
        break;
      case 'expired':
        qb.andWhere("c.state = 'valid' AND c.not_after <= :now", { now });
        break;
      case 'revoked':
      case 'superseded':
        qb.andWhere('c.state = :state', { state: f.state });
        break;
    }
    if (f.expiresAfter) {
      qb.andWhere('c.not_after >= :expiresAfter', { expiresAfter: f.expiresAfter });
    }
    if (f.expiresBefore) {
      qb.andWhere('c.not_after < :expiresBefore', { expiresBefore: f.expiresBefore });
    }
  }

  private keyset(
    qb: SelectQueryBuilder<Certificate>,
    sort: CertificateSort,
    cursor: Cursor | null,
  ): SelectQueryBuilder<Certificate> {
    const backwards = cursor?.dir === 'before';
    if (sort === 'expiry') {
      if (cursor) {
        const k = new Date(cursor.notAfter);
        qb.andWhere(
          backwards
            ? 'c.not_after <= :k AND (c.not_after < :k OR c.id < :kid)'
            : 'c.not_after >= :k AND (c.not_after > :k OR c.id > :kid)',
          { k, kid: cursor.id },
        );
      }
      const dir = backwards ? 'DESC' : 'ASC';
      return qb.orderBy('c.not_after', dir).addOrderBy('c.id', dir);
    }
    if (cursor) {
      qb.andWhere(backwards ? 'c.id > :kid' : 'c.id < :kid', { kid: cursor.id });
    }
    return qb.orderBy('c.id', backwards ? 'ASC' : 'DESC');
  }

  // Certificates in the store that share a name with these (an approver weighs what was
  // issued before for the same names), within what the person may see, newest first.
  async sharingNames(
    p: Principal,
    names: string[],
    exceptRequestId?: number,
    limit = 20,
  ): Promise<(Certificate & { effectiveState: string })[]> {
    // By the reversed name: that column is indexed.
    const wanted = [...new Set(names.map(reverseName))].slice(0, 100);
    if (!wanted.length) {
      return [];
    }
    const { parts } = await this.scope(p, {});
    const now = this.clock.now();
    const found = new Map<number, Certificate>();
    for (const part of parts ?? [null]) {
      const qb = this.tx.manager
        .createQueryBuilder(Certificate, 'c')
        .where(
          'c.id IN (SELECT n.certificate_id FROM certificate_names n WHERE n.reversed IN (:...wanted))',
          { wanted },
        );
      if (part) {
        qb.andWhere(part[0], part[1]);
      }
      if (exceptRequestId !== undefined) {
        qb.andWhere('(c.request_id IS NULL OR c.request_id <> :except)', {
          except: exceptRequestId,
        });
      }
      for (const c of await qb.orderBy('c.id', 'DESC').take(limit).getMany()) {
        found.set(c.id, c);
      }
    }
    return [...found.values()]
      .sort((a, b) => b.id - a.id)
      .slice(0, limit)
      .map((c) => Object.assign(c, { effectiveState: effectiveState(c, now) }));
  }

  // Keyset paging: each page continues from the last row of the one before, along an index
  // ((scope, not_after, id) or (scope, id)), so page 40,000 costs what page 1 costs. Someone
  // with grants of several kinds (an RAO who is also a requester elsewhere) gets one query
  // per kind, each along its own index, merged here: an OR across three indexes would make
  // the database read and sort every row the person may see.
  async list(p: Principal, f: CertificateFilter, size = 25): Promise<CertificatePage> {
    const now = this.clock.now();
    const sort = f.sort ?? 'expiry';
    const cursor = f.cursor ? decodeCursor(f.cursor) : null;
    const { place, parts } = await this.scope(p, f);
    const term = classifySearch(f.q ?? '');
    const broadName =
      term?.kind === 'name' && (await this.namesMatching(term.reversed)) > this.broadNameThreshold;
    const branches = (parts ?? [null]).map((part) => {
      const qb = this.tx.manager.createQueryBuilder(Certificate, 'c');
      if (part) {
        qb.where(part[0], part[1]);
      }
      this.filter(qb, f, now, broadName);
      return qb;
    });
    if (!branches.length) {
      return { items: [], next: null, prev: null, total: 0, totalCapped: false, place };
    }

    const counted = branches.map((b) =>
      b
        .clone()
        .select('c.id', 'id')
        .limit(COUNT_CAP + 1)
        .getQueryAndParameters(),
    );
    const rowsCounted: { n: number | string }[] = await this.tx.manager.query(
      `SELECT COUNT(*) AS n FROM (${counted
        .map(([sql], i) => `SELECT id FROM (${sql}) b${i}`)
        .join(' UNION ')}) capped`,
      counted.flatMap(([, params]) => params as unknown[]),
    );
    const total = Number(rowsCounted[0]?.n ?? 0);

    const backwards = cursor?.dir === 'before';
    const fetched: Certificate[] = [];
    for (const b of branches) {
      fetched.push(
        ...(await this.keyset(b, sort, cursor)
          .limit(size + 1)
          .getMany()),
      );
    }
    const seen = new Set<number>();
    const sign = backwards ? -1 : 1;
    const rows = fetched
      .filter((c) => !seen.has(c.id) && seen.add(c.id))
      .sort((a, b) =>
        sort === 'expiry'
          ? sign * (a.notAfter.getTime() - b.notAfter.getTime() || a.id - b.id)
          : sign * (b.id - a.id),
      )
      .slice(0, size + 1);
    const more = rows.length > size;
    const items = rows.slice(0, size);
    if (backwards) {
      items.reverse();
    }
    const at = (c: Certificate | undefined, dir: Cursor['dir']) =>
      c ? encodeCursor({ dir, notAfter: c.notAfter.getTime(), id: c.id }) : null;
    const first = items[0];
    const last = items[items.length - 1];
    return {
      items: items.map((c) => Object.assign(c, { effectiveState: effectiveState(c, now) })),
      next: backwards || more ? at(last, 'after') : null,
      prev: backwards ? (more ? at(first, 'before') : null) : cursor ? at(first, 'before') : null,
      total: Math.min(total, COUNT_CAP),
      totalCapped: total > COUNT_CAP,
      place,
    };
  }
}
