import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Brackets, type EntityManager } from 'typeorm';
import { z } from 'zod';
import { can, type Place } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { RoleGrant } from '../accounts/role-grant.entity.js';
import { User } from '../accounts/user.entity.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Certificate, effectiveState } from '../certificates/certificate.entity.js';
import { openRevocationRequestsFor } from '../certificates/revocation-request-scope.js';
import {
  RevocationRequest,
  SUBSCRIBER_REASONS,
} from '../certificates/revocation-request.entity.js';
import { Clock } from '../common/clock.js';
import { DomainError, Forbidden, NotFound } from '../common/errors.js';
import { field } from '../common/input.js';
import { toPage, type Page, type PageRequest } from '../common/paging.js';
import { appConfig } from '../config/app.config.js';
import { insertOnce } from '../database/exactly-once.js';
import { Transactions } from '../database/transactions.js';
import { wholeSeconds } from '../database/whole-seconds.js';
import { isLanguage, type Language } from '../i18n/languages.js';
import { MailService } from '../mail/mail.service.js';
import { Nren } from '../nrens/nren.entity.js';
import { CertificateRequest } from '../requests/certificate-request.entity.js';
import {
  CertificateNotRevocable,
  RevocationRequestDecided,
  RevocationRequestOpen,
} from './orders.errors.js';
import { RevocationService } from './revocation.service.js';

export const askRevocationInput = z.object({
  reason: z.enum(SUBSCRIBER_REASONS, { error: 'revocation_reason_unknown' }),
  explanation: field.multilineText(2000),
});

export const refuseRevocationInput = z.object({
  reason: field.multilineText(2000),
});

export interface AskOutcome {
  request: RevocationRequest;
  // Key compromise: whether the CA revoked it at once (false: the CA could not be reached; the
  // request stays open and the approvers, who were told, revoke it).
  revokedAtOnce: boolean;
}

export type RevocationRequestRow = RevocationRequest & { certificate: Certificate };

// A certificate's revocation asked for by someone who holds it (its requester, or anyone in
// its department) and decided by an approver, who may also revoke directly. Key compromise
// is never held up: it goes straight to the CA and the approvers are told by e-mail.
@Injectable()
export class RevocationRequestsService {
  private readonly logger = new Logger('RevocationRequests');

