import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { can } from '../access/access.js';
import type { Principal } from '../accounts/principal.js';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { Certificate } from '../certificates/certificate.entity.js';
import { Clock } from '../common/clock.js';
import { Forbidden, NotFound } from '../common/errors.js';
import { parseInput } from '../common/input.js';
import { Transactions } from '../database/transactions.js';
import { wholeSeconds } from '../database/whole-seconds.js';
import { Nren } from '../nrens/nren.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import {
  CertificateReminderSettings,
  ExpiryReminder,
  ExpiryReminderPolicy,
  type PolicyScope,
} from './expiry-reminder.entity.js';
import { reminderPolicyInput, reminderSettingsInput } from './expiry.input.js';
import { splitAddresses } from './expiry-reminders.service.js';

export interface ReminderSettingsView {
  muted: boolean;
  mutedAt: Date | null;
  extraAddresses: string[];
}

// What people set about reminders: a certificate's mute and extra addresses (those who
// decide on its organisation's requests), an NREN's or an organisation's thresholds.
@Injectable()
export class ExpirySettingsService {
  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  // Newest first: what was sent or skipped, to whom, for which threshold.
  async log(p: Principal, certificateId: number): Promise<ExpiryReminder[]> {
    await this.certificate(p, certificateId, 'certificate.view');
    return this.tx.manager.find(ExpiryReminder, {
      where: { certificateId },
      order: { id: 'DESC' },
      take: 500,
    });
  }

  // The reminder log page: the certificate, its log, its settings, and whether the reader
  // may change them (mute, extra addresses).
  async page(p: Principal, certificateId: number) {
    const certificate = await this.certificate(p, certificateId, 'certificate.view');
    const mayEdit = can(p, 'organisation.edit', {
      nrenId: certificate.nrenId,
      organisationId: certificate.organisationId,
      departmentId: certificate.departmentId,
    });
    return {
      certificate,
      log: await this.log(p, certificateId),
      settings: await this.settings(p, certificateId),
      mayEdit,
    };
  }

  async settings(p: Principal, certificateId: number): Promise<ReminderSettingsView> {
    await this.certificate(p, certificateId, 'certificate.view');
    const s = await this.tx.manager.findOneBy(CertificateReminderSettings, { certificateId });
    return {
      muted: Boolean(s?.mutedAt),
      mutedAt: s?.mutedAt ?? null,
      extraAddresses: splitAddresses(s?.extraAddresses ?? ''),
    };
  }

  async setSettings(
    p: Principal,
    certificateId: number,
    input: unknown,
    actor: Actor,
  ): Promise<ReminderSettingsView> {
    const wanted = parseInput(reminderSettingsInput, input);
    await this.certificate(p, certificateId, 'organisation.edit');
    await this.tx.run(async (em) => {
      const old = await em.findOne(CertificateReminderSettings, {
        where: { certificateId },
        lock: this.tx.forUpdate,
      });
      const mutedAt = wanted.muted ? (old?.mutedAt ?? wholeSeconds(this.clock.now())) : null;
      const values = {
        certificateId,
        mutedAt,
        mutedBy: wanted.muted ? (old?.mutedAt ? old.mutedBy : p.userId) : null,
        extraAddresses: wanted.extraAddresses.join(','),
      };
      await (old
        ? em.update(CertificateReminderSettings, { certificateId }, values)
        : em.insert(CertificateReminderSettings, values));
      if (Boolean(old?.mutedAt) !== wanted.muted) {
        await this.audit.record(em, actor, {
          action: wanted.muted ? 'certificate.reminders-muted' : 'certificate.reminders-unmuted',
          subjectType: 'certificate',
          subjectId: certificateId,
        });
      }
      if ((old?.extraAddresses ?? '') !== values.extraAddresses) {
        await this.audit.record(em, actor, {
          action: 'certificate.reminder-addresses-changed',
          subjectType: 'certificate',
          subjectId: certificateId,
          detail: { addresses: wanted.extraAddresses },
        });
      }
    });
    return this.settings(p, certificateId);
  }

  async policy(p: Principal, scope: PolicyScope, id: number): Promise<number[] | null> {
    await this.place(p, scope, id, false);
    const row = await this.tx.manager.findOneBy(ExpiryReminderPolicy, { scope, scopeId: id });
    return row ? row.days.split(',').map(Number) : null;
  }

  // An empty list removes the override: the NREN's (or the configured) thresholds apply.
  async setPolicy(
    p: Principal,
    scope: PolicyScope,
    id: number,
    input: unknown,
    actor: Actor,
  ): Promise<number[] | null> {
    const { days } = parseInput(reminderPolicyInput, input);
    await this.place(p, scope, id, true);
    await this.tx.runRetrying(async (em: EntityManager) => {
      await em.delete(ExpiryReminderPolicy, { scope, scopeId: id });
      if (days) {
        await em.insert(ExpiryReminderPolicy, { scope, scopeId: id, days: days.join(',') });
      }
      await this.audit.record(em, actor, {
        action: 'reminders.thresholds-changed',
        subjectType: scope,
        subjectId: id,
        detail: { days },
      });
    });
    return days;
  }

  private async certificate(
    p: Principal,
    id: number,
    action: 'certificate.view' | 'organisation.edit',
  ): Promise<Certificate> {
    const c = await this.tx.manager.findOneBy(Certificate, { id });
    const place = c && {
      nrenId: c.nrenId,
      organisationId: c.organisationId,
      departmentId: c.departmentId,
    };
    if (!c || !place || !can(p, 'certificate.view', place)) {
      throw new NotFound('certificate');
    }
    if (!can(p, action, place)) {
      throw new Forbidden();
    }
    return c;
  }

  private async place(p: Principal, scope: PolicyScope, id: number, edit: boolean): Promise<void> {
    if (scope === 'nren') {
      const n = await this.tx.manager.findOneBy(Nren, { id });
      if (!n || !can(p, 'nren.view', { nrenId: n.id })) {
        throw new NotFound('nren');
      }
      if (edit && !can(p, 'nren.edit', { nrenId: n.id })) {
        throw new Forbidden();
      }
      return;
    }
    const o = await this.tx.manager.findOneBy(Organisation, { id });
    const place = o && { nrenId: o.nrenId, organisationId: o.id };
    if (!o || !place || !can(p, 'organisation.view', place)) {
      throw new NotFound('organisation');
    }
    if (edit && !can(p, 'organisation.edit', place)) {
      throw new Forbidden();
    }
  }
}
