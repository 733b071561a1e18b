import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { SAML, ValidateInResponseTo, type Profile, type SamlConfig } from '@node-saml/node-saml';
import { Clock } from '../../common/clock.js';
import { federationConfig } from '../../config/federation.config.js';
import { FederatedLoginRefused } from '../federation.errors.js';
import { FederationLoginsService, type VerifiedIdentity } from '../federation-logins.service.js';
import { inScope } from './metadata.js';
import { SamlIdpsService, type IdpEntry } from './saml-idps.service.js';
import { developmentKeyPair, type KeyPairPem } from './sp-key-pair.js';
import { child, children, escapeXml, NS, parseXml, text, type XmlElement } from './xml.js';

export const ATTR = {
  subjectId: 'urn:oasis:names:tc:SAML:attribute:subject-id',
  pairwiseId: 'urn:oasis:names:tc:SAML:attribute:pairwise-id',
  eppn: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.6',
  mail: 'urn:oid:0.9.2342.19200300.100.1.3',
  displayName: 'urn:oid:2.16.840.1.113730.3.1.241',
  givenName: 'urn:oid:2.5.4.42',
  sn: 'urn:oid:2.5.4.4',
  entitlement: 'urn:oid:1.3.6.1.4.1.5923.1.1.1.7',
} as const;

const REQUESTED: { name: string; friendly: string; required: boolean }[] = [
  { name: ATTR.subjectId, friendly: 'subject-id', required: false },
  { name: ATTR.pairwiseId, friendly: 'pairwise-id', required: false },
  { name: ATTR.eppn, friendly: 'eduPersonPrincipalName', required: false },
  { name: ATTR.mail, friendly: 'mail', required: true },
  { name: ATTR.displayName, friendly: 'displayName', required: false },
  { name: ATTR.givenName, friendly: 'givenName', required: false },
  { name: ATTR.sn, friendly: 'sn', required: false },
  { name: ATTR.entitlement, friendly: 'eduPersonEntitlement', required: false },
];

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

