import { domainToASCII, domainToUnicode } from 'node:url';
import { parse as parseDomain } from 'tldts';
import { formatIp, type ParsedCsr } from './csr-parser.js';
import type { FindingField } from './csr.errors.js';
import { parseIp, reservedRangeOf } from './ip-ranges.js';
import type { FindingSink, OrganisationDomain, PolicyContext } from './policy-context.js';

export const MAX_NAME_BYTES = 253;
export const MAX_LABEL_BYTES = 63;

type NameSource = 'csr' | 'cn' | 'extra';

interface Candidate {
  kind: 'dns' | 'ip';
  name: string;
  bytes?: Uint8Array;
  source: NameSource;
}

const TLDTS_OPTIONS = {
  allowPrivateDomains: false,
  extractHostname: false,
  validateHostname: false,
  detectIp: false,
  mixedInputs: false,
} as const;

// Special-use names (RFC 6761, 7686, 8375) that the ICANN section of the PSL still lists.
const SPECIAL_USE_SUFFIXES = ['onion', 'home.arpa'];
const REVERSE_ZONES = ['in-addr.arpa', 'ip6.arpa'];
const LDH = /^[a-z0-9-]+$/;

function under(name: string, zone: string): boolean {
  return name === zone || name.endsWith('.' + zone);
}

function fieldOf(source: NameSource): FindingField {
  return source === 'extra' ? 'extraNames' : 'names';
}

export function normaliseName(raw: string): Omit<Candidate, 'source'> {
  const trimmed = raw.trim();
  const ip = parseIp(trimmed);
  if (ip) {
    return { kind: 'ip', name: formatIp(ip), bytes: ip };
  }
  return { kind: 'dns', name: trimmed.toLowerCase() };
}

// Builds the certificate's name list: SAN dNSName/iPAddress entries, else the CN (a CN-only
// request), then the names the requester added; lower case, first occurrence kept.
function collectNames(
  csr: ParsedCsr,
  extraNames: readonly string[],
  sink: FindingSink,
): Candidate[] {
  const out: Candidate[] = [];
  for (const entry of csr.san) {
    switch (entry.type) {
      case 'dns':
        out.push({ kind: 'dns', name: entry.value.toLowerCase(), source: 'csr' });
        break;
      case 'ip':
        if (entry.bytes.length === 4 || entry.bytes.length === 16) {
          out.push({ kind: 'ip', name: entry.value, bytes: entry.bytes, source: 'csr' });
        } else {
          sink.error('IP_MALFORMED', 'csr', {}, entry.value);
        }
        break;
      case 'email':
      case 'uri':
      case 'other':
        // BR 7.1.2.7.12: a TLS certificate carries dNSName and iPAddress entries only
        sink.error('SAN_TYPE_NOT_ALLOWED', 'csr', { type: entry.type, value: entry.value });
        break;
    }
  }
  const [cn] = csr.commonNames;
  if (out.length === 0 && csr.commonNames.length === 1 && cn !== undefined) {
    out.push({ ...normaliseName(cn), source: 'cn' });
  }
  for (const raw of extraNames) {
    if (raw.trim() !== '') {
      out.push({ ...normaliseName(raw), source: 'extra' });
    }
  }
  const seen = new Set<string>();
  return out.filter((c) => !seen.has(c.name) && seen.add(c.name));
}

