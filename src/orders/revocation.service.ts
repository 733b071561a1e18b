import { Injectable } from '@nestjs/common';
import { can, type Place } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { CaClient, type CaRevokeTarget, type RevocationReason } from '../ca/ca-client.js';
import { CaUnavailable } from '../ca/ca.errors.js';
import { Certificate, effectiveState } from '../certificates/certificate.entity.js';
import { Clock } from '../common/clock.js';
import { Forbidden, NotFound } from '../common/errors.js';
import { Transactions } from '../database/transactions.js';
import { wholeSeconds } from '../database/whole-seconds.js';
import { KeysService } from '../keys/keys.service.js';
import { CertificateRequest } from '../requests/certificate-request.entity.js';
import { RevocationRequest } from '../certificates/revocation-request.entity.js';
import { RequestLifecycle, type Acting } from '../requests/request-lifecycle.js';
import { CaAccounts } from './ca-accounts.js';
import { CaOrder } from './ca-order.entity.js';
import { CertificateNotRevocable } from './orders.errors.js';

export interface RevokeInput {
  reason: RevocationReason;
  note?: string;
}

// Revokes at the CA first, then records it: the store, the request (issued -> revoked, through
// the lifecycle) and, for key compromise, the key on the blocklist the CSR rules consult, in
// one transaction. A revocation the CA refused or could not take changes nothing here; asking
// again is safe (the CA answers "already revoked").
@Injectable()
export class RevocationService {
  constructor(
    private readonly tx: Transactions,
    private readonly client: CaClient,
    private readonly accounts: CaAccounts,
    private readonly lifecycle: RequestLifecycle,
    private readonly keys: KeysService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  // Who may revoke it: the request's rule (request.revoke) at the certificate's place.
  async mayRevoke(p: Principal, c: Certificate): Promise<boolean> {
    return can(p, 'request.revoke', await this.placeOf(c));
  }

  private async placeOf(c: Certificate): Promise<Place> {
    const request = c.requestId
      ? await this.tx.manager.findOneBy(CertificateRequest, { id: c.requestId })
      : null;
    return {
      nrenId: c.nrenId,
      organisationId: c.organisationId,
      departmentId: c.departmentId,
      ...(request ? { requesterId: request.requesterId } : {}),
    };
  }

  async revoke(
    p: Principal,
    actor: Actor,
    certificateId: number,
    input: RevokeInput,
  ): Promise<Certificate> {
    const c = await this.tx.manager.findOneBy(Certificate, { id: certificateId });
    const place = c ? await this.placeOf(c) : null;
    if (!c || !place || !can(p, 'certificate.view', place)) {
      throw new NotFound('certificate');
    }
    if (!can(p, 'request.revoke', place)) {
      throw new Forbidden();
    }
    return this.perform({ principal: p, actor }, actor, c, input);
  }

  // Revokes without asking who may: for callers that decided that already (an approved
  // revocation request, a key compromise that is never held up by approval). Closes the
  // certificate's open revocation request, whoever revoked it and however.
  async perform(
    by: Acting,
    actor: Actor,
    c: Certificate,
    input: RevokeInput,
    approval?: { revocationRequestId: number },
  ): Promise<Certificate> {
    if (!['valid', 'superseded'].includes(effectiveState(c, this.clock.now()))) {
      throw new CertificateNotRevocable();
    }
    const account = await this.accounts.forNren(this.tx.manager, c.nrenId);
    if (!account) {
      throw new CaUnavailable('revoke', 'connect-failed', 'no CA account for this NREN', 0);
    }
    const order = c.requestId
      ? await this.tx.manager.findOneBy(CaOrder, { requestId: c.requestId })
      : null;
    // The order number names exactly this certificate only while it is the order's latest:
    // after a replacement the order carries the new one, so the serial number it is.
    const replacedSince = order?.caOrderNumber
      ? await this.tx.manager.existsBy(Certificate, { replacesId: c.id })
      : true;
    const target: CaRevokeTarget =
      order?.caOrderNumber && !replacedSince
        ? { orderNumber: order.caOrderNumber }
        : { serialNumber: c.serial };
    const answer = await this.client.revoke(account, target, input.reason);
    return this.tx.run(async (em) => {
      const current = await em.findOneOrFail(Certificate, {
        where: { id: c.id },
        lock: this.tx.forUpdate,
      });
      const open = await em.findOneBy(RevocationRequest, { openCertificateId: c.id });
      if (open) {
        await em.update(
          RevocationRequest,
          { id: open.id },
          {
            state: 'revoked',
            openCertificateId: null,
            decidedById: actor.id,
            decidedByLabel: actor.label.slice(0, 254),
            decidedAt: wholeSeconds(this.clock.now()),
            version: open.version + 1,
          },
        );
        if (approval?.revocationRequestId === open.id) {
          await this.audit.record(em, actor, {
            action: 'certificate.revocation-approved',
            subjectType: 'certificate',
            subjectId: c.id,
            detail: { revocationRequestId: open.id, reason: open.reason },
          });
        }
      }
      // Someone else recorded it meanwhile: the CA has revoked it once, which is what counts.
      if (current.state === 'revoked') {
        return current;
      }
      await em.update(
        Certificate,
        { id: c.id, version: current.version },
        {
          state: 'revoked',
          revocationReason: input.reason,
          revokedAt: wholeSeconds(this.clock.now()),
          version: current.version + 1,
        },
      );
      await this.audit.record(em, actor, {
        action: 'certificate.revoked',
        subjectType: 'certificate',
        subjectId: c.id,
        detail: {
          reason: input.reason,
          ...(input.note ? { note: input.note } : {}),
          serial: c.serial,
          alreadyRevokedAtCa: answer.alreadyRevoked,
          ...(open ? { revocationRequestId: open.id } : {}),
        },
      });
      if (c.requestId) {
        const request = await em.findOneBy(CertificateRequest, { id: c.requestId });
        if (request?.status === 'issued') {
          await this.lifecycle.transition(by, request.id, 'revoke', {
            em,
            reason: input.note,
            detail: { certificateId: c.id, revocationReason: input.reason },
          });
        }
      }
      if (input.reason === 'keyCompromise') {
        await this.keys.block(
          c.spkiSha256,
          'key-compromise',
          `certificate ${c.id} (${c.serial}) revoked for key compromise`,
          actor,
          em,
        );
      }
      return em.findOneByOrFail(Certificate, { id: c.id });
    });
  }
}
