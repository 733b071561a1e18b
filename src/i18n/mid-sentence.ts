import type { Language } from './languages.js';

// A label written for the start of a line ("Requester") put inside a sentence: lower case
// first letter, except in German (nouns keep theirs) and for acronyms ("NREN administrator").
export function midSentence(text: string, language: Language): string {
  if (language === 'de' || text.length < 2) {
    return text;
  }
  const [first, second] = [...text];
  return second === second.toLowerCase() && second !== second.toUpperCase()
    ? first.toLowerCase() + text.slice(first.length)
    : text;
}
