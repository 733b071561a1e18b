import { classifySearch, reverseName } from './search.js';

describe('certificate search terms', () => {
  it('reverses names label by label', () => {
    expect(reverseName('www.Example.org')).toBe('org.example.www');
    expect(reverseName('*.example.org')).toBe('org.example.*');
  });

  it.each([
    ['www.example.org', { kind: 'name', reversed: 'org.example.www' }],
    ['example.org.', { kind: 'name', reversed: 'org.example' }],
    ['localhost', { kind: 'name', reversed: 'localhost' }],
    ['192.0.2.1', { kind: 'name', reversed: '1.2.0.192' }],
    ['00:AB:cd:01', { kind: 'serial', value: 'abcd01' }],
    ['0', { kind: 'serial', value: '0' }],
    ['AA:'.repeat(31) + 'AA', { kind: 'fingerprint', value: 'aa'.repeat(32) }],
    ['  ', null],
  ])('reads %p as %p', (q, term) => {
    expect(classifySearch(q)).toEqual(term);
  });
});