  constructor(
    private readonly tx: Transactions,
    private readonly revocation: RevocationService,
    private readonly audit: AuditService,
    private readonly mail: MailService,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  // The certificate and where it sits, or "not found" for anyone who may not see it.
  private async visible(p: Principal, certificateId: number): Promise<[Certificate, Place]> {
    const c = await this.tx.manager.findOneBy(Certificate, { id: certificateId });
    if (!c) {
      throw new NotFound('certificate');
    }
    const request = c.requestId
      ? await this.tx.manager.findOneBy(CertificateRequest, { id: c.requestId })
      : null;
    const place: Place = {
      nrenId: c.nrenId,
      organisationId: c.organisationId,
      departmentId: c.departmentId,
      ...(request ? { requesterId: request.requesterId } : {}),
    };
    if (!can(p, 'certificate.view', place)) {
      throw new NotFound('certificate');
    }
    return [c, place];
  }

  mayAsk(p: Principal, place: Place): boolean {
    return can(p, 'certificate.request-revocation', place);
  }

  async ask(
    p: Principal,
    actor: Actor,
    certificateId: number,
    input: z.infer<typeof askRevocationInput>,
  ): Promise<AskOutcome> {
    const [c, place] = await this.visible(p, certificateId);
    if (!this.mayAsk(p, place)) {
      throw new Forbidden();
    }
    if (!['valid', 'superseded'].includes(effectiveState(c, this.clock.now()))) {
      throw new CertificateNotRevocable();
    }
    const created = await this.tx.run(async (em) => {
      const values = {
        certificateId: c.id,
        openCertificateId: c.id,
        nrenId: c.nrenId,
        organisationId: c.organisationId,
        departmentId: c.departmentId,
        requesterId: p.userId,
        requesterLabel: actor.label.slice(0, 254),
        reason: input.reason,
        explanation: input.explanation,
        state: 'open' as const,
        version: 1,
      };
      // The unique key on the open certificate id lets one open request in, at any moment.
      if (!(await insertOnce(em, RevocationRequest, values))) {
        throw new RevocationRequestOpen();
      }
      const row = await em.findOneByOrFail(RevocationRequest, { openCertificateId: c.id });
      await this.audit.record(em, actor, {
        action: 'certificate.revocation-requested',
        subjectType: 'certificate',
        subjectId: c.id,
        detail: { revocationRequestId: row.id, reason: input.reason },
      });
      if (input.reason === 'keyCompromise') {
        await this.tellApprovers(em, c, row);
      }
      return row;
    });
    if (input.reason !== 'keyCompromise') {
      return { request: created, revokedAtOnce: false };
    }
    try {
      await this.revocation.perform({ system: 'key-compromise' }, actor, c, {
        reason: 'keyCompromise',
        note: input.explanation.slice(0, 500),
      });
    } catch (err) {
      // The CA refused or could not be reached: the request stays open, the approvers know.
      if (!(err instanceof DomainError)) {
        throw err;
      }
      this.logger.warn(
        `key compromise revocation of certificate ${c.id} not done at once: ${err.code}`,
      );
      return { request: created, revokedAtOnce: false };
    }
    return {
      request: await this.tx.manager.findOneByOrFail(RevocationRequest, { id: created.id }),
      revokedAtOnce: true,
    };
  }

  // An approver agrees: the certificate is revoked at the CA with the reason asked for.
  async approve(
    p: Principal,
    actor: Actor,
    id: number,
    certificateId?: number,
  ): Promise<RevocationRequest> {
    const [r, c] = await this.decidable(p, id, certificateId);
    await this.revocation.perform(
      { principal: p, actor },
      actor,
      c,
      {
        reason: r.reason,
        note: r.explanation.slice(0, 500),
      },
      { revocationRequestId: r.id },
    );
    return this.tx.manager.findOneByOrFail(RevocationRequest, { id: r.id });
  }

  // An approver says no, with a reason the person who asked sees.
  async refuse(
    p: Principal,
    actor: Actor,
    id: number,
    reason: string,
    certificateId?: number,
  ): Promise<RevocationRequest> {
    const [r, c] = await this.decidable(p, id, certificateId);
    return this.tx.run(async (em) => {
      const current = await em.findOne(RevocationRequest, {
        where: { id: r.id },
        lock: this.tx.forUpdate,
      });
      if (current?.state !== 'open') {
        throw new RevocationRequestDecided();
      }
      await em.update(
        RevocationRequest,
        { id: r.id, version: current.version },
        {
          state: 'refused',
          openCertificateId: null,
          refusalReason: reason,
          decidedById: actor.id,
          decidedByLabel: actor.label.slice(0, 254),
          decidedAt: wholeSeconds(this.clock.now()),
          version: current.version + 1,
        },
      );
      await this.audit.record(em, actor, {
        action: 'certificate.revocation-refused',
        subjectType: 'certificate',
        subjectId: c.id,
        detail: { revocationRequestId: r.id, reason },
      });
      return em.findOneByOrFail(RevocationRequest, { id: r.id });
    });
  }

  // The request, if this person may decide it (on the page: and it is this certificate's).
  private async decidable(
    p: Principal,
    id: number,
    certificateId?: number,
  ): Promise<[RevocationRequest, Certificate]> {
    const r = await this.tx.manager.findOneBy(RevocationRequest, { id });
    if (!r || (certificateId !== undefined && r.certificateId !== certificateId)) {
      throw new NotFound('revocation_request');
    }
    let c: Certificate;
    let place: Place;
    try {
      [c, place] = await this.visible(p, r.certificateId);
    } catch (err) {
      if (err instanceof NotFound) {
        throw new NotFound('revocation_request');
      }
      throw err;
    }
    if (!can(p, 'request.revoke', place)) {
      throw new Forbidden();
    }
    if (r.state !== 'open') {
      throw new RevocationRequestDecided();
    }
    return [r, c];
  }

  // A certificate's revocation requests, newest first, for its page: the approvers see all,
  // anyone else only their own.
  async forCertificate(p: Principal, c: Certificate, place: Place): Promise<RevocationRequest[]> {
    const rows = await this.tx.manager.find(RevocationRequest, {
      where: { certificateId: c.id },
      order: { id: 'DESC' },
      take: 20,
    });
    if (can(p, 'request.revoke', place)) {
      return rows;
    }
    return rows.filter((r) => r.requesterId === p.userId);
  }

  // Open requests the person may decide, oldest first.
  async open(p: Principal, req: PageRequest): Promise<Page<RevocationRequestRow>> {
    const qb = openRevocationRequestsFor(this.tx.manager, p)
      .innerJoinAndMapOne('rr.certificate', Certificate, 'c', 'c.id = rr.certificate_id')
      .orderBy('rr.id', 'ASC');
    const [items, total] = await qb
      .skip((req.page - 1) * req.size)
      .take(req.size)
      .getManyAndCount();
    return toPage(items as RevocationRequestRow[], total, req);
  }

  // Key compromise: the RAOs of the organisation and DRAOs of the department hear of it at
  // once (the NREN's administrators when there are none), each in their own language.
  private async tellApprovers(
    em: EntityManager,
    c: Certificate,
    r: RevocationRequest,
  ): Promise<void> {
    const grants = await em
      .createQueryBuilder(RoleGrant, 'g')
      .where(
        new Brackets((w) => {
          w.where("g.role = 'rao' AND g.scope_id = :org", { org: c.organisationId }).orWhere(
            "g.role = 'drao' AND g.scope_id = :dept",
            { dept: c.departmentId },
          );
        }),
      )
      .getMany();
    let ids = [...new Set(grants.map((g) => g.userId))];
    if (ids.length === 0) {
      ids = (await em.findBy(RoleGrant, { role: 'nren-admin', scopeId: c.nrenId })).map(
        (g) => g.userId,
      );
    }
    const nren = await em.findOneBy(Nren, { id: c.nrenId });
    for (const id of [...new Set(ids)]) {
      const user = await em.findOneBy(User, { id });
      if (!user?.active) {
        continue;
      }
      const language: Language = isLanguage(user.language)
        ? user.language
        : isLanguage(nren?.defaultLanguage)
          ? nren.defaultLanguage
          : this.app.defaultLanguage;
      await this.mail.enqueue(em, {
        to: user.email,
        template: 'revocation-key-compromise',
        language,
        context: {
          id: c.id,
          name: c.mainName,
          serial: c.serial,
          asker: r.requesterLabel,
          explanation: r.explanation,
        },
      });
    }
  }
}
