import { Injectable } from '@nestjs/common';
import { can } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import type { Actor } from '../audit/audit.service.js';
import { Certificate } from '../certificates/certificate.entity.js';
import { NotFound } from '../common/errors.js';
import { Transactions } from '../database/transactions.js';
import type { Language } from '../i18n/languages.js';
import { CertificateRequest } from '../requests/certificate-request.entity.js';
import type { RequestDraft } from '../requests/csr-evaluation.service.js';
import { RequestsService } from '../requests/requests.service.js';
import { CaOrder } from './ca-order.entity.js';
import { CertificateNotReplaceable } from './orders.errors.js';

export interface RenewInput {
  csr: RequestDraft['csr'];
  // Replace: a new CSR on the same order at the CA; renew: a new order.
  how: 'renew' | 'replace';
  product?: unknown;
  validityDays?: unknown;
  comment?: unknown;
}

// A renewal or replacement is a new request for the certificate's department and product,
// checked like any other, approved like any other, and ordered by the same pipeline; it
// remembers the certificate it supersedes once issued.
@Injectable()
export class RenewalService {
  constructor(
    private readonly tx: Transactions,
    private readonly requests: RequestsService,
  ) {}

  async renew(
    p: Principal,
    actor: Actor,
    lang: Language,
    certificateId: number,
    input: RenewInput,
  ): Promise<CertificateRequest> {
    const c = await this.tx.manager.findOneBy(Certificate, { id: certificateId });
    if (!c || !can(p, 'certificate.view', c)) {
      throw new NotFound('certificate');
    }
    const previous = c.requestId
      ? await this.tx.manager.findOne(CertificateRequest, {
          where: { id: c.requestId },
          relations: { product: true },
        })
      : null;
    if (input.how === 'replace') {
      const order = c.requestId
        ? await this.tx.manager.findOneBy(CaOrder, { requestId: c.requestId })
        : null;
      if (!order?.caOrderNumber) {
        throw new CertificateNotReplaceable();
      }
    }
    return this.requests.submit(
      p,
      {
        departmentId: c.departmentId,
        product: input.product ?? previous?.product.code,
        csr: input.csr,
        validityDays: input.validityDays,
        extraNames: [],
        comment: input.comment,
        keyProtection: previous?.keyProtection ?? undefined,
        evidence: null,
      },
      actor,
      lang,
      { certificateId: c.id, how: input.how },
    );
  }
}