export function checkNames(
  csr: ParsedCsr,
  ctx: Pick<PolicyContext, 'now' | 'product' | 'extraNames' | 'domains'>,
  sink: FindingSink,
): string[] {
  const extraNames = ctx.extraNames ?? [];
  if (ctx.product.kind === 'code-signing') {
    // CSBR: the subject comes from the validated organisation; the CA ignores the names.
    if (csr.san.length > 0) {
      sink.warn('CODE_SIGNING_SAN_IGNORED', 'csr', { count: csr.san.length });
    }
    if (extraNames.some((n) => n.trim() !== '')) {
      sink.error('NAMES_NOT_ALLOWED_FOR_PRODUCT', 'extraNames', { product: ctx.product.code });
    }
    return [];
  }
  // BR 7.1.4.3: the CN, if present, is one value that is also in the SAN
  if (csr.commonNames.length > 1) {
    sink.error('CN_MULTIPLE', 'csr', { count: csr.commonNames.length });
  }
  const candidates = collectNames(csr, extraNames, sink);
  const names = candidates.map((c) => c.name);
  const [cn] = csr.commonNames;
  if (csr.commonNames.length === 1 && cn !== undefined) {
    const normal = normaliseName(cn).name;
    if (!names.includes(normal)) {
      sink.error('CN_NOT_IN_SAN', 'csr', { cn });
    }
  }
  if (candidates.length === 0) {
    sink.error('NO_NAMES', 'names');
    return names;
  }
  if (candidates.length > ctx.product.maxNames) {
    sink.error('TOO_MANY_NAMES', 'names', {
      count: candidates.length,
      max: ctx.product.maxNames,
    });
  }
  const domains = indexDomains(ctx.domains);
  for (const c of candidates) {
    const field = fieldOf(c.source);
    if (c.kind === 'ip') {
      checkIp(c, field, domains, ctx.now, sink);
    } else {
      checkDnsName(c.name, field, ctx, domains, sink);
    }
  }
  return names;
}

function checkIp(
  c: Candidate,
  field: FindingField,
  domains: DomainIndex,
  now: Date,
  sink: FindingSink,
): void {
  const range = reservedRangeOf(c.bytes!);
  if (range) {
    sink.error('IP_RESERVED', field, { range: range.cidr }, c.name);
    return;
  }
  checkCoverage(c.name, domains.ips.get(c.name), false, field, now, sink);
}

// Syntax first (BR 7.1.4.3 and RFC 5890); when the syntax is wrong the rest is noise.
function checkDnsSyntax(name: string, field: FindingField, sink: FindingSink): string[] | null {
  let ok = true;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(name)) {
    sink.error('NAME_NOT_ASCII', field, { ascii: domainToASCII(name) || '?' }, name);
    return null;
  }
  let body = name;
  if (body.endsWith('.') && body.length > 1) {
    sink.error('NAME_TRAILING_DOT', field, {}, name);
    body = body.slice(0, -1);
    ok = false;
  }
  if (body.length > MAX_NAME_BYTES) {
    sink.error('NAME_TOO_LONG', field, { length: body.length, max: MAX_NAME_BYTES }, name);
    ok = false;
  }
  if (parseIp(body) !== null) {
    sink.error('NAME_IP_AS_DNS', field, {}, name);
    return null;
  }
  const labels = body.split('.');
  labels.forEach((label, i) => {
    if (label.includes('*')) {
      // BR 3.2.2.6 / 7.1.2.7.12: one wildcard, as the whole leftmost label, above an FQDN
      if (label !== '*' || i !== 0 || labels.length < 2) {
        sink.error('WILDCARD_INVALID', field, {}, name);
        ok = false;
      }
      return;
    }
    if (label.length > MAX_LABEL_BYTES) {
      sink.error(
        'NAME_LABEL_TOO_LONG',
        field,
        { label, length: label.length, max: MAX_LABEL_BYTES },
        name,
      );
      ok = false;
    } else if (!LDH.test(label) || label.startsWith('-') || label.endsWith('-')) {
      sink.error('NAME_INVALID_LABEL', field, { label }, name);
      ok = false;
    } else if (label.slice(2, 4) === '--') {
      if (!label.startsWith('xn--')) {
        // RFC 5890 2.3.1: "??--" labels are reserved for future encodings
        sink.error('NAME_RESERVED_LABEL', field, { label }, name);
        ok = false;
      } else if (!validALabel(label)) {
        sink.error('NAME_INVALID_PUNYCODE', field, { label }, name);
        ok = false;
      }
    }
  });
  return ok ? labels : null;
}

// A valid A-label decodes to a U-label that encodes back to the same A-label and holds
// no symbols (IDNA2008 disallows them, UTS 46 would let emoji through).
function validALabel(label: string): boolean {
  const unicode = domainToUnicode(label);
  return unicode !== '' && domainToASCII(unicode) === label && !/\p{S}/u.test(unicode);
}

