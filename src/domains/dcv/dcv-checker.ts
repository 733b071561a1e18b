import { Inject, Injectable } from '@nestjs/common';
import { refusedAddress } from './dcv-address.js';
import { Resolver } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { dcvConfig, type DcvConfig } from '../../config/dcv.config.js';
import { challengeFor, type DcvChallenge, type DcvMethod } from './dcv-challenge.js';
import {
  BODY_EXCERPT,
  dnsFailure,
  outcome,
  quote,
  redirectTarget,
  REDIRECT_STATUSES,
  sameName,
  type DcvOutcome,
} from './dcv-outcome.js';

export type { DcvOutcome, DcvOutcomeCode } from './dcv-outcome.js';

export const MAX_REDIRECTS = 3;
export const MAX_BODY = 64 * 1024;

// Thrown inside a check to end it with a given outcome; never leaves check().
class Stop extends Error {
  constructor(readonly outcome: DcvOutcome) {
    super(outcome.detail);
  }
}

interface Fetched {
  status: number;
  location?: string;
  body: Buffer;
  truncated: boolean;
}

// One check: one deadline, one resolver. A fresh resolver per check also means c-ares'
// answer cache never hides a record published a moment ago.
class Attempt {
  readonly resolver: Resolver;
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  stage = 'starting';

