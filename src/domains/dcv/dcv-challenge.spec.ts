import { challengeFor, DCV_METHODS, isDcvMethod } from './dcv-challenge.js';

const token = '0123456789abcdef0123456789abcdef';

describe('challengeFor', () => {
  it('asks for a TXT record under _tcs-ra-challenge', () => {
    expect(challengeFor('dns-txt', 'uni.example.org', token, 'dcv.tcs-ra.invalid')).toEqual({
      method: 'dns-txt',
      recordName: '_tcs-ra-challenge.uni.example.org',
      recordType: 'TXT',
      recordValue: `tcs-ra-validation=${token}`,
    });
  });

  it('asks for a CNAME from _<token> into the configured zone', () => {
    expect(challengeFor('dns-cname', 'uni.example.org', token, 'dcv.nren.example')).toEqual({
      method: 'dns-cname',
      recordName: `_${token}.uni.example.org`,
      recordType: 'CNAME',
      recordValue: `${token}.dcv.nren.example`,
    });
  });

  it('asks for a file under /.well-known/pki-validation/ holding the token', () => {
    expect(challengeFor('http', 'uni.example.org', token, 'dcv.tcs-ra.invalid')).toEqual({
      method: 'http',
      url: `http://uni.example.org/.well-known/pki-validation/tcs-ra-${token}.txt`,
      fileContent: token,
    });
  });

  it.each(['', 'ABCDEF0123456789ABCDEF0123456789', `${token}0`, '../../etc/passwd'])(
    'refuses the malformed token %j',
    (bad) => {
      expect(() => challengeFor('http', 'uni.example.org', bad, 'dcv.tcs-ra.invalid')).toThrow(
        RangeError,
      );
    },
  );

  it('knows its methods', () => {
    expect(DCV_METHODS.every(isDcvMethod)).toBe(true);
    expect(isDcvMethod('email')).toBe(false);
  });
});
