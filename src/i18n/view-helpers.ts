import hbs from 'hbs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWS_DIR } from '../common/paths.js';
import { I18nService } from './i18n.service.js';
import { isLanguage } from './languages.js';

interface HelperOptions {
  hash: Record<string, unknown>;
  data: { root: Record<string, unknown> };
}

function langOf(options: HelperOptions) {
  const lang = options.data.root.lang;
  return isLanguage(lang) ? lang : 'en';
}

// Partials are registered synchronously: hbs.registerPartials reads them asynchronously, and
// the first request could otherwise render before they exist.
function registerPartials(dir: string): void {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
    hbs.registerPartial(file.replace(/\.hbs$/, ''), readFileSync(join(dir, file), 'utf8'));
  }
}

export function registerViewHelpers(i18n: I18nService): void {
  registerPartials(join(VIEWS_DIR, 'partials'));
  // {{t "key" name=value}}: the result is a plain string, so Handlebars escapes it.
  hbs.registerHelper('t', (key: string, options: HelperOptions) =>
    i18n.t(langOf(options), key, options.hash),
  );
  hbs.registerHelper('date', (value: unknown, options: HelperOptions) => {
    if (!(value instanceof Date) && typeof value !== 'string') {
      return '';
    }
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) {
      return '';
    }
    return (
      new Intl.DateTimeFormat(langOf(options), {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: 'UTC',
      }).format(date) + ' UTC'
    );
  });
  // Form values arrive as strings, ids from the database as numbers: compare them as text.
  const scalar = (v: unknown) => (typeof v === 'number' || typeof v === 'string' ? String(v) : v);
  hbs.registerHelper('eq', (a: unknown, b: unknown) =>
    a === b || (a !== undefined && a !== null && scalar(a) === scalar(b)));
  hbs.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
  hbs.registerHelper('list', (...args: unknown[]) => args.slice(0, -1));
  hbs.registerHelper('pick', (cond: unknown, yes: unknown, no: unknown) => (cond ? yes : no));
  hbs.registerHelper('beforeAt', (address: unknown) => String(address).split('@')[0]);
  hbs.registerHelper('encode', (value: unknown) => encodeURIComponent(String(value)));
  hbs.registerHelper('hasFieldError', (problems: unknown, field: string) =>
    Array.isArray(problems) && problems.some((p: { field?: string }) => p.field === field),
  );
  // The last argument is Handlebars' options object.
  hbs.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
  hbs.registerHelper('fieldError', (problems: unknown, field: string, options: HelperOptions) => {
    if (!Array.isArray(problems)) {
      return '';
    }
    const p = (problems as { field: string; code: string; params?: Record<string, unknown>; message?: string }[]).find(
      (x) => x.field === field,
    );
    return p ? (p.message ?? i18n.t(langOf(options), `errors.${p.code}`, p.params)) : '';
  });
}
