// The checker records what it saw in a technical line (names, values, URLs stay as they
// are); its English connecting phrases are put into the reader's language when shown.
// Phrases not listed here (system error messages) are shown as recorded.
type Translate = (key: string, params?: Record<string, string>) => string;

const PHRASES: [RegExp, string][] = [
  [/: the name does not exist \(NXDOMAIN\)$/, ': {nxdomain}'],
  [/: the name exists but has no such record$/, ': {nodata}'],
  [/: no answer from the DNS server$/, ': {dnsTimeout}'],
  [/: no records$/, ': {noRecords}'],
  [/^no A or AAAA record for (\S+)$/, '{noAddress|$1}'],
  [/^no answer within ([\d.]+) s \((.*)\)$/, '{timeout|$1} ($2)'],
  [/ resolves to (\S+) \((.*)\)$/, ' {resolvesTo|$1} ($2)'],
  [/ without Location from /, ' {withoutLocation} '],
  [/ \(redirected from (\S+)\)/, ' ({redirectedFrom|$1})'],
  [/: only 301, 302, 307 and 308 redirects are followed$/, ': {redirectStatuses}'],
  [/: only http and https are allowed$/, ': {redirectScheme}'],
  [/: only ports 80 and 443 are allowed$/, ': {redirectPort}'],
  [/: outside (\S+)$/, ': {redirectOutside|$1}'],
  [/^more than (\d+) redirects: /, '{tooManyRedirects|$1}: '],
  [/: connection closed before the end of the body$/, ': {closedEarly}'],
  [/; expected /, '; {expected} '],
  [/, more than (\d+) bytes: /, ', {moreBytes|$1}: '],
  [/, (\d+) bytes: /, ', {bytes|$1}: '],
  [/ from (https?:\/\/)/, ' {from} $1'],
  [/redirect to /, '{redirectTo} '],
];

export function localiseDetail(detail: string, t: Translate, lang = 'en'): string {
  let out = detail;
  for (const [pattern, replacement] of PHRASES) {
    out = out.replace(pattern, (...m: string[]) =>
      replacement
        .replace(/\{(\w+)(?:\|\$(\d))?\}/g, (_w, key: string, group?: string) =>
          t(`dcv.detail.${key}`, group ? { value: m[Number(group)] ?? '' } : {}),
        )
        .replace(/\$(\d)/g, (_w, group: string) => m[Number(group)] ?? ''),
    );
  }
  // French puts a narrow no-break space before : ; ? ! (i18n/GLOSSARY.fr.md).
  return lang === 'fr' ? out.replace(/(\S)([:;?!])(\s|$)/g, '$1\u202f$2$3') : out;
}
