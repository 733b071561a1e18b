import { domainToASCII, domainToUnicode } from 'node:url';
import { parse } from 'tldts';

export type DomainNameProblem =
  | 'domain_invalid'
  | 'domain_too_long'
  | 'domain_label_too_long'
  | 'domain_not_public'
  | 'domain_public_suffix'
  | 'domain_confusable';

// Cyrillic and Greek letters that look like Latin ones: a label written only in them reads
// as a Latin name that it is not (UTS #39 whole-script confusables, the common subset).
const LATIN_LOOKALIKES = new Set([...'аеорсухіјѕԁӏһԛԝкмнтвӀαεοτυνικχρβ']);

function confusable(label: string): boolean {
  const letters = [...label].filter((c) => /\p{L}/u.test(c));
  const scripts = new Set(
    letters.map((c) =>
      /\p{Script=Latin}/u.test(c)
        ? 'latin'
        : /\p{Script=Cyrillic}/u.test(c)
          ? 'cyrillic'
          : /\p{Script=Greek}/u.test(c)
            ? 'greek'
            : 'other',
    ),
  );
  const mixed = scripts.has('latin') && (scripts.has('cyrillic') || scripts.has('greek'));
  const lookalike =
    letters.length > 0 &&
    !scripts.has('latin') &&
    !scripts.has('other') &&
    letters.every((c) => LATIN_LOOKALIKES.has(c));
  return mixed || lookalike || (scripts.has('cyrillic') && scripts.has('greek'));
}

export type NormalisedDomain =
  // registrable: the name one label below its public suffix; every name above or below
  // this one shares it.
  | { ok: true; name: string; unicode: string; registrable: string }
  | { ok: false; problem: DomainNameProblem };

// Lower case, IDNs as A-labels, no trailing dot; refuses what cannot be a registrable name
// below a public suffix (ICANN section of the Public Suffix List).
export function normaliseDomain(input: string): NormalisedDomain {
  const raw = input.trim().replace(/\.$/, '');
  if (
    !raw ||
    raw.length > 1000 ||
    /[\s/:@*]/.test(raw) ||
    raw.startsWith('.') ||
    raw.includes('..')
  ) {
    return { ok: false, problem: 'domain_invalid' };
  }
  const ascii = domainToASCII(raw.toLowerCase());
  if (!ascii) {
    return { ok: false, problem: 'domain_invalid' };
  }
  if (ascii.length > 253) {
    return { ok: false, problem: 'domain_too_long' };
  }
  const labels = ascii.split('.');
  if (labels.length < 2) {
    // "se" is a top-level domain (a public suffix), "intranet" is not in the public DNS.
    return {
      ok: false,
      problem: parse(ascii, { allowPrivateDomains: false }).isIcann
        ? 'domain_public_suffix'
        : 'domain_not_public',
    };
  }
  for (const label of labels) {
    if (label.length > 63) {
      return { ok: false, problem: 'domain_label_too_long' };
    }
    if (
      !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(label) ||
      (label.slice(2, 4) === '--' && !label.startsWith('xn--'))
    ) {
      return { ok: false, problem: 'domain_invalid' };
    }
  }
  const unicode = domainToUnicode(ascii);
  if (unicode.split('.').some(confusable)) {
    return { ok: false, problem: 'domain_confusable' };
  }
  const info = parse(ascii, { allowPrivateDomains: false });
  if (!info.isIcann) {
    return { ok: false, problem: 'domain_not_public' };
  }
  if (!info.domain) {
    return { ok: false, problem: 'domain_public_suffix' };
  }
  return { ok: true, name: ascii, unicode, registrable: info.domain };
}

// Is `name` equal to `domain` or below it, on label boundaries?
export function isWithin(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}
