import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';
import { makeKeyPair, type KeyPairPem } from '../../src/federation/saml/sp-key-pair.js';
import { ATTR } from '../../src/federation/saml/saml.service.js';

export { ATTR };
export type { KeyPairPem };

const RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
const SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

// 2048 bits: quicker to make than the SP's 3072, and all that IdPs commonly use.
export const keyPair = (cn: string) => makeKeyPair(cn, new Date('2020-01-01T00:00:00Z'), 2048);

function certBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
}

function esc(v: string): string {
  return v
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

// An enveloped signature over the element the XPath names, placed after its Issuer (SAML)
// or as its first child (metadata), as real IdPs and federations do.
export function signElement(
  xml: string,
  xpath: string,
  keys: KeyPairPem,
  location: { reference: string; action: 'after' | 'prepend' },
  sha1 = false,
): string {
  const sig = new SignedXml({
    privateKey: keys.key,
    publicCert: keys.cert,
    signatureAlgorithm: sha1 ? 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' : RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  sig.addReference({
    xpath,
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm: sha1 ? 'http://www.w3.org/2000/09/xmldsig#sha1' : SHA256,
  });
  sig.computeSignature(xml, { location });
  return sig.getSignedXml();
}

export interface FeedOptions {
  validUntil?: Date;
  id?: string;
}

// A federation's metadata aggregate, signed with the federation's key.
export function federationFeed(
  entities: string[],
  keys: KeyPairPem,
  opts: FeedOptions = {},
): string {
  const id = opts.id ?? `_feed${randomBytes(8).toString('hex')}`;
  const validUntil = opts.validUntil ? ` validUntil="${iso(opts.validUntil)}"` : '';
  const xml = `<?xml version="1.0" encoding="UTF-8"?><md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" ID="${id}" Name="urn:test:federation"${validUntil}>${entities.join('')}</md:EntitiesDescriptor>`;
  return signElement(xml, '/*', keys, { reference: '/*', action: 'prepend' });
}

export interface AssertionOptions {
  inResponseTo: string;
  acsUrl: string;
  audience: string;
  now: Date;
  attributes: Record<string, string[]>;
  notBefore?: Date;
  notOnOrAfter?: Date;
  issuer?: string;
  destination?: string | null;
  // What carries a signature; 'assertion' is what most IdPs do.
  sign?: 'assertion' | 'response' | 'both' | 'none';
  signingKeys?: KeyPairPem;
  assertionId?: string;
  // Sign with RSA-SHA1 and SHA-1 digests, as some old IdPs still do.
  sha1?: boolean;
}

export class TestIdp {
  ssoUrl = 'http://127.0.0.1:1/sso';
  // Who the loopback IdP says logs in when a browser comes to it.
  user: Record<string, string[]> = {};
  requests: { id: string; acsUrl: string; sigAlg: string | null }[] = [];
  private server: Server | null = null;

  constructor(
    readonly entityId: string,
    readonly keys: KeyPairPem,
    readonly scopes: string[],
    readonly name: string,
    private readonly sp: { acsUrl: string; entityId: string; now: () => Date },
  ) {}

  static async create(
    entityId: string,
    scopes: string[],
    name: string,
    sp: { acsUrl: string; entityId: string; now: () => Date },
  ): Promise<TestIdp> {
    return new TestIdp(entityId, await keyPair(new URL(entityId).hostname), scopes, name, sp);
  }

  entityDescriptor(): string {
    const scopes = this.scopes
      .map(
        (s) =>
          `<shibmd:Scope xmlns:shibmd="urn:mace:shibboleth:metadata:1.0" regexp="false">${esc(s)}</shibmd:Scope>`,
      )
      .join('');
    return `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${esc(this.entityId)}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:Extensions>${scopes}<mdui:UIInfo xmlns:mdui="urn:oasis:names:tc:SAML:metadata:ui"><mdui:DisplayName xml:lang="en">${esc(this.name)}</mdui:DisplayName></mdui:UIInfo></md:Extensions><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certBody(this.keys.cert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(this.ssoUrl)}"/></md:IDPSSODescriptor></md:EntityDescriptor>`;
  }

  assertionXml(o: AssertionOptions, id: string): string {
    const notBefore = o.notBefore ?? new Date(o.now.getTime() - 60_000);
    const notOnOrAfter = o.notOnOrAfter ?? new Date(o.now.getTime() + 5 * 60_000);
    const attrs = Object.entries(o.attributes)
      .map(
        ([name, vals]) =>
          `<saml:Attribute Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">${vals
            .map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`)
            .join('')}</saml:Attribute>`,
      )
      .join('');
    return `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${iso(o.now)}"><saml:Issuer>${esc(o.issuer ?? this.entityId)}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">_${randomBytes(8).toString('hex')}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="${esc(o.inResponseTo)}" NotOnOrAfter="${iso(notOnOrAfter)}" Recipient="${esc(o.acsUrl)}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(o.now)}" SessionIndex="_s1"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement><saml:AttributeStatement>${attrs}</saml:AttributeStatement></saml:Assertion>`;
  }

  // The Response XML (not yet base64), signed as asked.
  responseXml(o: AssertionOptions): string {
    const keys = o.signingKeys ?? this.keys;
    const assertionId = o.assertionId ?? `_a${randomBytes(10).toString('hex')}`;
    let assertion = this.assertionXml(o, assertionId);
    const sign = o.sign ?? 'assertion';
    if (sign === 'assertion' || sign === 'both') {
      assertion = signElement(
        assertion,
        "//*[local-name(.)='Assertion']",
        keys,
        {
          reference: "//*[local-name(.)='Assertion']/*[local-name(.)='Issuer']",
          action: 'after',
        },
        o.sha1,
      );
    }
    const destination =
      o.destination === null ? '' : ` Destination="${esc(o.destination ?? o.acsUrl)}"`;
    const responseId = `_r${randomBytes(10).toString('hex')}`;
    let response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${responseId}" Version="2.0" IssueInstant="${iso(o.now)}"${destination} InResponseTo="${esc(o.inResponseTo)}"><saml:Issuer>${esc(o.issuer ?? this.entityId)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>${assertion.replace(/^<\?xml[^>]*>/, '')}</samlp:Response>`;
    if (sign === 'response' || sign === 'both') {
      response = signElement(response, "/*[local-name(.)='Response']", keys, {
        reference: "/*[local-name(.)='Response']/*[local-name(.)='Issuer']",
        action: 'after',
      });
    }
    return response;
  }

  response(o: AssertionOptions): string {
    return Buffer.from(this.responseXml(o)).toString('base64');
  }

  // A loopback IdP: GET /sso takes the AuthnRequest (HTTP-Redirect) and shows a page with a
  // Continue button that posts the signed response to the SP's ACS, without JavaScript.
  async listen(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/sso') {
        res.writeHead(404).end();
        return;
      }
      const request = inflateRawSync(
        Buffer.from(url.searchParams.get('SAMLRequest') ?? '', 'base64'),
      ).toString('utf8');
      const id = /\sID="([^"]+)"/.exec(request)?.[1] ?? '';
      const acsUrl = /AssertionConsumerServiceURL="([^"]+)"/.exec(request)?.[1] ?? '';
      this.requests.push({ id, acsUrl, sigAlg: url.searchParams.get('SigAlg') });
      const saml = this.response({
        inResponseTo: id,
        acsUrl: this.sp.acsUrl,
        audience: this.sp.entityId,
        now: this.sp.now(),
        attributes: this.user,
      });
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><html lang="en"><title>${esc(this.name)}</title><h1>${esc(this.name)}</h1><form method="post" action="${esc(this.sp.acsUrl)}"><input type="hidden" name="SAMLResponse" value="${saml}"><button type="submit">Continue</button></form></html>`,
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.ssoUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sso`;
  }

  async close(): Promise<void> {
    if (this.server) {
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
  }
}
