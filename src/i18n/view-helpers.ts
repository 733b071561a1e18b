import hbs from 'hbs';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWS_DIR } from '../common/paths.js';
import { dateFormat } from './date-formats.js';
import { I18nService } from './i18n.service.js';
import { isLanguage } from './languages.js';
import { midSentence } from './mid-sentence.js';

interface HelperOptions {
  hash: Record<string, unknown>;
  data: { root: Record<string, unknown> };
}

interface CheckFinding {
  field: string;
  code: string;
  name?: string;
  message: string;
}

// Form controls the CSR check's findings point at; anything else is about the CSR itself.
const CHECK_FIELDS: Record<string, string> = {
  csr: 'csr',
  extraNames: 'extraNames',
  validityDays: 'validityDays',
  product: 'product',
  departmentId: 'departmentId',
  evidence: 'evidenceFile',
  keyProtection: 'keyProtection',
};

function langOf(options: HelperOptions) {
  const lang = options.data.root.lang;
  return isLanguage(lang) ? lang : 'en';
}

// Partials are registered synchronously: hbs.registerPartials reads them asynchronously, and
// the first request could otherwise render before they exist. Registered compiled: a partial
// registered as text is compiled anew on every page that uses it (about 14 ms a page).
function registerPartials(dir: string): void {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.hbs'))) {
    hbs.handlebars.registerPartial(
      file.replace(/\.hbs$/, ''),
      hbs.handlebars.compile(readFileSync(join(dir, file), 'utf8')),
    );
  }
}

// Handlebars indents every line a standalone partial prints, the lines of a textarea's value
// too: a multi-line field would come back indented after each post.
function preventPartialIndent(): void {
  const handlebars = hbs.handlebars as typeof hbs.handlebars & { raPatched?: boolean };
  if (handlebars.raPatched) {
    return;
  }
  const compile = handlebars.compile.bind(handlebars);
  handlebars.compile = ((input: string, options?: CompileOptions) =>
    compile(input, { ...options, preventIndent: true })) as typeof handlebars.compile;
  handlebars.raPatched = true;
}

export function registerViewHelpers(i18n: I18nService): void {
  preventPartialIndent();
  registerPartials(join(VIEWS_DIR, 'partials'));
  // {{t "key" name=value}}: the result is a plain string, so Handlebars escapes it.
  hbs.registerHelper('t', (key: string, options: HelperOptions) =>
    i18n.t(langOf(options), key, options.hash),
  );
  // {{tp key params}}: like t, with the parameters as one object (flash messages carry them).
  hbs.registerHelper('tp', (key: string, params: unknown, options: HelperOptions) =>
    i18n.t(langOf(options), key, params && typeof params === 'object' ? (params as Record<string, unknown>) : {}),
  );
  // {{pageTitle "…"}} in a page sets the layout's <title>: "<page> – <app name>".
  hbs.registerHelper('pageTitle', (title: unknown, options: HelperOptions) => {
    options.data.root.title = title;
    return '';
  });
  // The error summary names the field of each problem, by its label where the page's
  // namespace has one (<ns>.fields.<field>), and says each problem once.
  hbs.registerHelper('fieldLabel', (field: unknown, ns: unknown, options: HelperOptions) => {
    for (const key of [`${String(ns)}.fields.${String(field)}`, `ui.fields.${String(field)}`]) {
      if (typeof ns === 'string' && i18n.has(key)) {
        return i18n.t(langOf(options), key);
      }
    }
    return '';
  });
  hbs.registerHelper('uniqueProblems', (problems: unknown) => {
    if (!Array.isArray(problems)) {
      return [];
    }
    const seen = new Set<string>();
    return (problems as { field: string; message?: string; code: string }[]).filter((p) => {
      const key = `${p.field}\u0000${p.message ?? p.code}`;
      return seen.has(key) ? false : (seen.add(key), true);
    });
  });
  // {{let "name" value}}: a value computed once and used further down the page.
  hbs.registerHelper('let', (name: string, value: unknown, options: HelperOptions) => {
    options.data.root[name] = value;
    return '';
  });
  // The CSR check's findings as field problems: each tied to the field it is about, named and
  // coded, so the summary links to the field and the field says what is wrong with it.
  hbs.registerHelper('checkProblems', (result: unknown, problems: unknown) => {
    const out: { field: string; code: string; message: string }[] = Array.isArray(problems)
      ? [...(problems as { field: string; code: string; message: string }[])]
      : [];
    const errors = (result as { errors?: CheckFinding[] } | undefined)?.errors ?? [];
    for (const e of errors) {
      out.push({
        field: CHECK_FIELDS[e.field] ?? 'csr',
        code: e.code,
        message: `${e.name ? `${e.name}: ` : ''}${e.message} (${e.code})`,
      });
    }
    return out;
  });
  hbs.registerHelper('day', (value: unknown, options: HelperOptions) => {
    if (!(value instanceof Date) && typeof value !== 'string') {
      return '';
    }
    const date = new Date(value);
    return Number.isNaN(date.getTime())
      ? ''
      : dateFormat(langOf(options), 'day').format(date);
  });
  hbs.registerHelper('midSentence', (text: unknown, options: HelperOptions) =>
    midSentence(String(text), langOf(options)),
  );
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('not', (value: unknown) => !value);
  hbs.registerHelper('date', (value: unknown, options: HelperOptions) => {
    if (!(value instanceof Date) && typeof value !== 'string') {
      return '';
    }
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) {
      return '';
    }
    return dateFormat(langOf(options), 'time').format(date) + ' UTC';
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
    const messages = (
      problems as { field: string; code: string; params?: Record<string, unknown>; message?: string }[]
    )
      .filter((x) => x.field === field)
      .map((p) => p.message ?? i18n.t(langOf(options), `errors.${p.code}`, p.params));
    return [...new Set(messages)].join(' ');
  });
}
