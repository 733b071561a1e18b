export const DCV_OUTCOME_CODES = [
  'found',
  'record-missing',
  'value-mismatch',
  'nxdomain',
  'dns-error',
  'timeout',
  'http-status',
  'http-content-mismatch',
  'http-error',
  'redirect-refused',
  'too-many-redirects',
  'address-refused',
] as const;
export type DcvOutcomeCode = (typeof DCV_OUTCOME_CODES)[number];

export interface DcvOutcome {
  ok: boolean;
  code: DcvOutcomeCode;
  // Technical, untranslated: what was actually seen, for the administrator to act on.
  detail: string;
}

export const MAX_DETAIL = 500;
export const BODY_EXCERPT = 200;

export function outcome(code: DcvOutcomeCode, detail: string): DcvOutcome {
  const clean = detail.replace(/\p{Cc}+/gu, ' ');
  return {
    ok: code === 'found',
    code,
    detail: clean.length > MAX_DETAIL ? `${clean.slice(0, MAX_DETAIL - 1)}…` : clean,
  };
}

// Quoted so that whitespace and empty values are visible; long values shortened.
export function quote(value: string, max = 100): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

export function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.trim().toLowerCase().replace(/\.$/, '');
  return norm(a) === norm(b);
}

// c-ares error codes, as node:dns reports them, to outcomes. ENOTFOUND is NXDOMAIN,
// ENODATA a name that exists without records of the asked type.
export function dnsFailure(err: unknown, what: string): DcvOutcome {
  const code = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'ENOTFOUND':
      return outcome('nxdomain', `${what}: the name does not exist (NXDOMAIN)`);
    case 'ENODATA':
      return outcome('record-missing', `${what}: the name exists but has no such record`);
    case 'ETIMEOUT':
    case 'ECANCELLED':
      return outcome('timeout', `${what}: no answer from the DNS server`);
    default:
      return outcome('dns-error', `${what}: ${message}`);
  }
}

export const REDIRECT_STATUSES: readonly number[] = [301, 302, 307, 308];

// BR 3.2.2.4.18: redirects only by 301/302/307/308, to http or https on an Authorized
// Port (80, 443); we also keep them within the domain being validated.
export function redirectTarget(domain: string, from: URL, location: string): URL | string {
  let target: URL;
  try {
    target = new URL(location, from);
  } catch {
    return `Location ${quote(location)} is not a URL`;
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return `redirect to ${quote(target.href)}: only http and https are allowed`;
  }
  if (target.port !== '' && target.port !== '80' && target.port !== '443') {
    return `redirect to ${quote(target.href)}: only ports 80 and 443 are allowed`;
  }
  const host = target.hostname.replace(/\.$/, '');
  if (host !== domain && !host.endsWith(`.${domain}`)) {
    return `redirect to ${quote(target.href)}: outside ${domain}`;
  }
  return target;
}
