import { registerAs } from '@nestjs/config';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { booleanFlag, ConfigError, durationSeconds, parseEnv } from './env.js';

const schema = z.object({
  NODE_ENV: z.string().default('development'),
  DATA_DIR: z.string().default('./data'),
  BASE_URL: z.string().optional(),
  PORT: z.string().optional(),
  SAML_ENABLED: booleanFlag.default(false),
  SAML_SP_ENTITY_ID: z.string().max(512, 'must be at most 512 characters').optional(),
  SAML_SP_DISPLAY_NAME: z.string().max(200).default('Certificate registration authority'),
  SAML_SP_CONTACT_EMAIL: z.email({ message: 'must be an e-mail address' }).optional(),
  SAML_SP_KEY_FILE: z.string().optional(),
  SAML_SP_CERT_FILE: z.string().optional(),
  SAML_FEDERATION_METADATA_URL: z
    .url({ message: 'must be an absolute http(s) URL', protocol: /^https?$/ })
    .optional(),
  SAML_FEDERATION_METADATA_FILE: z.string().optional(),
  SAML_FEDERATION_METADATA_CERT_FILE: z.string().optional(),
  SAML_METADATA_REFRESH: durationSeconds.default(3600),
  SAML_IDP_METADATA_FILE: z.string().optional(),
  SAML_CLOCK_SKEW: z.coerce
    .number({ message: 'must be a number of seconds' })
    .int('must be a whole number of seconds')
    .min(0, 'must not be negative')
    .max(600, 'must be at most 600 seconds')
    .default(60),
  SAML_ENTITLEMENT_ROLES: z.string().optional(),
  OIDC_ISSUER: z
    .url({ message: 'must be an absolute http(s) URL', protocol: /^https?$/ })
    .optional(),
  OIDC_CLIENT_ID: z.string().max(255).optional(),
  OIDC_CLIENT_SECRET: z.string().max(1024).optional(),
  OIDC_DISPLAY_NAME: z.string().max(100).default('OpenID Connect'),
  OIDC_SCOPES: z.string().default('openid email profile'),
  OIDC_ALLOW_HTTP: booleanFlag.default(false),
  LOCAL_LOGIN: z
    .enum(['all', 'platform-admins'], { message: 'must be all or platform-admins' })
    .default('all'),
});

const entitlementMap = z.record(
  z.string().min(1),
  z.object({
    role: z.enum(['platform-admin', 'nren-admin', 'rao', 'drao', 'requester']),
    scopeId: z.number().int().nonnegative(),
    // Only this IdP may grant it: an entitlement value is not scoped the way identifiers are.
    idp: z.string().optional(),
  }),
);

function readFile(variable: string, path: string): string {
  try {
    return readFileSync(resolve(path), 'utf8');
  } catch {
    throw new ConfigError([`${variable}: cannot read ${path}`]);
  }
}

function certificate(variable: string, pem: string): string {
  try {
    new X509Certificate(pem);
  } catch {
    throw new ConfigError([`${variable}: is not a PEM certificate`]);
  }
  return pem;
}

