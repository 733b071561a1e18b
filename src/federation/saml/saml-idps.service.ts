import { Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Brackets, In, IsNull, MoreThan } from 'typeorm';
import { Clock } from '../../common/clock.js';
import { federationConfig } from '../../config/federation.config.js';
import { Transactions } from '../../database/transactions.js';
import { FederationFeed } from './federation-feed.entity.js';
import {
  MetadataRejected,
  parseIdps,
  verifyMetadata,
  type IdpDescription,
  type IdpScope,
} from './metadata.js';
import { SamlIdp } from './saml-idp.entity.js';

const FEED_ID = 'saml';
// Longer than a fetch of a large feed can take; a crashed holder's claim lapses after it.
const LEASE_MS = 10 * 60_000;
const FETCH_TIMEOUT_MS = 120_000;
const MAX_FEED_BYTES = 512 * 1024 * 1024;
const PAGE = 50;

export interface IdpEntry {
  entityId: string;
  name: string;
  names: Record<string, string>;
  ssoUrl: string;
  certificates: string[];
  scopes: IdpScope[];
}

export type RefreshOutcome =
  | { kind: 'refreshed'; idps: number }
  | { kind: 'skipped'; reason: 'no-feed' | 'claimed' | 'fresh' }
  | { kind: 'failed'; reason: string };

function toEntry(row: SamlIdp): IdpEntry {
  return {
    entityId: row.entityId,
    name: row.name,
    names: JSON.parse(row.names) as Record<string, string>,
    ssoUrl: row.ssoUrl,
    certificates: JSON.parse(row.certificates) as string[],
    scopes: JSON.parse(row.scopes) as IdpScope[],
  };
}

function toRow(idp: IdpDescription, source: SamlIdp['source']): SamlIdp {
  const name = idp.names.en ?? Object.values(idp.names)[0] ?? idp.entityId;
  return Object.assign(new SamlIdp(), {
    entityId: idp.entityId,
    source,
    name: name.slice(0, 255),
    names: JSON.stringify(idp.names),
    searchText: [...Object.values(idp.names), idp.entityId, ...idp.scopes.map((s) => s.value)]
      .join('\n')
      .toLowerCase(),
    ssoUrl: idp.ssoUrl,
    certificates: JSON.stringify(idp.certificates),
    scopes: JSON.stringify(idp.scopes),
    validUntil: idp.validUntil,
  });
}

