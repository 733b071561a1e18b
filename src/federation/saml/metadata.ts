import { X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import {
  child,
  children,
  derToPem,
  descendants,
  NS,
  parseXml,
  text,
  XmlRejected,
  type XmlDocument,
  type XmlElement,
} from './xml.js';

// SHA-1 signatures are refused: a federation that still signs with it is not one to trust.
const STRONG_SIGNATURES = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1',
]);

const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const SAML2_PROTOCOL = 'urn:oasis:names:tc:SAML:2.0:protocol';

export interface IdpScope {
  value: string;
  regexp: boolean;
}

export interface IdpDescription {
  entityId: string;
  names: Record<string, string>;
  ssoUrl: string;
  certificates: string[];
  scopes: IdpScope[];
  validUntil: Date | null;
}

export interface ParsedMetadata {
  idps: IdpDescription[];
  validUntil: Date | null;
}

export class MetadataRejected extends Error {
  constructor(readonly reason: string) {
    super(`metadata refused: ${reason}`);
  }
}

// Checks the signature on the document element against the federation's certificate and
// returns only the bytes that signature covers: what is parsed afterwards is exactly what the
// federation signed, whatever else the file holds.
export function verifyMetadata(xml: string, certificatePem: string): string {
  let doc: XmlDocument;
  try {
    doc = parseXml(xml.replace(/\r\n?/g, '\n'));
  } catch (err) {
    throw new MetadataRejected(err instanceof XmlRejected ? err.message : 'unreadable');
  }
  const root = doc.documentElement;
  if (
    root.namespaceURI !== NS.md ||
    !['EntitiesDescriptor', 'EntityDescriptor'].includes(root.localName)
  ) {
    throw new MetadataRejected('not SAML metadata');
  }
  const signatures = children(root, NS.ds, 'Signature');
  if (signatures.length !== 1) {
    throw new MetadataRejected(signatures.length ? 'several signatures' : 'unsigned');
  }
  const sig = new SignedXml({ publicCert: certificatePem });
  sig.loadSignature(signatures[0]);
  if (!STRONG_SIGNATURES.has(sig.signatureAlgorithm ?? '')) {
    throw new MetadataRejected(`signature algorithm ${sig.signatureAlgorithm ?? 'missing'}`);
  }
  const refs = sig.getReferences();
  if (refs.length !== 1) {
    throw new MetadataRejected('signature must have exactly one reference');
  }
  const uri = refs[0].uri ?? '';
  const rootId = root.getAttribute('ID') ?? '';
  if (!(uri === '' || (uri === `#${rootId}` && rootId !== ''))) {
    throw new MetadataRejected('signature does not cover the whole document');
  }
  if (
    rootId &&
    descendants(doc, '*', '*').filter((e) => e.getAttribute('ID') === rootId).length !== 1
  ) {
    throw new MetadataRejected('duplicate ID');
  }
  let valid = false;
  try {
    valid = sig.checkSignature(xml.replace(/\r\n?/g, '\n'));
  } catch {
    valid = false;
  }
  const signed = sig.getSignedReferences();
  if (!valid || signed.length !== 1) {
    throw new MetadataRejected('bad signature');
  }
  return signed[0];
}

