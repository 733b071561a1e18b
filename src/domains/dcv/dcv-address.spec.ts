import { refusedAddress } from './dcv-address.js';

describe('addresses the HTTP validation may connect to', () => {
  it.each(['8.8.8.8', '193.0.6.139', '2001:67c:2e8:22::c100:68b', '2606:4700::1111'])(
    '%s is global unicast',
    (address) => {
      expect(refusedAddress(address)).toBeNull();
    },
  );

  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '100.64.0.1',
    '169.254.169.254',
    '192.0.0.9',
    '0.0.0.0',
    '::1',
    '::ffff:127.0.0.1',
    'fc00::1',
    'fe80::1',
    '2001:db8::1',
    '2002:7f00:1::1',
    '64:ff9b::7f00:1',
    'ff02::1',
    'not-an-address',
  ])('%s is refused', (address) => {
    expect(refusedAddress(address)).not.toBeNull();
  });

  // The probe's findings: IPv4-compatible addresses (::/96; ::127.0.0.1 reaches the loopback
  // on some stacks) and the deprecated site-local fec0::/10, routed inside some networks.
  it.each(['::127.0.0.1', '::a00:1', '::8.8.8.8', 'fec0::1', 'feff::1'])(
    '%s is refused: not global unicast',
    (address) => {
      expect(refusedAddress(address)).not.toBeNull();
    },
  );
});
