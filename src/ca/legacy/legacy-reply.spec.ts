import { decodeBase64Field, parseLegacyReply, UnparseableReply } from './legacy-reply.js';

describe('parseLegacyReply', () => {
  it('reads the error code and keeps every value of a repeated field, in order', () => {
    const reply = parseLegacyReply(
      'errorCode=2&certificateStatus=Issued&certificate=AAAA&caCertificate=QkJC&caCertificate=Q0ND\n',
    );
    expect(reply.errorCode).toBe(2);
    expect(reply.first('certificateStatus')).toBe('Issued');
    expect(reply.all('caCertificate')).toEqual(['QkJC', 'Q0ND']);
    expect(reply.all('missing')).toEqual([]);
  });

  it('decodes percent-encoding and reads negative codes with their item and message', () => {
    const reply = parseLegacyReply(
      'errorCode=-2&errorItem=colour&errorMessage=%27colour%27+is+an+unrecognised+argument%21',
    );
    expect(reply.errorCode).toBe(-2);
    expect(reply.first('errorItem')).toBe('colour');
    expect(reply.first('errorMessage')).toBe("'colour' is an unrecognised argument!");
  });

  it.each([
    ['an empty body', ''],
    ['an HTML error page', '<html><body>Service temporarily unavailable</body></html>'],
    ['the status-line format', '0\ncertificateStatus\tIssued'],
    ['no errorCode', 'orderNumber=1234'],
    ['a non-numeric errorCode', 'errorCode=ok'],
    ['two errorCodes', 'errorCode=0&errorCode=-1'],
  ])('refuses %s', (_what, body) => {
    expect(() => parseLegacyReply(body)).toThrow(UnparseableReply);
  });
});

describe('decodeBase64Field', () => {
  it('restores a + that arrived as a space (not percent-encoded) and ignores line breaks', () => {
    const bytes = new Uint8Array([0xfb, 0xef, 0xbe, 0x01]);
    const b64 = Buffer.from(bytes).toString('base64');
    expect(b64).toContain('+');
    expect(decodeBase64Field(b64.replace(/\+/g, ' '))).toEqual(bytes);
    expect(decodeBase64Field(`${b64.slice(0, 4)}\r\n${b64.slice(4)}`)).toEqual(bytes);
  });

  it('refuses text that is not base64', () => {
    expect(() => decodeBase64Field('not base64!')).toThrow(UnparseableReply);
  });
});
