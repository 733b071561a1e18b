import { Inject, Injectable } from '@nestjs/common';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import tls, { type DetailedPeerCertificate } from 'node:tls';
import { dcvConfig, type DcvConfig } from '../config/dcv.config.js';
import { importConfig, type ImportConfig } from '../config/import.config.js';
import { refusedAddress } from '../domains/dcv/dcv-address.js';

export type PresentedFailure =
  | 'import_host_unresolvable'
  | 'import_host_private'
  | 'import_host_refused'
  | 'import_host_timeout'
  | 'import_host_tls'
  | 'import_host_no_certificate';

export type Presented =
  | { ok: true; address: string; certificates: Uint8Array[] }
  | { ok: false; code: PresentedFailure; address?: string; detail: string };

// Thrown inside a fetch to end it with a given answer; never leaves presented().
class Stop extends Error {
  constructor(readonly failure: Extract<Presented, { ok: false }>) {
    super(failure.detail);
  }
}

const fail = (code: PresentedFailure, detail: string, address?: string): Stop =>
  new Stop({ ok: false, code, detail, ...(address ? { address } : {}) });

// The certificates a TLS server presents: its leaf first, then the chain as it sent it. The
// name is resolved with domain validation's resolvers and refused exactly as its HTTP method
// refuses (private, loopback, link-local, reserved; DCV_ALLOW_PRIVATE_ADDRESSES for labs and
// tests), and the connection goes to the address that was checked, never to the name again,
// so a second DNS answer cannot point it elsewhere (DNS rebinding).
@Injectable()
export class PresentedCertificates {
  constructor(
    @Inject(dcvConfig.KEY) private readonly dcv: DcvConfig,
    @Inject(importConfig.KEY) private readonly config: ImportConfig,
  ) {}

  // Never throws: every failure, a timeout too, is an answer.
  async presented(host: string, port: number): Promise<Presented> {
    const deadline = Date.now() + this.config.timeoutMs;
    let address: string | undefined;
    try {
      address = isIP(host) ? host : await this.resolve(host);
      const refused = this.dcv.allowPrivateAddresses ? null : refusedAddress(address);
      if (refused) {
        throw fail('import_host_private', `${host} is ${address} (${refused})`, address);
      }
      const certificates = await this.handshake(host, address, port, deadline - Date.now());
      return { ok: true, address, certificates };
    } catch (err) {
      if (err instanceof Stop) {
        return err.failure;
      }
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, code: 'import_host_tls', detail: message, ...(address && { address }) };
    }
  }

  // The first A record, else the first AAAA record, as domain validation takes them.
  private async resolve(host: string): Promise<string> {
    const tries = 2;
    const resolver = new Resolver({
      timeout: Math.max(50, Math.floor(this.config.timeoutMs / (tries + 1))),
      tries,
    });
    if (this.dcv.dnsServers.length > 0) {
      resolver.setServers(this.dcv.dnsServers);
    }
    const timer = setTimeout(() => resolver.cancel(), this.config.timeoutMs);
    try {
      const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
      for (const r of [v4, v6]) {
        if (r.status === 'fulfilled' && r.value.length > 0) {
          return r.value[0];
        }
      }
      const codes = [v4, v6].map((r) =>
        r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ENODATA',
      );
      if (codes.some((c) => c === 'ETIMEOUT' || c === 'ECANCELLED')) {
        throw fail('import_host_timeout', `no DNS answer for ${host} in time`);
      }
      throw fail(
        'import_host_unresolvable',
        `no A or AAAA record for ${host} (${codes.join(', ')})`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  private handshake(
    host: string,
    address: string,
    port: number,
    timeoutMs: number,
  ): Promise<Uint8Array[]> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (err: Stop | undefined, value?: Uint8Array[]) => {
        if (settled) {
          return;
        }
        settled = true;
        clearTimeout(timer);
        socket.destroy();
        if (err) {
          reject(err);
        } else {
          resolve(value!);
        }
      };
      const socket = tls.connect({
        host: address,
        port,
        ...(isIP(host) ? {} : { servername: host }),
        // Only to read the certificate the server presents: an expired, self-signed or
        // otherwise untrusted one is exactly what we want to track. Nothing is sent over this
        // connection and nothing it carries is trusted; the certificate is stored as a record.
        rejectUnauthorized: false,
        // No trust store at all: what getPeerCertificate returns is then only what the server
        // sent, never a root added from the local store.
        ca: [],
        ALPNProtocols: ['http/1.1'],
      });
      const timer = setTimeout(
        () =>
          finish(
            fail('import_host_timeout', `no TLS handshake within ${timeoutMs / 1000} s`, address),
          ),
        Math.max(1, timeoutMs),
      );
      socket.on('secureConnect', () => {
        const ders = sentChain(socket.getPeerCertificate(true));
        finish(
          ders.length === 0
            ? fail('import_host_no_certificate', 'the server presented no certificate', address)
            : undefined,
          ders,
        );
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        const code = err.code ?? '';
        if (code === 'ECONNREFUSED') {
          finish(fail('import_host_refused', `${address}:${port}: connection refused`, address));
        } else if (code === 'ETIMEDOUT') {
          finish(fail('import_host_timeout', `${address}:${port}: ${err.message}`, address));
        } else {
          finish(fail('import_host_tls', `${address}:${port}: ${err.message}`, address));
        }
      });
      socket.on('close', () =>
        finish(fail('import_host_tls', `${address}:${port}: closed before the handshake`, address)),
      );
    });
  }
}

// The peer's certificates in the order Node links them (leaf, then each issuer it sent).
function sentChain(peer: DetailedPeerCertificate): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  let cert: DetailedPeerCertificate | undefined = peer;
  while (cert?.raw && !seen.has(cert.fingerprint256)) {
    seen.add(cert.fingerprint256);
    out.push(new Uint8Array(cert.raw));
    cert = cert.issuerCertificate;
  }
  return out;
}