export function loadFederationConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  const baseUrl = (e.BASE_URL ?? `http://localhost:${e.PORT ?? 3000}`).replace(/\/+$/, '');
  const entityId = e.SAML_SP_ENTITY_ID ?? `${baseUrl}/saml/metadata`;
  const problems: string[] = [];
  if (e.SAML_FEDERATION_METADATA_URL && e.SAML_FEDERATION_METADATA_FILE) {
    problems.push('SAML_FEDERATION_METADATA_FILE: set either it or SAML_FEDERATION_METADATA_URL');
  }
  const feed = e.SAML_FEDERATION_METADATA_URL ?? e.SAML_FEDERATION_METADATA_FILE;
  if (feed && !e.SAML_FEDERATION_METADATA_CERT_FILE) {
    problems.push(
      'SAML_FEDERATION_METADATA_CERT_FILE: is required to verify the federation metadata',
    );
  }
  if (e.SAML_ENABLED && !feed && !e.SAML_IDP_METADATA_FILE) {
    problems.push(
      'SAML_ENABLED: needs SAML_FEDERATION_METADATA_URL, SAML_FEDERATION_METADATA_FILE or SAML_IDP_METADATA_FILE',
    );
  }
  if (e.SAML_ENABLED && Boolean(e.SAML_SP_KEY_FILE) !== Boolean(e.SAML_SP_CERT_FILE)) {
    problems.push('SAML_SP_CERT_FILE: SAML_SP_KEY_FILE and SAML_SP_CERT_FILE go together');
  }
  if (e.SAML_ENABLED && e.NODE_ENV === 'production' && !e.SAML_SP_KEY_FILE) {
    problems.push('SAML_SP_KEY_FILE: is required when NODE_ENV=production and SAML_ENABLED=true');
  }
  let entitlements: z.infer<typeof entitlementMap> = {};
  if (e.SAML_ENTITLEMENT_ROLES) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(e.SAML_ENTITLEMENT_ROLES);
    } catch {
      parsed = undefined;
    }
    const result = entitlementMap.safeParse(parsed);
    if (result.success) {
      entitlements = result.data;
    } else {
      problems.push(
        'SAML_ENTITLEMENT_ROLES: must be JSON like {"<entitlement>":{"role":"rao","scopeId":3}}',
      );
    }
  }
  if (e.OIDC_ISSUER && (!e.OIDC_CLIENT_ID || !e.OIDC_CLIENT_SECRET)) {
    problems.push('OIDC_CLIENT_ID: OIDC_ISSUER needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET');
  }
  if (e.OIDC_ISSUER?.startsWith('http:') && (!e.OIDC_ALLOW_HTTP || e.NODE_ENV === 'production')) {
    problems.push('OIDC_ISSUER: must be https:// (OIDC_ALLOW_HTTP is for tests, not production)');
  }
  if (e.OIDC_ISSUER && !e.OIDC_SCOPES.split(/\s+/).includes('openid')) {
    problems.push('OIDC_SCOPES: must include openid');
  }
  if (problems.length) {
    throw new ConfigError(problems);
  }
  let sp: { key: string; cert: string } | null = null;
  if (e.SAML_ENABLED) {
    if (e.SAML_SP_KEY_FILE && e.SAML_SP_CERT_FILE) {
      const key = readFile('SAML_SP_KEY_FILE', e.SAML_SP_KEY_FILE);
      try {
        createPrivateKey(key);
      } catch {
        throw new ConfigError(['SAML_SP_KEY_FILE: is not a PEM private key']);
      }
      sp = {
        key,
        cert: certificate('SAML_SP_CERT_FILE', readFile('SAML_SP_CERT_FILE', e.SAML_SP_CERT_FILE)),
      };
    }
  }
  return {
    saml: {
      enabled: e.SAML_ENABLED,
      entityId,
      acsUrl: `${baseUrl}/saml/acs`,
      metadataUrl: `${baseUrl}/saml/metadata`,
      displayName: e.SAML_SP_DISPLAY_NAME,
      contactEmail: e.SAML_SP_CONTACT_EMAIL ?? null,
      // Null outside production when not given: a key pair is made once in the data folder.
      keyPair: sp,
      dataDir: resolve(e.DATA_DIR),
      feed: feed
        ? {
            url: e.SAML_FEDERATION_METADATA_URL ?? null,
            file: e.SAML_FEDERATION_METADATA_FILE ? resolve(e.SAML_FEDERATION_METADATA_FILE) : null,
            cert: certificate(
              'SAML_FEDERATION_METADATA_CERT_FILE',
              readFile('SAML_FEDERATION_METADATA_CERT_FILE', e.SAML_FEDERATION_METADATA_CERT_FILE!),
            ),
          }
        : null,
      refreshMs: e.SAML_METADATA_REFRESH * 1000,
      idpMetadata: e.SAML_IDP_METADATA_FILE
        ? readFile('SAML_IDP_METADATA_FILE', e.SAML_IDP_METADATA_FILE)
        : null,
      clockSkewMs: e.SAML_CLOCK_SKEW * 1000,
      entitlements,
    },
    oidc: e.OIDC_ISSUER
      ? {
          issuer: e.OIDC_ISSUER,
          clientId: e.OIDC_CLIENT_ID!,
          clientSecret: e.OIDC_CLIENT_SECRET!,
          displayName: e.OIDC_DISPLAY_NAME,
          scopes: e.OIDC_SCOPES,
          allowHttp: e.OIDC_ALLOW_HTTP,
          redirectUri: `${baseUrl}/oidc/callback`,
        }
      : null,
    localLogin: e.LOCAL_LOGIN,
  };
}

export const federationConfig = registerAs('federation', () => loadFederationConfig());
export type FederationConfig = ReturnType<typeof loadFederationConfig>;
