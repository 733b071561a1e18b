// Building an Intl.DateTimeFormat costs far more than formatting with one (about half a
// millisecond), and its ICU memory lives outside the JS heap, so the garbage collector is in
// no hurry to free it: a list page formats dozens of dates, a reminder run two per
// certificate per digest. One format per language and style is kept; dates are always UTC.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function dateFormat(language: string, style: 'day' | 'time'): Intl.DateTimeFormat {
  const key = `${language} ${style}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(
      language,
      style === 'day'
        ? { dateStyle: 'long', timeZone: 'UTC' }
        : { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' },
    );
    dateFormats.set(key, format);
  }
  return format;
}
