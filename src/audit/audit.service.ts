import { Injectable } from '@nestjs/common';
import { EntityManager, MoreThan } from 'typeorm';
import { Clock } from '../common/clock.js';
import { sha256Hex } from '../common/hash.js';
import { Transactions } from '../database/transactions.js';
import { AuditEvent, AuditHead } from './audit-event.entity.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface Actor {
  id: number | null;
  label: string;
  ip?: string | null;
}

export interface AuditEntry {
  action: string;
  subjectType?: string;
  subjectId?: string | number;
  detail?: Record<string, unknown>;
}

export type ChainReport =
  | { ok: true; checked: number }
  | { ok: false; checked: number; brokenAt: number | null; reason: 'edited' | 'link' | 'head' };

type Hashed = Pick<
  AuditEvent,
  | 'occurredAt'
  | 'actorId'
  | 'actorLabel'
  | 'action'
  | 'subjectType'
  | 'subjectId'
  | 'ip'
  | 'detail'
  | 'prevHash'
>;

export function hashEvent(e: Hashed): string {
  const fields = [
    e.prevHash,
    e.occurredAt.toISOString(),
    e.actorId,
    e.actorLabel,
    e.action,
    e.subjectType,
    e.subjectId,
    e.ip,
    e.detail,
  ];
  return sha256Hex(JSON.stringify(fields));
}

@Injectable()
export class AuditService {
  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
  ) {}

  // Appends inside the caller's transaction, so the change and its record commit together.
  async record(em: EntityManager, actor: Actor, entry: AuditEntry): Promise<AuditEvent> {
    const head = await em.findOne(AuditHead, {
      where: { id: 1 },
      lock: this.tx.forUpdate,
    });
    if (!head) {
      throw new Error('audit_head row missing: migrations not applied?');
    }
    // Whole seconds: that is what a MySQL DATETIME keeps, and the hash must survive a reload.
    const occurredAt = new Date(Math.floor(this.clock.now().getTime() / 1000) * 1000);
    const event = em.create(AuditEvent, {
      occurredAt,
      actorId: actor.id,
      actorLabel: actor.label.slice(0, 254),
      action: entry.action,
      subjectType: entry.subjectType ?? null,
      subjectId: entry.subjectId === undefined ? null : String(entry.subjectId),
      ip: actor.ip ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
      prevHash: head.lastHash,
    });
    event.hash = hashEvent(event);
    const saved = await em.save(event);
    await em.update(AuditHead, { id: 1 }, { lastEventId: saved.id, lastHash: saved.hash });
    return saved;
  }

  recordNow(actor: Actor, entry: AuditEntry): Promise<AuditEvent> {
    return this.tx.run((em) => this.record(em, actor, entry));
  }

  async history(
    subjectType: string,
    subjectId: string | number,
    limit = 50,
  ): Promise<AuditEvent[]> {
    return this.tx.manager.find(AuditEvent, {
      where: { subjectType, subjectId: String(subjectId) },
      order: { id: 'DESC' },
      take: limit,
    });
  }

  async forActor(actorId: number, limit = 50): Promise<AuditEvent[]> {
    return this.tx.manager.find(AuditEvent, {
      where: { actorId },
      order: { id: 'DESC' },
      take: limit,
    });
  }

  // Walks the chain in id order and reports the first row that does not follow from the one
  // before it: an edited row fails its own hash, a deleted row breaks the next row's link.
  async verify(batchSize = 1000): Promise<ChainReport> {
    const em = this.tx.manager;
    let expectedPrev = GENESIS_HASH;
    let lastId = 0;
    let checked = 0;
    for (;;) {
      const rows = await em.find(AuditEvent, {
        where: { id: MoreThan(lastId) },
        order: { id: 'ASC' },
        take: batchSize,
      });
      for (const row of rows) {
        if (row.prevHash !== expectedPrev) {
          return { ok: false, checked, brokenAt: row.id, reason: 'link' };
        }
        if (hashEvent(row) !== row.hash) {
          return { ok: false, checked, brokenAt: row.id, reason: 'edited' };
        }
        expectedPrev = row.hash;
        lastId = row.id;
        checked += 1;
      }
      if (rows.length < batchSize) {
        break;
      }
    }
    const head = await em.findOne(AuditHead, { where: { id: 1 } });
    if (!head || head.lastHash !== expectedPrev || head.lastEventId !== lastId) {
      return { ok: false, checked, brokenAt: null, reason: 'head' };
    }
    return { ok: true, checked };
  }
}
