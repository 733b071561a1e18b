import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { createHmac, hkdfSync } from 'node:crypto';
import { EntityManager, MoreThan, type SelectQueryBuilder } from 'typeorm';
import { Clock } from '../common/clock.js';
import { sha256Hex } from '../common/hash.js';
import { secretsConfig } from '../config/secrets.config.js';
import { Transactions } from '../database/transactions.js';
import { AuditEvent, AuditHead } from './audit-event.entity.js';
import type { Checkpoint } from './audit-checkpoints.js';

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

// What an audit search or a history page asks for; all optional, combined with AND.
export interface AuditFilter {
  actor?: string;
  action?: string;
  from?: Date;
  // Exclusive: the first moment not wanted.
  to?: Date;
  subjectType?: string;
  subjectId?: string;
  // Keyset paging, newest first: only events with a smaller id.
  before?: number;
}

export interface AuditPage {
  items: AuditEvent[];
  // The `before` of the next (older) page, if there is one.
  next: number | null;
}

// Adds the conditions that keep a search within what the reader may see (alias `e`).
export type AuditWithin = (qb: SelectQueryBuilder<AuditEvent>) => void;

export type ChainReport =
  | { ok: true; checked: number; checkpoints: number }
  | {
      ok: false;
      checked: number;
      brokenAt: number | null;
      // edited: the row's content or keyed hash is not what was written; link: the row
      // before it was removed; head: the newest rows were removed; unkeyed: an unkeyed row
      // after keyed ones; checkpoint: a signed checkpoint names another hash or count, or
      // an event that is no longer there.
      reason: 'edited' | 'link' | 'head' | 'unkeyed' | 'checkpoint';
      checkpoint?: Checkpoint;
    };

// Two keys derived from SECRETS_KEY, neither of them in the database.
export function auditKeys(secretsKey: Buffer): { chain: Buffer; checkpoint: Buffer } {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', secretsKey, '', info, 32));
  return {
    chain: derive('tcs-ra audit chain v1'),
    checkpoint: derive('tcs-ra audit checkpoint v1'),
  };
}

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

// Keyed rows (an HMAC under a key derived from SECRETS_KEY) cannot be recomputed by someone
// who can only write to the database; rows written before keys existed use plain SHA-256.
export function hashEvent(e: Hashed, key: Buffer | null): string {
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
  const text = JSON.stringify(fields);
  return key ? createHmac('sha256', key).update(text).digest('hex') : sha256Hex(text);
}

@Injectable()
export class AuditService {
  private readonly chainKey: Buffer;

  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    @Inject(secretsConfig.KEY) secrets: ConfigType<typeof secretsConfig>,
  ) {
    this.chainKey = auditKeys(secrets.key).chain;
  }

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
      keyed: true,
    });
    event.hash = hashEvent(event, this.chainKey);
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

  // Newest first, one page at a time by id (keyset), so the thousandth page costs what the
  // first does. `within` narrows to the reader's scope; the caller builds it.
  async search(filter: AuditFilter, within: AuditWithin | null, size = 50): Promise<AuditPage> {
    const qb = this.tx.manager.createQueryBuilder(AuditEvent, 'e').where('1 = 1');
    if (filter.actor) {
      qb.andWhere('e.actor_label = :actor', { actor: filter.actor });
    }
    if (filter.action) {
      qb.andWhere('e.action = :action', { action: filter.action });
    }
    if (filter.from) {
      qb.andWhere('e.occurred_at >= :from', { from: filter.from });
    }
    if (filter.to) {
      qb.andWhere('e.occurred_at < :to', { to: filter.to });
    }
    if (filter.subjectType) {
      qb.andWhere('e.subject_type = :st', { st: filter.subjectType });
    }
    if (filter.subjectId) {
      qb.andWhere('e.subject_id = :sid', { sid: filter.subjectId });
    }
    if (filter.before) {
      qb.andWhere('e.id < :before', { before: filter.before });
    }
    within?.(qb);
    const rows = await qb
      .orderBy('e.id', 'DESC')
      .take(size + 1)
      .getMany();
    const items = rows.slice(0, size);
    return {
      items,
      next: rows.length > size ? items[items.length - 1].id : null,
    };
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
  // Each checkpoint (already checked for its signature) must name a row of the chain, with
  // that hash, after exactly that many rows.
  async verify(checkpoints: Checkpoint[] = [], batchSize = 1000): Promise<ChainReport> {
    const em = this.tx.manager;
    const anchors = new Map<number, Checkpoint[]>();
    for (const c of checkpoints) {
      anchors.set(c.eventId, [...(anchors.get(c.eventId) ?? []), c]);
    }
    let expectedPrev = GENESIS_HASH;
    let lastId = 0;
    let checked = 0;
    let keyedSeen = false;
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
        if (keyedSeen && !row.keyed) {
          return { ok: false, checked, brokenAt: row.id, reason: 'unkeyed' };
        }
        keyedSeen ||= row.keyed;
        if (hashEvent(row, row.keyed ? this.chainKey : null) !== row.hash) {
          return { ok: false, checked, brokenAt: row.id, reason: 'edited' };
        }
        expectedPrev = row.hash;
        lastId = row.id;
        checked += 1;
        for (const c of anchors.get(row.id) ?? []) {
          if (c.hash !== row.hash || c.count !== checked) {
            return { ok: false, checked, brokenAt: row.id, reason: 'checkpoint', checkpoint: c };
          }
        }
        anchors.delete(row.id);
      }
      if (rows.length < batchSize) {
        break;
      }
    }
    // A checkpoint whose event is gone: the rows it vouched for were removed.
    const [missing] = [...anchors.values()].flat().sort((x, y) => x.eventId - y.eventId);
    if (missing) {
      return { ok: false, checked, brokenAt: null, reason: 'checkpoint', checkpoint: missing };
    }
    const head = await em.findOne(AuditHead, { where: { id: 1 } });
    if (!head || head.lastHash !== expectedPrev || head.lastEventId !== lastId) {
      return { ok: false, checked, brokenAt: null, reason: 'head' };
    }
    // Every event since keys came in is keyed, so a chain ending on an unkeyed row was
    // rewritten whole with plain hashes (or nothing has happened since the upgrade).
    if (checked > 0 && !keyedSeen) {
      return { ok: false, checked, brokenAt: lastId, reason: 'unkeyed' };
    }
    return { ok: true, checked, checkpoints: checkpoints.length };
  }
}
