import { createRequire } from 'node:module';

// The few DOM members used here. xmldom's own typings pull in TypeScript's whole DOM lib
// (`/// <reference lib="dom" />`), which changes global types (Crypto, BufferSource) under
// the rest of the code base; so xmldom is loaded untyped and described by these.
export interface XmlNode {
  nodeType: number;
  firstChild: XmlNode | null;
  nextSibling: XmlNode | null;
  textContent: string | null;
}

export interface XmlElement extends XmlNode {
  namespaceURI: string | null;
  localName: string;
  getAttribute(name: string): string | null;
  getAttributeNS(namespace: string, name: string): string | null;
  getElementsByTagNameNS(namespace: string, name: string): ArrayLike<XmlElement>;
}

export interface XmlDocument {
  documentElement: XmlElement;
  getElementsByTagNameNS(namespace: string, name: string): ArrayLike<XmlElement>;
}

const { DOMParser } = createRequire(import.meta.url)('@xmldom/xmldom') as {
  DOMParser: new (options: object) => {
    parseFromString(xml: string, mimeType: string): XmlDocument | undefined;
  };
};

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
export function parseXml(xml: string): XmlDocument {
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

export function children(parent: XmlElement, ns: string, localName: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1) {
      const e = n as XmlElement;
      if (e.namespaceURI === ns && e.localName === localName) {
        out.push(e);
      }
    }
  }
  return out;
}

export function child(parent: XmlElement, ns: string, localName: string): XmlElement | undefined {
  return children(parent, ns, localName)[0];
}

export function descendants(
  parent: XmlElement | XmlDocument,
  ns: string,
  localName: string,
): XmlElement[] {
  return Array.from(parent.getElementsByTagNameNS(ns, localName));
}

export function text(e: XmlElement | undefined): string {
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
