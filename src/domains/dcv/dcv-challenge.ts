export const DCV_METHODS = ['dns-txt', 'dns-cname', 'http'] as const;
export type DcvMethod = (typeof DCV_METHODS)[number];

export interface DcvChallenge {
  method: DcvMethod;
  recordName?: string;
  recordType?: 'TXT' | 'CNAME';
  recordValue?: string;
  url?: string;
  fileContent?: string;
}

export const TXT_LABEL = '_tcs-ra-challenge';
export const TXT_PREFIX = 'tcs-ra-validation=';
// BR 3.2.2.4.18: the file lives under /.well-known/pki-validation/ on an Authorized Port.
export const HTTP_PATH_PREFIX = '/.well-known/pki-validation/';

const TOKEN = /^[0-9a-f]{32}$/;

export function isDcvMethod(value: unknown): value is DcvMethod {
  return typeof value === 'string' && (DCV_METHODS as readonly string[]).includes(value);
}

export function httpPath(token: string): string {
  return `${HTTP_PATH_PREFIX}tcs-ra-${token}.txt`;
}

// What the administrator must publish. The domain is already normalised (lower-case A-labels,
// no trailing dot, no wildcard); the token is the domain's 32 hex digits.
export function challengeFor(
  method: DcvMethod,
  domain: string,
  token: string,
  cnameZone: string,
): DcvChallenge {
  if (!TOKEN.test(token)) {
    throw new RangeError('DCV token must be 32 lower-case hex digits');
  }
  switch (method) {
    case 'dns-txt':
      return {
        method,
        recordName: `${TXT_LABEL}.${domain}`,
        recordType: 'TXT',
        recordValue: `${TXT_PREFIX}${token}`,
      };
    case 'dns-cname':
      return {
        method,
        recordName: `_${token}.${domain}`,
        recordType: 'CNAME',
        recordValue: `${token}.${cnameZone}`,
      };
    case 'http':
      return { method, url: `http://${domain}${httpPath(token)}`, fileContent: token };
  }
}
