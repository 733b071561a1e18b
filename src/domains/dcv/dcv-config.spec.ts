import { loadDcvConfig } from '../../config/dcv.config.js';
import { configProblems as problemsOf } from '../../config/env.js';

describe('DCV configuration', () => {
  it('runs on defaults: system resolvers, 10 s, port 80', () => {
    expect(loadDcvConfig({})).toEqual({
      dnsServers: [],
      timeoutMs: 10000,
      httpPort: 80,
      cnameZone: 'dcv.tcs-ra.invalid',
      allowPrivateAddresses: false,
    });
  });

  it('reads servers with and without ports, fractional timeouts and the CNAME zone', () => {
    expect(
      loadDcvConfig({
        DCV_DNS_SERVERS: '192.0.2.1, 192.0.2.2:5353,2001:db8::1,[2001:db8::2]:53',
        DCV_TIMEOUT: '0.5',
        DCV_HTTP_PORT: '8080',
        DCV_CNAME_ZONE: 'DCV.NREN.Example.',
      }),
    ).toEqual({
      dnsServers: ['192.0.2.1', '192.0.2.2:5353', '[2001:db8::1]', '[2001:db8::2]:53'],
      timeoutMs: 500,
      httpPort: 8080,
      cnameZone: 'dcv.nren.example',
      allowPrivateAddresses: false,
    });
  });

  it.each([
    [{ DCV_DNS_SERVERS: 'dns.example.org' }, 'DCV_DNS_SERVERS'],
    [{ DCV_DNS_SERVERS: '192.0.2.1:99999' }, 'DCV_DNS_SERVERS'],
    [{ DCV_TIMEOUT: '0' }, 'DCV_TIMEOUT'],
    [{ DCV_TIMEOUT: 'ten' }, 'DCV_TIMEOUT'],
    [{ DCV_HTTP_PORT: '0' }, 'DCV_HTTP_PORT'],
    [{ DCV_CNAME_ZONE: 'not a zone' }, 'DCV_CNAME_ZONE'],
    [{ DCV_CNAME_ZONE: 'localhost' }, 'DCV_CNAME_ZONE'],
  ])('refuses %j naming %s', (env, variable) => {
    const problems = problemsOf(() => loadDcvConfig(env));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
  });
});
