import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { EntityManager } from 'typeorm';
import { AuditService, type Actor } from '../audit/audit.service.js';
import { ValidationFailed } from '../common/errors.js';
import { csrConfig } from '../config/csr.config.js';
import { DebianBlocklist } from '../csr/weak-keys/debian-blocklist.js';
import { Transactions } from '../database/transactions.js';
import { BlockedKey, type BlockReason } from './blocked-key.entity.js';

// What the RA knows about public keys: blocked ones, and which organisations use which.
@Injectable()
export class KeysService implements OnModuleInit {
  private readonly logger = new Logger(KeysService.name);
  // Read-only data loaded from the operator's files at start, like the message catalogue.
  private debian: DebianBlocklist[] = [];

  constructor(
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    @Inject(csrConfig.KEY) private readonly config: ConfigType<typeof csrConfig>,
  ) {}

  onModuleInit(): void {
    this.debian = this.config.debianWeakKeyFiles.map((file) => DebianBlocklist.load(file));
    if (this.debian.length) {
      const fingerprints = this.debian.reduce((n, list) => n + list.size, 0);
      this.logger.log(
        `Debian weak-key blocklist: ${fingerprints} fingerprints from ${this.debian.length} file(s)`,
      );
    }
  }

  isDebianWeak = (modulusHexUpper: string): boolean =>
    this.debian.some((list) => list.isWeak(modulusHexUpper));

  // `em`: read inside the caller's transaction (the one that records a request). Which
  // requests use a key is the requests' business (CsrEvaluationService).
  isBlocked(spkiSha256: string, em: EntityManager = this.tx.manager): Promise<boolean> {
    return em.existsBy(BlockedKey, { spkiSha256 });
  }

  // `em`: block inside the caller's transaction (a revocation for key compromise).
  async block(
    spkiSha256: string,
    reason: BlockReason,
    note: string,
    actor: Actor,
    em?: EntityManager,
  ): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(spkiSha256)) {
      throw new ValidationFailed([{ field: 'spki', code: 'invalid' }]);
    }
    const work = async (em: EntityManager) => {
      if (await em.existsBy(BlockedKey, { spkiSha256 })) {
        return;
      }
      await em.insert(BlockedKey, { spkiSha256, reason, note: note.slice(0, 500) });
      await this.audit.record(em, actor, {
        action: 'key.blocked',
        subjectType: 'key',
        subjectId: spkiSha256,
        detail: { reason, note },
      });
    };
    await (em ? work(em) : this.tx.run(work));
  }
}