// SHA-1 is refused in signatures and digests (REFEDS/eduGAIN baseline: SHA-256 or better).
const STRONG_SIGNATURES = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
]);
const STRONG_DIGESTS = new Set([
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);

function weakAlgorithm(doc: XmlElement): string | null {
  for (const [name, allowed] of [
    ['SignatureMethod', STRONG_SIGNATURES],
    ['DigestMethod', STRONG_DIGESTS],
  ] as const) {
    for (const e of Array.from(doc.getElementsByTagNameNS(NS.ds, name))) {
      const alg = e.getAttribute('Algorithm') ?? '';
      if (!allowed.has(alg)) {
        return alg || `${name} without Algorithm`;
      }
    }
  }
  return null;
}

// node-saml reads the system time for NotBefore/NotOnOrAfter; the RA's rules read the
// injected clock, so tests (and a skewed host) see one notion of now.
class ClockedSaml extends SAML {
  constructor(
    config: SamlConfig,
    private readonly clock: Clock,
  ) {
    super(config);
  }

  protected override checkTimestampsValidityError(
    _nowMs: number,
    notBefore: string,
    notOnOrAfter: string,
    maxTimeLimitMs?: number,
  ): Error | null {
    return super.checkTimestampsValidityError(
      this.clock.now().getTime(),
      notBefore,
      notOnOrAfter,
      maxTimeLimitMs,
    );
  }
}

function values(attributes: Record<string, unknown>, name: string): string[] {
  const v = attributes[name];
  const list = Array.isArray(v) ? (v as unknown[]) : v === undefined ? [] : [v];
  return list
    .filter((x): x is string => typeof x === 'string')
    .map((x) => x.trim())
    .filter(Boolean);
}

@Injectable()
export class SamlService implements OnModuleInit {
  private readonly log = new Logger('Saml');
  private keyPair: KeyPairPem | null = null;

  constructor(
    @Inject(federationConfig.KEY) private readonly cfg: ConfigType<typeof federationConfig>,
    private readonly idps: SamlIdpsService,
    private readonly logins: FederationLoginsService,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.cfg.saml.enabled) {
      this.keyPair =
        this.cfg.saml.keyPair ??
        (await developmentKeyPair(this.cfg.saml.dataDir, this.cfg.saml.entityId));
    }
  }

  get enabled(): boolean {
    return this.cfg.saml.enabled;
  }

  private client(idp: IdpEntry): ClockedSaml {
    const sp = this.cfg.saml;
    return new ClockedSaml(
      {
        issuer: sp.entityId,
        audience: sp.entityId,
        callbackUrl: sp.acsUrl,
        entryPoint: idp.ssoUrl,
        idpIssuer: idp.entityId,
        idpCert: idp.certificates,
        privateKey: this.keyPair!.key,
        decryptionPvk: this.keyPair!.key,
        signatureAlgorithm: 'sha256',
        digestAlgorithm: 'sha256',
        wantAssertionsSigned: true,
        // Most IdPs sign the assertion only; that signature is what is required and checked.
        wantAuthnResponseSigned: false,
        // InResponseTo is checked against the database below, not node-saml's memory cache.
        validateInResponseTo: ValidateInResponseTo.never,
        acceptedClockSkewMs: sp.clockSkewMs,
        identifierFormat: null,
        disableRequestedAuthnContext: true,
        maxAssertionAgeMs: 0,
      },
      this.clock,
    );
  }

  // Where to send the browser: the IdP's SSO endpoint with a signed AuthnRequest whose ID is
  // the sign-in's id.
  async authorizeUrl(idp: IdpEntry, loginId: string): Promise<string> {
    const saml = this.client(idp);
    saml.options.generateUniqueId = () => loginId;
    return saml.getAuthorizeUrlAsync('', undefined, {});
  }

  // Verifies a response posted to the ACS and records who it vouches for; returns the id of
  // the sign-in it answers.
  async acceptResponse(samlResponse: string): Promise<string> {
    let outer: XmlElement;
    try {
      outer = parseXml(Buffer.from(samlResponse, 'base64').toString('utf8')).documentElement;
    } catch {
      throw new FederatedLoginRefused('unreadable response');
    }
    const outerInResponseTo = outer.getAttribute('InResponseTo') ?? '';
    const destination = outer.getAttribute('Destination');
    const weak = weakAlgorithm(outer);
    if (weak) {
      throw new FederatedLoginRefused(`weak signature algorithm ${weak}`);
    }
    const login = await this.logins.pending(outerInResponseTo, 'saml');
    const idp = await this.idps.find(login.provider);
    if (!idp) {
      throw new FederatedLoginRefused(`identity provider ${login.provider} no longer known`);
    }
    if (destination !== null && destination !== this.cfg.saml.acsUrl) {
      throw new FederatedLoginRefused('wrong Destination');
    }
    let profile: Profile | null;
    try {
      ({ profile } = await this.client(idp).validatePostResponseAsync({
        SAMLResponse: samlResponse,
      }));
    } catch (err) {
      throw new FederatedLoginRefused(err instanceof Error ? err.message : 'invalid response');
    }
    if (!profile?.getAssertionXml) {
      throw new FederatedLoginRefused('no assertion');
    }
    // Everything below reads the signed assertion only.
    const assertion = parseXml(profile.getAssertionXml()).documentElement;
    this.checkAssertion(assertion, idp, login.id);
    const identity = this.identityOf(profile, idp);
    await this.logins.answer(login.id, identity);
    return login.id;
  }

  private checkAssertion(assertion: XmlElement, idp: IdpEntry, loginId: string): void {
    if (text(child(assertion, NS.saml, 'Issuer')) !== idp.entityId) {
      throw new FederatedLoginRefused('assertion issued by another entity');
    }
    const subject = child(assertion, NS.saml, 'Subject');
    const now = this.clock.now().getTime();
    const confirmed = (subject ? children(subject, NS.saml, 'SubjectConfirmation') : []).some(
      (sc) => {
        const data = child(sc, NS.saml, 'SubjectConfirmationData');
        const notOnOrAfter = Date.parse(data?.getAttribute('NotOnOrAfter') ?? '');
        return (
          sc.getAttribute('Method') === BEARER &&
          data?.getAttribute('Recipient') === this.cfg.saml.acsUrl &&
          data.getAttribute('InResponseTo') === loginId &&
          notOnOrAfter + this.cfg.saml.clockSkewMs > now
        );
      },
    );
    if (!confirmed) {
      throw new FederatedLoginRefused(
        'no bearer confirmation for this ACS (Recipient), request (InResponseTo) and time',
      );
    }
  }

  private identityOf(profile: Profile, idp: IdpEntry): VerifiedIdentity {
    const attributes = (profile.attributes ?? {}) as Record<string, unknown>;
    const keys: [string, string][] = [
      ['subject-id', ATTR.subjectId],
      ['pairwise-id', ATTR.pairwiseId],
      ['eppn', ATTR.eppn],
    ];
    let subject: string | null = null;
    for (const [kind, name] of keys) {
      const found = values(attributes, name);
      if (found.length > 1) {
        throw new FederatedLoginRefused(`${kind} has several values`);
      }
      if (found.length === 1) {
        const value = found[0].toLowerCase();
        // An IdP may only speak for identities in its own scopes (REFEDS, shibmd:Scope).
        if (!inScope(value, idp.scopes)) {
          throw new FederatedLoginRefused(`${kind} ${value} is outside the IdP's scopes`);
        }
        subject = `${kind}:${value}`;
        break;
      }
    }
    if (!subject || subject.length > 512) {
      throw new FederatedLoginRefused(
        'no persistent identifier (subject-id, pairwise-id or eduPersonPrincipalName)',
      );
    }
    const mail = values(attributes, ATTR.mail)[0]?.toLowerCase() ?? null;
    const display =
      values(attributes, ATTR.displayName)[0] ??
      ([values(attributes, ATTR.givenName)[0], values(attributes, ATTR.sn)[0]]
        .filter(Boolean)
        .join(' ') ||
        null);
    this.log.log(`SAML assertion accepted from ${idp.entityId}`);
    return {
      protocol: 'saml',
      provider: idp.entityId,
      subject,
      email: mail && mail.length <= 254 ? mail : null,
      displayName: display ? display.slice(0, 200) : null,
      entitlements: values(attributes, ATTR.entitlement),
    };
  }

  // SP metadata for the federation registry: entity id, ACS, key, requested attributes.
  metadataXml(): string {
    const sp = this.cfg.saml;
    const { displayName, contactEmail } = sp;
    const cert = (this.keyPair?.cert ?? '')
      .replace(/-----(BEGIN|END) CERTIFICATE-----/g, '')
      .replace(/\s+/g, '');
    const requested = REQUESTED.map(
      (a) =>
        `      <md:RequestedAttribute FriendlyName="${a.friendly}" Name="${a.name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri" isRequired="${a.required}"/>`,
    ).join('\n');
    const contact = contactEmail
      ? `  <md:ContactPerson contactType="technical">\n    <md:EmailAddress>mailto:${escapeXml(contactEmail)}</md:EmailAddress>\n  </md:ContactPerson>\n`
      : '';
    return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="${NS.md}" xmlns:ds="${NS.ds}" xmlns:mdui="${NS.mdui}" xmlns:mdattr="${NS.mdattr}" xmlns:saml="${NS.saml}" entityID="${escapeXml(sp.entityId)}">
  <md:Extensions>
    <mdattr:EntityAttributes>
      <saml:Attribute Name="urn:oasis:names:tc:SAML:profiles:subject-id:req" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">
        <saml:AttributeValue>any</saml:AttributeValue>
      </saml:Attribute>
    </mdattr:EntityAttributes>
  </md:Extensions>
  <md:SPSSODescriptor AuthnRequestsSigned="true" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:Extensions>
      <mdui:UIInfo>
        <mdui:DisplayName xml:lang="en">${escapeXml(displayName)}</mdui:DisplayName>
      </mdui:UIInfo>
    </md:Extensions>
    <md:KeyDescriptor>
      <ds:KeyInfo>
        <ds:X509Data>
          <ds:X509Certificate>${cert}</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${escapeXml(sp.acsUrl)}" index="0" isDefault="true"/>
    <md:AttributeConsumingService index="0" isDefault="true">
      <md:ServiceName xml:lang="en">${escapeXml(displayName)}</md:ServiceName>
${requested}
    </md:AttributeConsumingService>
  </md:SPSSODescriptor>
${contact}</md:EntityDescriptor>
`;
  }
}
