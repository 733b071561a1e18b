import { ValidationFailed } from '../common/errors.js';
import { auditFilterFromQuery, csvField, csvLine } from './audit-query.js';

describe('audit CSV cells', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['=1+2', "'=1+2"],
    ['+31 20 123', "'+31 20 123"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['=HYPERLINK("x","y")', '"\'=HYPERLINK(""x"",""y"")"'],
    ['a=b', 'a=b'],
  ])('%j -> %j', (value, cell) => {
    expect(csvField(value)).toBe(cell);
  });

  it('leaves numbers and empty values alone and ends lines with CRLF', () => {
    expect(csvLine([12, null, undefined, 'x'])).toBe('12,,,x\r\n');
  });
});

describe('audit filter from a query string', () => {
  it('takes whole UTC days, the last one included, and lower-cases the address', () => {
    expect(
      auditFilterFromQuery({ actor: ' RAO@Example.org ', from: '2026-03-01', to: '2026-03-02' }),
    ).toEqual({
      actor: 'rao@example.org',
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-03-03T00:00:00Z'),
    });
  });

  it('refuses a malformed filter by field rather than dropping it', () => {
    try {
      auditFilterFromQuery({ from: '1.3.2026', objectType: 'ship', objectId: '01', before: 'x' });
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationFailed);
      expect((err as ValidationFailed).problems.map((p) => p.field)).toEqual([
        'from',
        'objectType',
        'objectId',
        'before',
      ]);
    }
  });
});
