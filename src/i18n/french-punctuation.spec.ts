import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { I18N_DIR } from '../common/paths.js';

// French typography: a (narrow) no-break space before : ; ? ! (i18n/GLOSSARY.fr.md).
// A plain space there lets the sign wrap alone onto the next line; none at all is wrong.
function strings(value: unknown, path: string, out: [string, string][]): void {
  if (typeof value === 'string') {
    out.push([path, value]);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      strings(v, path ? `${path}.${k}` : k, out);
    }
  }
}

export function punctuationProblems(text: string): string[] {
  const problems: string[] = [];
  for (const m of text.matchAll(/(.)([:;?!])/gu)) {
    const [, before, sign] = m;
    const after = text.slice((m.index ?? 0) + 2, (m.index ?? 0) + 4);
    // URLs (https://) and the like are not prose.
    if (sign === ':' && after.startsWith('//')) {
      continue;
    }
    if (before !== '\u202f' && before !== '\u00a0') {
      problems.push(text.slice(Math.max(0, (m.index ?? 0) - 15), (m.index ?? 0) + 2));
    }
  }
  return problems;
}

describe('French punctuation', () => {
  it('finds a plain space and a missing space, and accepts the narrow no-break space', () => {
    expect(punctuationProblems('Erreur : oui')).toHaveLength(1);
    expect(punctuationProblems('Vraiment?')).toHaveLength(1);
    expect(punctuationProblems('Erreur\u202f: oui\u202f; non\u202f! https://x')).toEqual([]);
  });

  const dir = join(I18N_DIR, 'fr');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    it(`has a no-break space before : ; ? ! everywhere in fr/${file}`, () => {
      const found: [string, string][] = [];
      strings(JSON.parse(readFileSync(join(dir, file), 'utf8')), '', found);
      const problems = found.flatMap(([key, text]) =>
        punctuationProblems(text).map((p) => `${key}: …${p}`),
      );
      expect(problems).toEqual([]);
    });
  }
});
