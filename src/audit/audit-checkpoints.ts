import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LessThanOrEqual } from 'typeorm';
import { Clock } from '../common/clock.js';
import { auditConfig } from '../config/audit.config.js';
import { secretsConfig } from '../config/secrets.config.js';
import { Transactions } from '../database/transactions.js';
import { AuditEvent, AuditHead } from './audit-event.entity.js';
import { auditKeys } from './audit.service.js';

// The chain's head at one moment: its newest event, that event's hash and how many events
// the chain had up to it.
export interface Checkpoint {
  at: string;
  eventId: number;
  count: number;
  hash: string;
}

export interface CheckpointLog {
  file: string;
  exists: boolean;
  checkpoints: Checkpoint[];
  // Line numbers whose signature does not verify (or that are not checkpoints at all).
  forged: number[];
}

// Signed checkpoints appended to a file outside the database (one JSON object a line). Each
// instance writes its own every five minutes when the chain has grown; audit-verify checks
// the chain against them.
@Injectable()
export class AuditCheckpoints {
  private readonly logger = new Logger(AuditCheckpoints.name);
  private readonly key: Buffer;
  readonly file: string;
  private lastWritten: string | null = null;

  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    @Inject(secretsConfig.KEY) secrets: ConfigType<typeof secretsConfig>,
    @Inject(auditConfig.KEY) config: ConfigType<typeof auditConfig>,
  ) {
    this.key = auditKeys(secrets.key).checkpoint;
    this.file = config.checkpointFile;
  }

  private sign(c: Checkpoint): string {
    return createHmac('sha256', this.key)
      .update(JSON.stringify([c.at, c.eventId, c.count, c.hash]))
      .digest('hex');
  }

  // Head and count read together, with the head locked: no append lands in between.
  async write(): Promise<Checkpoint | null> {
    const checkpoint = await this.tx.run(async (em) => {
      const head = await em.findOne(AuditHead, { where: { id: 1 }, lock: this.tx.forUpdate });
      if (!head || head.lastEventId === 0 || head.lastHash === this.lastWritten) {
        return null;
      }
      const count = await em.countBy(AuditEvent, { id: LessThanOrEqual(head.lastEventId) });
      const at = new Date(Math.floor(this.clock.now().getTime() / 1000) * 1000).toISOString();
      return { at, eventId: head.lastEventId, count, hash: head.lastHash };
    });
    if (!checkpoint) {
      return null;
    }
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(
      this.file,
      JSON.stringify({ ...checkpoint, sig: this.sign(checkpoint) }) + '\n',
      {
        mode: 0o600,
      },
    );
    this.lastWritten = checkpoint.hash;
    return checkpoint;
  }

  @Cron(CronExpression.EVERY_5_MINUTES, { name: 'audit-checkpoint' })
  async writeJob(): Promise<void> {
    try {
      await this.write();
    } catch (err) {
      this.logger.error(`audit checkpoint not written: ${(err as Error).message}`);
    }
  }

  async read(file = this.file): Promise<CheckpointLog> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return { file, exists: false, checkpoints: [], forged: [] };
      }
      throw err;
    }
    const checkpoints: Checkpoint[] = [];
    const forged: number[] = [];
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) {
        return;
      }
      try {
        const raw = JSON.parse(line) as Record<string, unknown>;
        const c: Checkpoint = {
          at: String(raw.at),
          eventId: Number(raw.eventId),
          count: Number(raw.count),
          hash: String(raw.hash),
        };
        const expected = Buffer.from(this.sign(c));
        const given = Buffer.from(String(raw.sig));
        if (given.length === expected.length && timingSafeEqual(given, expected)) {
          checkpoints.push(c);
          return;
        }
      } catch {
        // Not JSON: counted as forged below.
      }
      forged.push(i + 1);
    });
    return { file, exists: true, checkpoints, forged };
  }
}
