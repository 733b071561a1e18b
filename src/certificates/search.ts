import { normaliseSerial } from './leaf-facts.js';

// www.example.org -> org.example.www: "a name and every name below it" becomes a prefix.
export function reverseName(name: string): string {
  return name.toLowerCase().split('.').reverse().join('.');
}

export type SearchTerm =
  | { kind: 'fingerprint'; value: string }
  | { kind: 'serial'; value: string }
  | { kind: 'name'; reversed: string };

// One search box: 64 hex digits (colons allowed) is a SHA-256 fingerprint, other hex without
// a dot is a serial number, anything else a name. Certificate names always have a dot.
export function classifySearch(raw: string): SearchTerm | null {
  const q = raw.trim().toLowerCase().replace(/\.$/, '');
  if (!q) {
    return null;
  }
  const hex = q.replace(/[\s:]/g, '');
  if (/^[0-9a-f]+$/.test(hex) && !q.includes('.')) {
    return hex.length === 64
      ? { kind: 'fingerprint', value: hex }
      : { kind: 'serial', value: normaliseSerial(hex) };
  }
  return { kind: 'name', reversed: reverseName(q) };
}
