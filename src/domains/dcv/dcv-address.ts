import ipaddr from 'ipaddr.js';
import { parseIp, reservedRangeOf } from '../../csr/ip-ranges.js';

const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

// Why the HTTP method must not connect to this address, or null when it may: only global
// unicast, as a maintained classifier (ipaddr.js) sees it, and outside every range IANA
// reserves. IPv6 must lie in 2000::/3, which leaves out IPv4-compatible (::/96), mapped,
// site-local (fec0::/10) and whatever else a newer registry adds outside it.
export function refusedAddress(address: string): string | null {
  const bytes = parseIp(address);
  if (!bytes || !ipaddr.isValid(address)) {
    return 'not an IP address';
  }
  const reserved = reservedRangeOf(bytes);
  if (reserved) {
    return reserved.name;
  }
  const parsed = ipaddr.parse(address);
  const range = parsed.range() as string;
  if (range !== 'unicast') {
    return range;
  }
  if (parsed.kind() === 'ipv6' && !(parsed as ipaddr.IPv6).match(GLOBAL_UNICAST_V6)) {
    return 'not global unicast (outside 2000::/3)';
  }
  return null;
}