function checkDnsName(
  name: string,
  field: FindingField,
  ctx: Pick<PolicyContext, 'now' | 'product'>,
  domains: DomainIndex,
  sink: FindingSink,
): void {
  const labels = checkDnsSyntax(name, field, sink);
  if (!labels) {
    return;
  }
  const wildcard = labels[0] === '*';
  const base = (wildcard ? labels.slice(1) : labels).join('.');
  if (REVERSE_ZONES.some((zone) => under(base, zone))) {
    sink.error('NAME_REVERSE_DNS', field, {}, name);
    return;
  }
  // BR 4.2.2: no Internal Names; the TLD must be in the IANA root zone (ICANN section)
  const parsed = parseDomain(base, TLDTS_OPTIONS);
  const suffix = parsed.publicSuffix ?? labels[labels.length - 1];
  if (!parsed.isIcann || SPECIAL_USE_SUFFIXES.some((zone) => under(base, zone))) {
    sink.error('NAME_INTERNAL', field, { tld: labels[labels.length - 1] }, name);
    return;
  }
  if (parsed.domain === null || suffix === base) {
    if (wildcard) {
      sink.error('WILDCARD_ON_PUBLIC_SUFFIX', field, { suffix: base }, name);
    } else {
      sink.error('NAME_IS_PUBLIC_SUFFIX', field, { suffix: base }, name);
    }
    return;
  }
  if (wildcard && !ctx.product.wildcardsAllowed) {
    sink.error('WILDCARD_NOT_ALLOWED_BY_PRODUCT', field, { product: ctx.product.code }, name);
  }
  checkCoverage(name, domains.longestSuffix(name), wildcard, field, ctx.now, sink);
}

// Each name must fall under a domain the organisation holds, has validated (and the
// validation is still within its reuse period), and has delegated to the department.
function checkCoverage(
  name: string,
  domain: OrganisationDomain | undefined,
  wildcard: boolean,
  field: FindingField,
  now: Date,
  sink: FindingSink,
): void {
  if (!domain) {
    sink.error('DOMAIN_NOT_FOUND', field, {}, name);
    return;
  }
  const params = { domain: domain.name };
  if (!domain.validated) {
    sink.error('DOMAIN_NOT_VALIDATED', field, params, name);
  } else if (domain.validationExpiresAt && domain.validationExpiresAt.getTime() <= now.getTime()) {
    const expiredOn = domain.validationExpiresAt.toISOString().slice(0, 10);
    sink.error('DOMAIN_VALIDATION_EXPIRED', field, { ...params, expiredOn }, name);
  }
  if (!domain.delegatedToDepartment) {
    sink.error('DOMAIN_NOT_DELEGATED', field, params, name);
  }
  if (wildcard && !domain.wildcardsAllowed) {
    sink.error('WILDCARD_NOT_ALLOWED_FOR_DOMAIN', field, params, name);
  }
}

interface DomainIndex {
  ips: Map<string, OrganisationDomain>;
  longestSuffix(name: string): OrganisationDomain | undefined;
}

function indexDomains(domains: readonly OrganisationDomain[]): DomainIndex {
  const names = new Map<string, OrganisationDomain>();
  const ips = new Map<string, OrganisationDomain>();
  for (const d of domains) {
    const normal = normaliseName(d.name.replace(/\.$/, ''));
    const target = normal.kind === 'ip' ? ips : names;
    if (!target.has(normal.name)) {
      target.set(normal.name, d);
    }
  }
  return {
    ips,
    // label by label from the full name up: the first hit is the longest suffix
    longestSuffix(name: string): OrganisationDomain | undefined {
      for (let rest = name; ;) {
        const hit = names.get(rest);
        if (hit) {
          return hit;
        }
        const dot = rest.indexOf('.');
        if (dot < 0) {
          return undefined;
        }
        rest = rest.slice(dot + 1);
      }
    },
  };
}
