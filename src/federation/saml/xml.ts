import { DOMParser } from '@xmldom/xmldom';

export const NS = {
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
  saml: 'urn:oasis:names:tc:SAML:2.0:assertion',
  samlp: 'urn:oasis:names:tc:SAML:2.0:protocol',
  mdui: 'urn:oasis:names:tc:SAML:metadata:ui',
  shibmd: 'urn:mace:shibboleth:metadata:1.0',
  mdattr: 'urn:oasis:names:tc:SAML:metadata:attribute',
} as const;

export class XmlRejected extends Error {}

// A DOCTYPE can declare entities (billion laughs, external files); SAML and metadata never
// need one, so any document that has one is refused before parsing.
export function parseXml(xml: string): Document {
  if (/<!DOCTYPE/i.test(xml)) {
    throw new XmlRejected('doctype');
  }
  const fail = (msg: string) => {
    throw new XmlRejected(`parse: ${msg}`);
  };
  const doc = new DOMParser({
    locator: {},
    errorHandler: { error: fail, fatalError: fail },
  }).parseFromString(xml, 'text/xml');
  if (!doc?.documentElement) {
    throw new XmlRejected('empty');
  }
  return doc;
}

export function children(parent: Element, ns: string, localName: string): Element[] {
  const out: Element[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const e = n as Element;
      if (e.namespaceURI === ns && e.localName === localName) {
        out.push(e);
      }
    }
  }
  return out;
}

export function child(parent: Element, ns: string, localName: string): Element | undefined {
  return children(parent, ns, localName)[0];
}

export function descendants(parent: Element | Document, ns: string, localName: string): Element[] {
  return Array.from(parent.getElementsByTagNameNS(ns, localName));
}

export function text(e: Element | undefined): string {
  return (e?.textContent ?? '').trim();
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

// Base64 DER from metadata (with any whitespace) as a PEM certificate.
export function derToPem(base64: string): string {
  const body = base64.replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
