import { Injectable } from '@nestjs/common';
import Handlebars from 'handlebars';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VIEWS_DIR } from '../common/paths.js';
import { dateFormat } from '../i18n/date-formats.js';
import { midSentence } from '../i18n/mid-sentence.js';
import { I18nService } from '../i18n/i18n.service.js';
import type { Language } from '../i18n/languages.js';

export interface RenderedMail {
  subject: string;
  text: string;
  html: string | null;
}

interface HelperOptions {
  hash: Record<string, unknown>;
}

interface Compiled {
  text: Handlebars.TemplateDelegate;
  html: Handlebars.TemplateDelegate | null;
}

// Names map to files under views/mail/ and to i18n keys: no slashes, no dots at the ends.
const TEMPLATE_NAME = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;
export const SUBJECT_MAX = 300;

// Renders views/mail/<template>.text.hbs (required) and .html.hbs (optional) in the language
// it is given. Its own Handlebars instance: the page engine's helpers read the language from
// the request, and a cron job has no request.
@Injectable()
export class MailRenderer {
  private readonly handlebars = Handlebars.create();
  private readonly compiled = new Map<string, Compiled>();

  private readonly dir = join(VIEWS_DIR, 'mail');

  constructor(private readonly i18n: I18nService) {}

  render(template: string, language: Language, context: Record<string, unknown>): RenderedMail {
    const { text, html } = this.compile(template);
    const options: Handlebars.RuntimeOptions = {
      helpers: {
        t: (key: string, opts: HelperOptions) => this.i18n.t(language, key, opts.hash),
        date: (value: unknown) => formatDate(value, language),
        midSentence: (text: unknown) => midSentence(String(text), language),
        day: (value: unknown) => formatDay(value, language),
      },
    };
    const values = singleLine(context) as Record<string, unknown>;
    const data = { ...values, lang: language };
    const subject = this.i18n
      .t(language, `mail.${template}.subject`, values)
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, SUBJECT_MAX);
    return { subject, text: text(data, options), html: html ? html(data, options) : null };
  }

  private compile(template: string): Compiled {
    const cached = this.compiled.get(template);
    if (cached) {
      return cached;
    }
    if (!TEMPLATE_NAME.test(template)) {
      throw new Error(`mail template name not allowed: ${JSON.stringify(template)}`);
    }
    const textFile = join(this.dir, `${template}.text.hbs`);
    const htmlFile = join(this.dir, `${template}.html.hbs`);
    if (!existsSync(textFile)) {
      throw new Error(`mail template missing: ${textFile}`);
    }
    const compiled: Compiled = {
      // Plain text is not HTML: nothing to escape, and &amp; in a text mail is a bug.
      text: this.handlebars.compile(readFileSync(textFile, 'utf8'), { noEscape: true }),
      html: existsSync(htmlFile) ? this.handlebars.compile(readFileSync(htmlFile, 'utf8')) : null,
    };
    this.compiled.set(template, compiled);
    return compiled;
  }
}

// Values are put into plain-text mail unescaped: a line break in a name would let whoever
// chose the name add lines of their own (a fake link, a fake signature). Every control
// character in a string becomes a space.
function singleLine(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(/[\p{Cc}\u2028\u2029]+/gu, ' ');
  }
  if (Array.isArray(value)) {
    return value.map(singleLine);
  }
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, singleLine(v)]));
  }
  return value;
}

function formatDate(value: unknown, language: Language): string {
  if (!(value instanceof Date) && typeof value !== 'string') {
    return '';
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  return `${dateFormat(language, 'time').format(date)} UTC`;
}

// A calendar date (UTC) in the reader's language: "12 March 2027", "12 mars 2027".
function formatDay(value: unknown, language: Language): string {
  if (!(value instanceof Date) && typeof value !== 'string') {
    return '';
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  return dateFormat(language, 'day').format(date);
}
