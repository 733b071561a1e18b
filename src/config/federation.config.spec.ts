import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configProblems } from './env.js';
import { loadFederationConfig } from './federation.config.js';

describe('federation configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ra-fedcfg-'));
    writeFileSync(join(dir, 'not-a-cert.pem'), 'hello');
    writeFileSync(join(dir, 'idp.xml'), '<md:EntityDescriptor/>');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is off by default, with password login for everyone', () => {
    const cfg = loadFederationConfig({});
    expect(cfg.saml.enabled).toBe(false);
    expect(cfg.localLogin).toBe('all');
    expect(cfg.saml.entityId).toBe('http://localhost:3000/saml/metadata');
    expect(cfg.saml.entitlements).toEqual({});
  });

  it('derives the SP endpoints from BASE_URL', () => {
    const cfg = loadFederationConfig({
      BASE_URL: 'https://ra.example.org/',
      SAML_ENABLED: 'true',
      SAML_IDP_METADATA_FILE: join(dir, 'idp.xml'),
    });
    expect(cfg.saml).toMatchObject({
      entityId: 'https://ra.example.org/saml/metadata',
      acsUrl: 'https://ra.example.org/saml/acs',
    });
  });

  it.each([
    [{ SAML_ENABLED: 'true' }, 'SAML_ENABLED'],
    [{ SAML_ENABLED: 'maybe' }, 'SAML_ENABLED'],
    [{ SAML_FEDERATION_METADATA_URL: 'ftp://feed.example/md.xml' }, 'SAML_FEDERATION_METADATA_URL'],
    [
      { SAML_FEDERATION_METADATA_URL: 'https://mds.example/feed.xml' },
      'SAML_FEDERATION_METADATA_CERT_FILE',
    ],
    [{ SAML_METADATA_REFRESH: '0' }, 'SAML_METADATA_REFRESH'],
    [{ SAML_ENTITLEMENT_ROLES: '{"urn:x":{"role":"king","scopeId":1}}' }, 'SAML_ENTITLEMENT_ROLES'],
    [{ SAML_ENTITLEMENT_ROLES: 'not json' }, 'SAML_ENTITLEMENT_ROLES'],
    [{ LOCAL_LOGIN: 'nobody' }, 'LOCAL_LOGIN'],
    [{ SAML_SP_CONTACT_EMAIL: 'not-an-address' }, 'SAML_SP_CONTACT_EMAIL'],
    [{ OIDC_ISSUER: 'https://op.example' }, 'OIDC_CLIENT_ID'],
    [
      { OIDC_ISSUER: 'http://op.example', OIDC_CLIENT_ID: 'a', OIDC_CLIENT_SECRET: 'b' },
      'OIDC_ISSUER',
    ],
    [
      {
        OIDC_ISSUER: 'http://127.0.0.1:9',
        OIDC_CLIENT_ID: 'a',
        OIDC_CLIENT_SECRET: 'b',
        OIDC_ALLOW_HTTP: 'true',
        NODE_ENV: 'production',
      },
      'OIDC_ISSUER',
    ],
    [
      {
        OIDC_ISSUER: 'https://op.example',
        OIDC_CLIENT_ID: 'a',
        OIDC_CLIENT_SECRET: 'b',
        OIDC_SCOPES: 'email',
      },
      'OIDC_SCOPES',
    ],
  ])('refuses %j naming %s', (env, variable) => {
    const problems = configProblems(() => loadFederationConfig(env));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
  });

  it('refuses a federation certificate that is not one, naming the variable', () => {
    const problems = configProblems(() =>
      loadFederationConfig({
        SAML_FEDERATION_METADATA_FILE: join(dir, 'feed.xml'),
        SAML_FEDERATION_METADATA_CERT_FILE: join(dir, 'not-a-cert.pem'),
      }),
    );
    expect(problems).toEqual(['SAML_FEDERATION_METADATA_CERT_FILE: is not a PEM certificate']);
  });

  it('requires the SP key in production', () => {
    const problems = configProblems(() =>
      loadFederationConfig({
        NODE_ENV: 'production',
        SAML_ENABLED: 'true',
        SAML_IDP_METADATA_FILE: join(dir, 'idp.xml'),
      }),
    );
    expect(problems).toEqual([
      'SAML_SP_KEY_FILE: is required when NODE_ENV=production and SAML_ENABLED=true',
    ]);
  });

  it('reads the entitlement to role mapping', () => {
    const cfg = loadFederationConfig({
      SAML_ENTITLEMENT_ROLES:
        '{"urn:mace:surf.nl:ra:admin":{"role":"nren-admin","scopeId":3,"idp":"https://idp.surf.nl"}}',
    });
    expect(cfg.saml.entitlements).toEqual({
      'urn:mace:surf.nl:ra:admin': { role: 'nren-admin', scopeId: 3, idp: 'https://idp.surf.nl' },
    });
  });
});
