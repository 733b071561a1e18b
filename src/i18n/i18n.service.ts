import { Injectable } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { I18N_DIR } from '../common/paths.js';
import { isLanguage, Language, LANGUAGES } from './languages.js';

type Messages = Map<string, string>;

function flatten(prefix: string, value: unknown, into: Messages): void {
  if (typeof value === 'string') {
    into.set(prefix, value);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      flatten(prefix ? `${prefix}.${k}` : k, v, into);
    }
  }
}

export function loadCatalogue(dir = I18N_DIR): Map<Language, Messages> {
  const catalogue = new Map<Language, Messages>();
  for (const lang of LANGUAGES) {
    const messages: Messages = new Map();
    for (const file of readdirSync(join(dir, lang)).filter((f) => f.endsWith('.json'))) {
      const data: unknown = JSON.parse(readFileSync(join(dir, lang, file), 'utf8'));
      flatten(file.replace(/\.json$/, ''), data, messages);
    }
    catalogue.set(lang, messages);
  }
  return catalogue;
}

// Messages are files shipped with the code, read once at start: not per-instance state.
// Placeholders are {name}; callers escape the result where it lands in HTML.
@Injectable()
export class I18nService {
  private readonly catalogue = loadCatalogue();

  t(lang: Language, key: string, params: Record<string, unknown> = {}): string {
    const template = this.catalogue.get(lang)?.get(key) ?? this.catalogue.get('en')?.get(key);
    if (template === undefined) {
      return key;
    }
    return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
      name in params ? String(params[name]) : whole,
    );
  }

  has(key: string): boolean {
    return this.catalogue.get('en')?.has(key) ?? false;
  }

  // The last parts of the keys under a prefix ('audit.actions' -> ['login', …]), in file order.
  keysUnder(prefix: string): string[] {
    const start = `${prefix}.`;
    return [...(this.catalogue.get('en')?.keys() ?? [])]
      .filter((k) => k.startsWith(start))
      .map((k) => k.slice(start.length));
  }

  // RFC 9110 Accept-Language, matched on the primary subtag, highest q first.
  fromAcceptLanguage(header: string | undefined): Language | undefined {
    if (!header) {
      return undefined;
    }
    const ranked = header
      .split(',')
      .map((part, index) => {
        const [tag, ...params] = part.trim().split(';');
        const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
        return { tag: (tag ?? '').toLowerCase(), q: q ? Number(q.slice(2)) : 1, index };
      })
      .filter((r) => r.tag && !Number.isNaN(r.q) && r.q > 0)
      .sort((a, b) => b.q - a.q || a.index - b.index);
    for (const { tag } of ranked) {
      const primary = tag.split('-')[0];
      if (isLanguage(primary)) {
        return primary;
      }
    }
    return undefined;
  }
}
