import { isIPv4, isIPv6 } from 'node:net';

// BR 7.1.4.3 forbids Reserved IP Addresses: everything IANA lists in its IPv4 and IPv6
// Special-Purpose Address Registries, plus multicast and the reserved 240/4, whether or not
// the registry calls an entry "globally reachable" (Boulder's iana package does the same).
export interface ReservedRange {
  cidr: string;
  name: string;
}

export const RESERVED_IPV4: readonly ReservedRange[] = [
  { cidr: '0.0.0.0/8', name: '"This network" (RFC 791)' },
  { cidr: '10.0.0.0/8', name: 'Private-Use (RFC 1918)' },
  { cidr: '100.64.0.0/10', name: 'Shared Address Space / CGNAT (RFC 6598)' },
  { cidr: '127.0.0.0/8', name: 'Loopback (RFC 1122)' },
  { cidr: '169.254.0.0/16', name: 'Link Local (RFC 3927)' },
  { cidr: '172.16.0.0/12', name: 'Private-Use (RFC 1918)' },
  { cidr: '192.0.0.0/24', name: 'IETF Protocol Assignments (RFC 6890)' },
  { cidr: '192.0.2.0/24', name: 'Documentation TEST-NET-1 (RFC 5737)' },
  { cidr: '192.31.196.0/24', name: 'AS112-v4 (RFC 7535)' },
  { cidr: '192.52.193.0/24', name: 'AMT (RFC 7450)' },
  { cidr: '192.88.99.0/24', name: 'Deprecated 6to4 Relay Anycast (RFC 7526)' },
  { cidr: '192.168.0.0/16', name: 'Private-Use (RFC 1918)' },
  { cidr: '192.175.48.0/24', name: 'Direct Delegation AS112 Service (RFC 7534)' },
  { cidr: '198.18.0.0/15', name: 'Benchmarking (RFC 2544)' },
  { cidr: '198.51.100.0/24', name: 'Documentation TEST-NET-2 (RFC 5737)' },
  { cidr: '203.0.113.0/24', name: 'Documentation TEST-NET-3 (RFC 5737)' },
  { cidr: '224.0.0.0/4', name: 'Multicast (RFC 5771)' },
  { cidr: '240.0.0.0/4', name: 'Reserved (RFC 1112)' },
  { cidr: '255.255.255.255/32', name: 'Limited Broadcast (RFC 919)' },
];

export const RESERVED_IPV6: readonly ReservedRange[] = [
  { cidr: '::/128', name: 'Unspecified Address (RFC 4291)' },
  { cidr: '::1/128', name: 'Loopback Address (RFC 4291)' },
  { cidr: '::ffff:0:0/96', name: 'IPv4-mapped Address (RFC 4291)' },
  { cidr: '64:ff9b::/96', name: 'IPv4-IPv6 Translation (RFC 6052)' },
  { cidr: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translation, local use (RFC 8215)' },
  { cidr: '100::/64', name: 'Discard-Only Address Block (RFC 6666)' },
  { cidr: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix (RFC 9780)' },
  { cidr: '2001::/23', name: 'IETF Protocol Assignments (RFC 2928)' },
  { cidr: '2001:db8::/32', name: 'Documentation (RFC 3849)' },
  { cidr: '2002::/16', name: '6to4 (RFC 3056)' },
  { cidr: '2620:4f:8000::/48', name: 'Direct Delegation AS112 Service (RFC 7534)' },
  { cidr: '3fff::/20', name: 'Documentation (RFC 9637)' },
  { cidr: '5f00::/16', name: 'Segment Routing SIDs (RFC 9602)' },
  { cidr: 'fc00::/7', name: 'Unique-Local (RFC 4193)' },
  { cidr: 'fe80::/10', name: 'Link-Local Unicast (RFC 4291)' },
  { cidr: 'ff00::/8', name: 'Multicast (RFC 4291)' },
];

// Text to network-order bytes; null for anything that is not a plain IPv4 or IPv6 literal
// (zone identifiers are refused: they mean nothing outside one host).
const IPV4_SHAPE = /^[0-9.]{7,15}$/;

export function parseIp(text: string): Uint8Array | null {
  // cheap shape tests first: node's validators are large regular expressions, and most
  // names are neither
  if (!text.includes(':')) {
    return IPV4_SHAPE.test(text) && isIPv4(text)
      ? Uint8Array.from(text.split('.').map(Number))
      : null;
  }
  if (!isIPv6(text) || text.includes('%')) {
    return null;
  }
  const halves = text.split('::');
  const groupsOf = (part: string): number[] => {
    if (part === '') {
      return [];
    }
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v4 = g.split('.').map(Number);
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        out.push(parseInt(g, 16));
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length > 1 ? groupsOf(halves[1]) : [];
  const groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

interface CompiledRange {
  range: ReservedRange;
  prefix: Uint8Array;
  bits: number;
}

function compile(ranges: readonly ReservedRange[]): CompiledRange[] {
  return ranges.map((range) => {
    const [address, bits] = range.cidr.split('/') as [string, string];
    const prefix = parseIp(address);
    if (!prefix) {
      throw new Error(`bad range ${range.cidr}`);
    }
    return { range, prefix, bits: Number(bits) };
  });
}

const V4 = compile(RESERVED_IPV4);
const V6 = compile(RESERVED_IPV6);

function inPrefix(bytes: Uint8Array, { prefix, bits }: CompiledRange): boolean {
  let i = 0;
  for (; bits - i * 8 >= 8; i++) {
    if (bytes[i] !== prefix[i]) {
      return false;
    }
  }
  const rest = bits - i * 8;
  if (rest === 0) {
    return true;
  }
  const mask = (0xff << (8 - rest)) & 0xff;
  return (bytes[i] & mask) === (prefix[i] & mask);
}

export function reservedRangeOf(bytes: Uint8Array): ReservedRange | null {
  const table = bytes.length === 4 ? V4 : bytes.length === 16 ? V6 : null;
  return table?.find((r) => inPrefix(bytes, r))?.range ?? null;
}
