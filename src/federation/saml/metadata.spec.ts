import { federationFeed, keyPair, signElement } from '../../../test/support/saml-idp.js';
import type { KeyPairPem } from './sp-key-pair.js';
import { inScope, MetadataRejected, parseIdps, verifyMetadata } from './metadata.js';

const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const NOW = new Date('2026-06-01T09:00:00Z');

function idp(entityId: string, extra = '', sso = 'HTTP-Redirect', until = ''): string {
  return `<md:EntityDescriptor xmlns:md="${MD}" entityID="${entityId}"${until}>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:Extensions>${extra}</md:Extensions>
    <md:KeyDescriptor><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${CERT}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:${sso}" Location="https://${new URL(entityId).host}/sso"/>
  </md:IDPSSODescriptor>
  <md:Organization><md:OrganizationName xml:lang="en">Org</md:OrganizationName><md:OrganizationDisplayName xml:lang="sv">Lärosätet</md:OrganizationDisplayName><md:OrganizationURL xml:lang="en">https://x</md:OrganizationURL></md:Organization>
</md:EntityDescriptor>`;
}

let CERT = '';
let fed: KeyPairPem;

beforeAll(async () => {
  fed = await keyPair('federation.example');
  CERT = fed.cert.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
});

describe('federation metadata', () => {
  it('returns only what the signature covers, and refuses what it does not', async () => {
    const feed = federationFeed([idp('https://idp.a.example/idp')], fed);
    expect(verifyMetadata(feed, fed.cert)).toContain('https://idp.a.example/idp');
    const other = await keyPair('other.example');
    expect(() => verifyMetadata(feed, other.cert)).toThrow(new MetadataRejected('bad signature'));
    expect(() =>
      verifyMetadata(feed.replace('idp.a.example/idp"', 'idp.evil.example/idp"'), fed.cert),
    ).toThrow(new MetadataRejected('bad signature'));
    expect(() => verifyMetadata(`<!DOCTYPE x [<!ENTITY a "b">]>${feed}`, fed.cert)).toThrow(
      MetadataRejected,
    );
  });

  it('refuses a signature that covers only part of the document', () => {
    const inner = idp('https://idp.a.example/idp').replace(
      '<md:EntityDescriptor ',
      '<md:EntityDescriptor ID="_inner" ',
    );
    const xml = `<md:EntitiesDescriptor xmlns:md="${MD}" ID="_outer">${inner}${idp('https://idp.evil.example/idp')}</md:EntitiesDescriptor>`;
    const partly = signElement(xml, "//*[@ID='_inner']", fed, {
      reference: "//*[@ID='_inner']",
      action: 'prepend',
    });
    expect(() => verifyMetadata(partly, fed.cert)).toThrow(MetadataRejected);
  });

  it('takes IdPs with a redirect SSO endpoint, their names, scopes and validity', () => {
    const xml = `<md:EntitiesDescriptor xmlns:md="${MD}" validUntil="2026-07-01T00:00:00Z">
      ${idp('https://idp.a.example/idp', '<shibmd:Scope xmlns:shibmd="urn:mace:shibboleth:metadata:1.0" regexp="false">a.example</shibmd:Scope><mdui:UIInfo xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui"><mdui:DisplayName xml:lang="en">University A</mdui:DisplayName><mdui:DisplayName xml:lang="de">Universität A</mdui:DisplayName></mdui:UIInfo>')}
      ${idp('https://idp.b.example/idp', '', 'HTTP-POST')}
      ${idp('https://idp.c.example/idp', '', 'HTTP-Redirect', ' validUntil="2026-05-01T00:00:00Z"')}
      ${idp('https://idp.d.example/idp', '', 'HTTP-Redirect', ' validUntil="2026-06-15T00:00:00Z"')}
    </md:EntitiesDescriptor>`;
    const { idps, validUntil } = parseIdps(xml, NOW);
    expect(validUntil).toEqual(new Date('2026-07-01T00:00:00Z'));
    expect(idps.map((i) => i.entityId)).toEqual([
      'https://idp.a.example/idp',
      'https://idp.d.example/idp',
    ]);
    expect(idps[0]).toMatchObject({
      names: { en: 'University A', de: 'Universität A' },
      ssoUrl: 'https://idp.a.example/sso',
      scopes: [{ value: 'a.example', regexp: false }],
      validUntil: new Date('2026-07-01T00:00:00Z'),
    });
    expect(idps[0].certificates[0]).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(idps[1].names).toEqual({ sv: 'Lärosätet' });
    expect(idps[1].validUntil).toEqual(new Date('2026-06-15T00:00:00Z'));
    expect(() =>
      parseIdps(`<md:EntitiesDescriptor xmlns:md="${MD}" validUntil="2026-01-01T00:00:00Z"/>`, NOW),
    ).toThrow(new MetadataRejected('expired'));
  });
});

describe('scopes', () => {
  it.each([
    ['alice@uni.example', [{ value: 'uni.example', regexp: false }], true],
    ['alice@UNI.example', [{ value: 'uni.example', regexp: false }], true],
    ['alice@other.example', [{ value: 'uni.example', regexp: false }], false],
    ['alice@sub.uni.example', [{ value: 'uni.example', regexp: false }], false],
    ['alice@evil-uni.example', [{ value: '^.*uni\\.example$', regexp: true }], true],
    ['alice@sub.uni.example', [{ value: '([a-z]+\\.)?uni\\.example', regexp: true }], true],
    ['alice@uni.example.evil.org', [{ value: 'uni\\.example', regexp: true }], false],
    ['alice', [{ value: 'uni.example', regexp: false }], false],
    ['alice@', [{ value: 'uni.example', regexp: false }], false],
  ])('%s in %j: %s', (value, scopes, expected) => {
    expect(inScope(value, scopes)).toBe(expected);
  });
});
