import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { can, type Place } from '../access/access.js';
import { AuditService } from '../audit/audit.service.js';
import { REVOCATION_REASONS } from '../ca/ca-client.js';
import type { FormFailure } from '../common/forms.js';
import { Transactions } from '../database/transactions.js';
import { CertificatesService } from './certificates.service.js';
import { DOWNLOAD_FORMATS } from './formats.js';
import { RevocationRequest, SUBSCRIBER_REASONS } from './revocation-request.entity.js';

// Which of the page's forms a failed post came from: it is shown again open, with the problems
// and what was typed; the others as they were.
export type CertificateForm = 'revoke' | 'ask' | 'renew' | `refuse-${number}`;

export interface CertificateFormFailure {
  form: CertificateForm;
  failure: FormFailure;
  values: Record<string, unknown>;
}

// The certificate page, shown by its own GET and again by the posts of its forms (revoke, ask
// for revocation, decide on a revocation request, renew or replace) when one fails, so that
// a failure is shown where it happened, input kept.
@Injectable()
export class CertificateDetailPage {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly audit: AuditService,
    private readonly tx: Transactions,
  ) {}

  async render(
    req: Request,
    res: Response,
    id: number,
    status = 200,
    failed?: CertificateFormFailure,
  ): Promise<void> {
    const p = req.principal!;
    const detail = await this.certificates.get(p, id);
    const c = detail.certificate;
    const place: Place = {
      nrenId: c.nrenId,
      organisationId: c.organisationId,
      departmentId: c.departmentId,
      ...(detail.request ? { requesterId: detail.request.requesterId } : {}),
    };
    const revocable = ['valid', 'superseded'].includes(c.effectiveState);
    const decides = can(p, 'request.revoke', place);
    const all = await this.tx.manager.find(RevocationRequest, {
      where: { certificateId: c.id },
      order: { id: 'DESC' },
      take: 20,
    });
    // Approvers see every request; anyone else the ones they made.
    const revocationRequests = (decides ? all : all.filter((r) => r.requesterId === p.userId)).map(
      (r) => ({
        r,
        refuseForm: `refuse-${r.id}`,
        decide: decides && r.state === 'open',
        refuseOpen: failed?.form === `refuse-${r.id}`,
        // The error summary links to #reason: the failed form's field takes that id.
        reasonId: failed?.form === `refuse-${r.id}` ? 'reason' : `refuse-${r.id}-reason`,
        problems: failed?.form === `refuse-${r.id}` ? failed.failure.problems : undefined,
      }),
    );
    const open = all.find((r) => r.state === 'open');
    const mayAsk = revocable && !open && can(p, 'certificate.request-revocation', place);
    const mayRenew = c.effectiveState !== 'revoked' && can(p, 'request.create', place);
    const failure = failed?.failure;
    res.status(status).render('certificates/show', {
      title: c.mainName,
      ...detail,
      revocation: revocable && decides ? { reasons: REVOCATION_REASONS } : null,
      ask: mayAsk ? { reasons: SUBSCRIBER_REASONS } : null,
      openRequest: open ?? null,
      revocationRequests,
      renewal: mayRenew
        ? { replace: c.source === 'ordered' && c.effectiveState === 'valid' }
        : null,
      failedForm: failed?.form ?? null,
      formProblems: failed ? { [failed.form]: failed.failure.problems } : {},
      ids: {
        ask: failed?.form === 'ask' ? 'reason' : 'ask-reason',
        revoke: failed?.form === 'revoke' ? 'reason' : 'revoke-reason',
      },
      formError: failure?.formError,
      problems: failure?.problems,
      values: failed?.values ?? {},
      history: await this.audit.history('certificate', c.id, 10),
      historyHref: `/certificates/${c.id}/history`,
      downloads: DOWNLOAD_FORMATS.map((f) => ({ format: f, href: `/certificates/${c.id}/${f}` })),
    });
  }
}