function dateAttr(e: XmlElement, name: string): Date | null {
  const v = e.getAttribute(name);
  if (!v) {
    return null;
  }
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function earliest(a: Date | null, b: Date | null): Date | null {
  if (!a) {
    return b;
  }
  if (!b) {
    return a;
  }
  return a < b ? a : b;
}

function idpOf(entity: XmlElement, inherited: Date | null): IdpDescription | null {
  const entityId = entity.getAttribute('entityID') ?? '';
  const sso = children(entity, NS.md, 'IDPSSODescriptor').find((d) =>
    (d.getAttribute('protocolSupportEnumeration') ?? '').split(/\s+/).includes(SAML2_PROTOCOL),
  );
  if (!entityId || entityId.length > 512 || !sso) {
    return null;
  }
  const ssoUrl =
    children(sso, NS.md, 'SingleSignOnService')
      .find((s) => s.getAttribute('Binding') === REDIRECT_BINDING)
      ?.getAttribute('Location') ?? '';
  if (!/^https?:\/\//.test(ssoUrl) || ssoUrl.length > 1024) {
    return null;
  }
  const certificates: string[] = [];
  for (const kd of children(sso, NS.md, 'KeyDescriptor')) {
    const use = kd.getAttribute('use');
    if (use && use !== 'signing') {
      continue;
    }
    for (const c of descendants(kd, NS.ds, 'X509Certificate')) {
      const pem = derToPem(text(c));
      try {
        new X509Certificate(pem);
        certificates.push(pem);
      } catch {
        // An unreadable certificate is skipped; an IdP left with none is skipped below.
      }
    }
  }
  if (!certificates.length) {
    return null;
  }
  const scopes: IdpScope[] = [];
  for (const holder of [child(entity, NS.md, 'Extensions'), child(sso, NS.md, 'Extensions')]) {
    for (const s of holder ? children(holder, NS.shibmd, 'Scope') : []) {
      const value = text(s);
      if (value) {
        scopes.push({ value, regexp: s.getAttribute('regexp') === 'true' });
      }
    }
  }
  const names: Record<string, string> = {};
  const ui = child(sso, NS.md, 'Extensions');
  const uiInfo = ui ? child(ui, NS.mdui, 'UIInfo') : undefined;
  for (const n of uiInfo ? children(uiInfo, NS.mdui, 'DisplayName') : []) {
    const lang = n.getAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang') || 'en';
    names[lang] ??= text(n).slice(0, 255);
  }
  if (!Object.keys(names).length) {
    const org = child(entity, NS.md, 'Organization');
    for (const n of org ? children(org, NS.md, 'OrganizationDisplayName') : []) {
      const lang = n.getAttributeNS('http://www.w3.org/XML/1998/namespace', 'lang') || 'en';
      names[lang] ??= text(n).slice(0, 255);
    }
  }
  if (!Object.keys(names).length) {
    names.en = entityId.slice(0, 255);
  }
  return {
    entityId,
    names,
    ssoUrl,
    certificates,
    scopes,
    validUntil: earliest(inherited, dateAttr(entity, 'validUntil')),
  };
}

// Identity providers in (already verified) metadata. Anything past its validUntil, the
// document's or an entity's own, is left out; a document past its own is refused.
export function parseIdps(signedXml: string, now: Date): ParsedMetadata {
  const doc = parseXml(signedXml);
  const root = doc.documentElement;
  const validUntil = dateAttr(root, 'validUntil');
  if (validUntil && validUntil <= now) {
    throw new MetadataRejected('expired');
  }
  const idps: IdpDescription[] = [];
  const walk = (e: XmlElement, inherited: Date | null) => {
    const until = earliest(inherited, dateAttr(e, 'validUntil'));
    if (until && until <= now) {
      return;
    }
    if (e.localName === 'EntityDescriptor') {
      const idp = idpOf(e, inherited);
      if (idp) {
        idps.push(idp);
      }
      return;
    }
    for (const c of children(e, NS.md, 'EntitiesDescriptor')) {
      walk(c, until);
    }
    for (const c of children(e, NS.md, 'EntityDescriptor')) {
      walk(c, until);
    }
  };
  walk(root, null);
  return { idps, validUntil };
}

// Whether a scoped value (user@scope) lies in one of the IdP's declared scopes.
export function inScope(scopedValue: string, scopes: IdpScope[]): boolean {
  const at = scopedValue.lastIndexOf('@');
  if (at <= 0 || at === scopedValue.length - 1) {
    return false;
  }
  const scope = scopedValue.slice(at + 1).toLowerCase();
  return scopes.some((s) => {
    if (!s.regexp) {
      return s.value.toLowerCase() === scope;
    }
    try {
      return new RegExp(`^(?:${s.value})$`, 'i').test(scope);
    } catch {
      return false;
    }
  });
}
