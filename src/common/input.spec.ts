import { z } from 'zod';
import { ValidationFailed } from './errors.js';
import { editedInput, field, parseInput } from './input.js';

describe('field.list', () => {
  const schema = z.object({ codes: field.list(z.string().regex(/^[A-Z]+$/, 'invalid'), 3, 1) });
  const codes = (input: unknown) => parseInput(schema, { codes: input }).codes;
  const problems = (input: unknown) => {
    try {
      parseInput(schema, { codes: input });
    } catch (err) {
      return (err as ValidationFailed).problems.map((p) => p.code);
    }
    return [];
  };

  it.each([
    ['A, B;C', ['A', 'B', 'C']],
    ['A\nB\r\n C ', ['A', 'B', 'C']],
    ['A B', ['A', 'B']],
    [
      ['A', 'B'],
      ['A', 'B'],
    ],
    ['A', ['A']],
  ])('reads %j as %j', (input, expected) => {
    expect(codes(input)).toEqual(expected);
  });

  it('names what is wrong: missing, too many, a bad entry', () => {
    expect(problems(undefined)).toEqual(['required']);
    expect(problems(' , ')).toEqual(['required']);
    expect(problems('A B C D')).toEqual(['too_many']);
    expect(problems('A b')).toEqual(['invalid']);
  });
});

describe('editedInput', () => {
  const stored = { name: 'Old', active: true, version: 4 };

  it('replaces for a form: what is left out is left out', () => {
    expect(editedInput('replace', { name: 'New' }, stored)).toEqual({ name: 'New' });
  });

  it('merges for a PATCH, but never takes the stored version', () => {
    expect(editedInput('merge', { name: 'New' }, stored)).toEqual({ name: 'New', active: true });
    expect(editedInput('merge', { version: 3 }, stored)).toEqual({
      name: 'Old',
      active: true,
      version: 3,
    });
  });

  it('passes anything but an object through, for the schema to refuse', () => {
    expect(editedInput('merge', ['x'], stored)).toEqual(['x']);
    expect(editedInput('merge', 'x', stored)).toBe('x');
  });
});
