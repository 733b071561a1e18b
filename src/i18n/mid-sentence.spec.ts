import { midSentence } from './mid-sentence.js';

describe('a label inside a sentence', () => {
  it.each([
    ['Registration authority officer', 'en', 'registration authority officer'],
    ['NREN administrator', 'en', 'NREN administrator'],
    ['Responsable d’enregistrement (RAO)', 'fr', 'responsable d’enregistrement (RAO)'],
    ['Antragsteller', 'de', 'Antragsteller'],
    ['Är', 'sv', 'är'],
  ] as const)('%s (%s) → %s', (label, lang, expected) => {
    expect(midSentence(label, lang)).toBe(expected);
  });
});