// '!' as the LIKE escape: a backslash is read differently by MySQL and SQLite string literals.
function likePattern(q: string): string {
  return `%${q.toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

// The identity providers people can choose: from the federation's signed metadata feed
// (fetched on a schedule by one instance at a time) and the one configured directly. All of
// it lives in the database, so every instance offers the same list.
@Injectable()
export class SamlIdpsService implements OnApplicationBootstrap {
  private readonly log = new Logger('SamlIdps');
  private readonly instanceId = randomUUID();
  private inFlight: Promise<RefreshOutcome> | null = null;

  constructor(
    private readonly tx: Transactions,
    private readonly clock: Clock,
    @Inject(federationConfig.KEY) private readonly cfg: ConfigType<typeof federationConfig>,
    // Absent in the CLI, which runs no schedules.
    @Optional() private readonly scheduler?: SchedulerRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.cfg.saml.enabled) {
      return;
    }
    await this.loadConfigured();
    if (this.cfg.saml.feed) {
      // The first fetch runs in the background: a slow feed must not hold up the start.
      void this.refreshFeed();
      const timer = setInterval(() => void this.refreshFeed(), this.cfg.saml.refreshMs);
      timer.unref();
      this.scheduler?.addInterval('saml-metadata-refresh', timer);
    }
  }

  // The IdP configured directly (SAML_IDP_METADATA_FILE): a file the operator placed, so it
  // is taken as it is, signed or not.
  async loadConfigured(): Promise<void> {
    const xml = this.cfg.saml.idpMetadata;
    await this.tx.run(async (em) => {
      await em.delete(SamlIdp, { source: 'config' });
      if (!xml) {
        return;
      }
      const { idps } = parseIdps(xml, this.clock.now());
      if (!idps.length) {
        throw new MetadataRejected('SAML_IDP_METADATA_FILE describes no usable identity provider');
      }
      await em.delete(SamlIdp, { entityId: In(idps.map((i) => i.entityId)) });
      await em.insert(
        SamlIdp,
        idps.map((i) => toRow(i, 'config')),
      );
    });
  }

  // Fetches, verifies and stores the feed unless another instance holds the claim or did it
  // recently. A feed that fails to load or verify changes nothing: what was loaded before
  // stays in use until its own validUntil.
  refreshFeed(force = false): Promise<RefreshOutcome> {
    this.inFlight ??= this.refreshOnce(force).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async refreshOnce(force: boolean): Promise<RefreshOutcome> {
    const feed = this.cfg.saml.feed;
    if (!feed) {
      return { kind: 'skipped', reason: 'no-feed' };
    }
    const now = this.clock.now();
    const claimed = await this.claim(now, force);
    if (claimed !== 'ok') {
      return { kind: 'skipped', reason: claimed };
    }
    try {
      const xml = feed.url ? await this.download(feed.url) : await readFile(feed.file!, 'utf8');
      const signed = verifyMetadata(xml, feed.cert);
      const parsed = parseIdps(signed, now);
      const count = await this.replaceFeed(parsed.idps);
      await this.release({
        refreshedAt: now,
        validUntil: parsed.validUntil,
        idpCount: count,
        lastError: null,
      });
      this.log.log(`federation metadata loaded: ${count} identity providers`);
      return { kind: 'refreshed', idps: count };
    } catch (err) {
      const reason =
        err instanceof MetadataRejected
          ? err.reason
          : err instanceof Error
            ? err.message
            : 'unknown error';
      this.log.warn(`federation metadata not loaded: ${reason}`);
      await this.release({ lastError: reason.slice(0, 500) });
      return { kind: 'failed', reason };
    }
  }

  private async claim(now: Date, force: boolean): Promise<'ok' | 'claimed' | 'fresh'> {
    const em = this.tx.manager;
    if (!(await em.existsBy(FederationFeed, { id: FEED_ID }))) {
      try {
        await em.insert(FederationFeed, { id: FEED_ID });
      } catch {
        // Another instance inserted it first; the claim below decides.
      }
    }
    const qb = em
      .createQueryBuilder()
      .update(FederationFeed)
      .set({ claimedBy: this.instanceId, claimedUntil: new Date(now.getTime() + LEASE_MS) })
      .where('id = :id', { id: FEED_ID })
      .andWhere(
        new Brackets((b) =>
          b.where('claimed_until IS NULL').orWhere('claimed_until < :now', { now }),
        ),
      );
    if (!force) {
      // Another instance refreshed within this period: nothing to do.
      const due = new Date(now.getTime() - this.cfg.saml.refreshMs * 0.9);
      qb.andWhere(
        new Brackets((b) =>
          b.where('refreshed_at IS NULL').orWhere('refreshed_at < :due', { due }),
        ),
      );
    }
    const result = await qb.execute();
    if (result.affected === 1) {
      return 'ok';
    }
    const row = await em.findOneBy(FederationFeed, { id: FEED_ID });
    return row?.claimedUntil && row.claimedUntil > now ? 'claimed' : 'fresh';
  }

  private async release(changes: Partial<FederationFeed>): Promise<void> {
    await this.tx.manager.update(
      FederationFeed,
      { id: FEED_ID, claimedBy: this.instanceId },
      { ...changes, claimedBy: null, claimedUntil: null },
    );
  }

  private async download(url: string): Promise<string> {
    const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
    if (!res.ok) {
      throw new Error(`HTTP ${res.status} from ${url}`);
    }
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_FEED_BYTES) {
      throw new Error(`feed larger than ${MAX_FEED_BYTES} bytes`);
    }
    return res.text();
  }

  private async replaceFeed(idps: IdpDescription[]): Promise<number> {
    return this.tx.run(async (em) => {
      const configured = new Set(
        (await em.find(SamlIdp, { where: { source: 'config' }, select: { entityId: true } })).map(
          (r) => r.entityId,
        ),
      );
      const rows = idps.filter((i) => !configured.has(i.entityId)).map((i) => toRow(i, 'feed'));
      await em.delete(SamlIdp, { source: 'feed' });
      for (let i = 0; i < rows.length; i += 200) {
        await em.insert(SamlIdp, rows.slice(i, i + 200));
      }
      return rows.length;
    });
  }

  private usable() {
    const now = this.clock.now();
    return [{ validUntil: IsNull() }, { validUntil: MoreThan(now) }];
  }

  async find(entityId: string): Promise<IdpEntry | null> {
    const row = await this.tx.manager.findOne(SamlIdp, {
      where: this.usable().map((w) => ({ ...w, entityId })),
    });
    return row ? toEntry(row) : null;
  }

  // Institutions whose name, entity id or scope contains the text typed, by name.
  async search(q: string): Promise<{ entries: IdpEntry[]; more: boolean }> {
    const qb = this.tx.manager
      .createQueryBuilder(SamlIdp, 'i')
      .where(
        new Brackets((b) =>
          b.where('i.valid_until IS NULL').orWhere('i.valid_until > :now', {
            now: this.clock.now(),
          }),
        ),
      )
      .orderBy('i.name', 'ASC')
      .take(PAGE + 1);
    const text = q.trim().slice(0, 100);
    if (text) {
      qb.andWhere("i.search_text LIKE :q ESCAPE '!'", { q: likePattern(text) });
    }
    const rows = await qb.getMany();
    return { entries: rows.slice(0, PAGE).map(toEntry), more: rows.length > PAGE };
  }

  async count(): Promise<number> {
    return this.tx.manager.count(SamlIdp, { where: this.usable() });
  }

  // For the status line on the discovery page and the tests.
  feedState(): Promise<FederationFeed | null> {
    return this.tx.manager.findOneBy(FederationFeed, { id: FEED_ID });
  }
}