  constructor(readonly config: DcvConfig) {
    const tries = 2;
    this.resolver = new Resolver({
      timeout: Math.max(50, Math.floor(config.timeoutMs / (tries + 1))),
      tries,
    });
    if (config.dnsServers.length > 0) {
      this.resolver.setServers(config.dnsServers);
    }
    this.timer = setTimeout(() => {
      this.controller.abort();
      this.resolver.cancel();
    }, config.timeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  timeout(): DcvOutcome {
    return outcome('timeout', `no answer within ${this.config.timeoutMs / 1000} s (${this.stage})`);
  }

  end(): void {
    clearTimeout(this.timer);
  }

  async dns<T>(what: string, query: () => Promise<T>): Promise<T> {
    this.stage = what;
    try {
      return await query();
    } catch (err) {
      throw new Stop(this.expired ? this.timeout() : dnsFailure(err, what));
    }
  }
}

@Injectable()
export class DcvChecker {
  constructor(@Inject(dcvConfig.KEY) private readonly config: DcvConfig) {}

  challengeFor(method: DcvMethod, domain: string, token: string): DcvChallenge {
    return challengeFor(method, domain, token, this.config.cnameZone);
  }

  // Never throws: every failure, including a timeout, is an outcome.
  async check(method: DcvMethod, domain: string, token: string): Promise<DcvOutcome> {
    const attempt = new Attempt(this.config);
    try {
      const challenge = this.challengeFor(method, domain, token);
      switch (challenge.method) {
        case 'dns-txt':
          return await this.checkTxt(attempt, challenge);
        case 'dns-cname':
          return await this.checkCname(attempt, challenge);
        case 'http':
          return await this.checkHttp(attempt, domain, challenge);
      }
    } catch (err) {
      if (err instanceof Stop) {
        return err.outcome;
      }
      if (attempt.expired) {
        return attempt.timeout();
      }
      const message = err instanceof Error ? err.message : String(err);
      return outcome(
        method === 'http' ? 'http-error' : 'dns-error',
        `${attempt.stage}: ${message}`,
      );
    } finally {
      attempt.end();
    }
  }

  private async checkTxt(attempt: Attempt, c: DcvChallenge): Promise<DcvOutcome> {
    const name = c.recordName!;
    const records = await attempt.dns(`TXT ${name}`, () => attempt.resolver.resolveTxt(name));
    // A TXT record may be split into several strings of up to 255 bytes: compare them joined.
    const values = records.map((chunks) => chunks.join(''));
    const seen = values.map((v) => quote(v)).join(', ');
    if (values.length === 0) {
      return outcome('record-missing', `TXT ${name}: no records`);
    }
    if (values.some((v) => v.trim() === c.recordValue)) {
      return outcome('found', `TXT ${name}: ${seen}`);
    }
    return outcome('value-mismatch', `TXT ${name}: ${seen}; expected ${quote(c.recordValue!)}`);
  }

  private async checkCname(attempt: Attempt, c: DcvChallenge): Promise<DcvOutcome> {
    const name = c.recordName!;
    const targets = await attempt.dns(`CNAME ${name}`, () => attempt.resolver.resolveCname(name));
    const seen = targets.map((t) => quote(t)).join(', ');
    if (targets.length === 0) {
      return outcome('record-missing', `CNAME ${name}: no records`);
    }
    if (targets.some((t) => sameName(t, c.recordValue!))) {
      return outcome('found', `CNAME ${name} -> ${seen}`);
    }
    return outcome('value-mismatch', `CNAME ${name} -> ${seen}; expected ${quote(c.recordValue!)}`);
  }

  private async checkHttp(attempt: Attempt, domain: string, c: DcvChallenge): Promise<DcvOutcome> {
    let url = new URL(c.url!);
    const chain: string[] = [];
    for (;;) {
      const address = await this.address(attempt, url.hostname);
      // The RA must not become a way to read its own network: no fetches from private,
      // loopback or otherwise reserved addresses (unless a test or lab allows them).
      const refused = this.config.allowPrivateAddresses ? null : refusedAddress(address);
      if (refused) {
        return outcome('address-refused', `${url.hostname} resolves to ${address} (${refused})`);
      }
      attempt.stage = `GET ${url.href} at ${address}`;
      const res = await this.fetch(attempt, url, address);
      if (REDIRECT_STATUSES.includes(res.status)) {
        chain.push(url.href);
        if (res.location === undefined) {
          return outcome('http-status', `HTTP ${res.status} without Location from ${url.href}`);
        }
        if (chain.length > MAX_REDIRECTS) {
          return outcome(
            'too-many-redirects',
            `more than ${MAX_REDIRECTS} redirects: ${[...chain, res.location].join(' -> ')}`,
          );
        }
        const next = redirectTarget(domain, url, res.location);
        if (typeof next === 'string') {
          return outcome('redirect-refused', `HTTP ${res.status} from ${url.href}: ${next}`);
        }
        url = next;
        continue;
      }
      const from = chain.length > 0 ? ` (redirected from ${chain[0]})` : '';
      if (res.status >= 300 && res.status < 400) {
        return outcome(
          'redirect-refused',
          `HTTP ${res.status} from ${url.href}${from}: only 301, 302, 307 and 308 redirects are followed`,
        );
      }
      const text = res.body.toString('utf8');
      const excerpt = `${res.truncated ? `more than ${MAX_BODY}` : res.body.length} bytes: ${quote(text, BODY_EXCERPT)}`;
      if (res.status < 200 || res.status >= 300) {
        return outcome('http-status', `HTTP ${res.status} from ${url.href}${from}, ${excerpt}`);
      }
      if (!res.truncated && text.trim() === c.fileContent) {
        return outcome('found', `HTTP ${res.status} from ${url.href}${from}`);
      }
      return outcome(
        'http-content-mismatch',
        `HTTP ${res.status} from ${url.href}${from}, ${excerpt}; expected ${quote(c.fileContent!)}`,
      );
    }
  }

  // The first A record, else the first AAAA record, from the configured resolver.
  private async address(attempt: Attempt, host: string): Promise<string> {
    attempt.stage = `A/AAAA ${host}`;
    const [v4, v6] = await Promise.allSettled([
      attempt.resolver.resolve4(host),
      attempt.resolver.resolve6(host),
    ]);
    for (const r of [v4, v6]) {
      if (r.status === 'fulfilled' && r.value.length > 0) {
        return r.value[0];
      }
    }
    if (attempt.expired) {
      throw new Stop(attempt.timeout());
    }
    const failures = [v4, v6].map((r) =>
      r.status === 'rejected' ? dnsFailure(r.reason, `A/AAAA ${host}`) : undefined,
    );
    const first = (code: string) => failures.find((f) => f?.code === code);
    const nxdomain = failures.every((f) => f?.code === 'nxdomain') ? failures[0] : undefined;
    throw new Stop(
      first('timeout') ??
        first('dns-error') ??
        nxdomain ??
        outcome('record-missing', `no A or AAAA record for ${host}`),
    );
  }

  private fetch(attempt: Attempt, url: URL, address: string): Promise<Fetched> {
    const secure = url.protocol === 'https:';
    // Port 80 is DCV_HTTP_PORT, so tests (and odd deployments) can point it elsewhere.
    const port = secure
      ? Number(url.port || 443)
      : url.port === ''
        ? this.config.httpPort
        : Number(url.port);
    const hostname = url.hostname.replace(/\.$/, '');
    return new Promise<Fetched>((resolve, reject) => {
      let settled = false;
      let res: IncomingMessage | undefined;
      const finish = (err: Error | undefined, value?: Fetched) => {
        if (settled) {
          return;
        }
        settled = true;
        attempt.signal.removeEventListener('abort', onAbort);
        req.destroy();
        res?.destroy();
        if (err) {
          reject(err);
        } else {
          resolve(value!);
        }
      };
      const onAbort = () => finish(new Stop(attempt.timeout()));
      const req = (secure ? https : http).request({
        host: address,
        port,
        path: `${url.pathname}${url.search}`,
        method: 'GET',
        setHost: false,
        headers: {
          host: hostname,
          'user-agent': 'tcs-ra-dcv/1',
          accept: 'text/plain, */*;q=0.1',
          connection: 'close',
        },
        agent: false,
        ...(secure ? { servername: hostname } : {}),
      });
      req.on('error', (err) =>
        finish(new Stop(outcome('http-error', `${attempt.stage}: ${err.message}`))),
      );
      req.on('response', (response) => {
        res = response;
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (REDIRECT_STATUSES.includes(status)) {
          finish(undefined, { status, location, body: Buffer.alloc(0), truncated: false });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size > MAX_BODY) {
            const body = Buffer.concat(chunks).subarray(0, MAX_BODY);
            finish(undefined, { status, location, body, truncated: true });
          }
        });
        response.on('end', () =>
          finish(undefined, { status, location, body: Buffer.concat(chunks), truncated: false }),
        );
        response.on('error', (err) =>
          finish(new Stop(outcome('http-error', `${attempt.stage}: ${err.message}`))),
        );
        response.on('close', () =>
          finish(
            new Stop(
              outcome(
                'http-error',
                `${attempt.stage}: connection closed before the end of the body`,
              ),
            ),
          ),
        );
      });
      if (attempt.expired) {
        onAbort();
      } else {
        attempt.signal.addEventListener('abort', onAbort);
      }
      req.end();
    });
  }
}
