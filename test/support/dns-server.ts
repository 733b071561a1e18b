import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv4, isIPv6 } from 'node:net';

// A small authoritative DNS server over UDP on loopback, enough for node's Resolver
// (c-ares): one question per query, answers A, AAAA, TXT and CNAME from a zone map that a
// test may change at any time, NXDOMAIN for unknown names, NOERROR without answers for a
// known name without the asked type. An in-zone CNAME is followed, as an authoritative
// server does.

export interface DnsRecords {
  A?: string[];
  AAAA?: string[];
  // One entry per TXT record; an array is one record made of several strings.
  TXT?: (string | string[])[];
  CNAME?: string;
}

export type DnsMode = 'answer' | 'silent' | 'servfail';

const TYPE = { A: 1, CNAME: 5, TXT: 16, AAAA: 28 } as const;
const TYPE_NAMES: Record<number, string> = { 1: 'A', 5: 'CNAME', 16: 'TXT', 28: 'AAAA' };
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;

function normalise(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function encodeName(name: string): Buffer {
  const labels = name.replace(/\.$/, '').split('.').filter(Boolean);
  const parts: Buffer[] = [];
  for (const label of labels) {
    const bytes = Buffer.from(label, 'ascii');
    if (bytes.length > 63) {
      throw new Error(`label too long: ${label}`);
    }
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function encodeIPv4(address: string): Buffer {
  if (!isIPv4(address)) {
    throw new Error(`not an IPv4 address: ${address}`);
  }
  return Buffer.from(address.split('.').map(Number));
}

function encodeIPv6(address: string): Buffer {
  if (!isIPv6(address)) {
    throw new Error(`not an IPv6 address: ${address}`);
  }
  const [head, tail] = address.split('::');
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all =
    tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function encodeTxt(record: string | string[]): Buffer {
  const chunks = typeof record === 'string' ? [record] : record;
  return Buffer.concat(
    chunks.map((chunk) => {
      const bytes = Buffer.from(chunk, 'utf8');
      if (bytes.length > 255) {
        throw new Error('a TXT string holds at most 255 bytes: split it');
      }
      return Buffer.concat([Buffer.from([bytes.length]), bytes]);
    }),
  );
}

function resourceRecord(name: string, type: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(1, 2); // class IN
  fixed.writeUInt32BE(0, 4); // TTL 0: nothing is cached between checks
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(name), fixed, rdata]);
}

interface Question {
  id: number;
  flags: number;
  name: string;
  type: number;
  // The question section as received, echoed unchanged (c-ares compares it).
  raw: Buffer;
}

function parseQuery(msg: Buffer): Question | undefined {
  if (msg.length < 12 || msg.readUInt16BE(4) !== 1) {
    return undefined;
  }
  const labels: string[] = [];
  let offset = 12;
  for (;;) {
    if (offset >= msg.length) {
      return undefined;
    }
    const len = msg[offset];
    if (len === 0) {
      offset += 1;
      break;
    }
    if (len > 63 || offset + 1 + len > msg.length) {
      return undefined;
    }
    labels.push(msg.toString('ascii', offset + 1, offset + 1 + len));
    offset += 1 + len;
  }
  if (offset + 4 > msg.length) {
    return undefined;
  }
  return {
    id: msg.readUInt16BE(0),
    flags: msg.readUInt16BE(2),
    name: labels.join('.'),
    type: msg.readUInt16BE(offset),
    raw: msg.subarray(12, offset + 4),
  };
}

export class TestDnsServer {
  readonly zone = new Map<string, DnsRecords>();
  readonly queries: string[] = [];
  mode: DnsMode = 'answer';

  private constructor(
    private readonly socket: Socket,
    readonly port: number,
  ) {}

  static async start(zone: Record<string, DnsRecords> = {}): Promise<TestDnsServer> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const server = new TestDnsServer(socket, socket.address().port);
    for (const [name, records] of Object.entries(zone)) {
      server.set(name, records);
    }
    socket.on('message', (msg, peer) => server.onMessage(msg, peer));
    return server;
  }

  // For DCV_DNS_SERVERS.
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  set(name: string, records: DnsRecords): void {
    this.zone.set(normalise(name), records);
  }

  delete(name: string): void {
    this.zone.delete(normalise(name));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private onMessage(msg: Buffer, peer: RemoteInfo): void {
    const q = parseQuery(msg);
    if (!q) {
      return;
    }
    this.queries.push(`${TYPE_NAMES[q.type] ?? q.type} ${q.name}`);
    if (this.mode === 'silent') {
      return;
    }
    const { rcode, answers } =
      this.mode === 'servfail'
        ? { rcode: RCODE.SERVFAIL, answers: [] }
        : this.answer(q.name, q.type);
    const header = Buffer.alloc(12);
    header.writeUInt16BE(q.id, 0);
    // QR, the query's opcode, AA, the query's RD; no recursion available.
    header.writeUInt16BE(0x8000 | (q.flags & 0x7800) | 0x0400 | (q.flags & 0x0100) | rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    this.socket.send(Buffer.concat([header, q.raw, ...answers]), peer.port, peer.address);
  }

  private answer(qname: string, qtype: number): { rcode: number; answers: Buffer[] } {
    const answers: Buffer[] = [];
    let name = qname;
    for (let hops = 0; hops < 8; hops++) {
      const records = this.zone.get(normalise(name));
      if (!records) {
        // A CNAME leading out of the zone ends the answer there.
        return { rcode: answers.length > 0 ? RCODE.NOERROR : RCODE.NXDOMAIN, answers };
      }
      if (records.CNAME !== undefined) {
        answers.push(resourceRecord(name, TYPE.CNAME, encodeName(records.CNAME)));
        if (qtype === TYPE.CNAME) {
          break;
        }
        name = records.CNAME;
        continue;
      }
      switch (qtype) {
        case TYPE.A:
          answers.push(...(records.A ?? []).map((a) => resourceRecord(name, qtype, encodeIPv4(a))));
          break;
        case TYPE.AAAA:
          answers.push(
            ...(records.AAAA ?? []).map((a) => resourceRecord(name, qtype, encodeIPv6(a))),
          );
          break;
        case TYPE.TXT:
          answers.push(
            ...(records.TXT ?? []).map((t) => resourceRecord(name, qtype, encodeTxt(t))),
          );
          break;
        default:
          break;
      }
      break;
    }
    return { rcode: RCODE.NOERROR, answers };
  }
}
