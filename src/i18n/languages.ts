export const LANGUAGES = ['en', 'fr', 'de', 'nl', 'sv'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

// Remembers a ?lang= choice; outranks the saved preference (see RequestContextMiddleware).
export const LANG_COOKIE = 'ra.lang';
