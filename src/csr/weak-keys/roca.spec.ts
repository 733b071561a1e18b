import { generateKeyPairSync } from 'node:crypto';
import { bigintFromBytes, randomPrime, rocaPrime } from '../../../test/fixtures/csr/csr-builder.js';
import { hasRocaFingerprint, ROCA_PRIMES, rocaMarker } from './roca.js';

// The masks crocs-muni/roca and rocacheck publish for the first primes of their list.
const PUBLISHED_MARKERS: [number, string][] = [
  [3, '6'],
  [5, '30'],
  [7, '126'],
  [11, '1026'],
  [13, '5658'],
  [17, '107286'],
  [19, '199410'],
  [23, '8388606'],
  [29, '536870910'],
  [31, '2147483646'],
  [37, '67109890'],
  [53, '5310023542746834'],
  [61, '1455791217086302986'],
  [71, '20052041432995567486'],
  [73, '6041388139249378920330'],
  [79, '207530445072488465666'],
  [97, '79228162521181866724264247298'],
  [103, '1760368345969468176824550810518'],
  [107, '50079290986288516948354744811034'],
  [109, '473022961816146413042658758988474'],
  [127, '144390480366845522447407333004847678774'],
  [151, '1800793591454480341970779146165214289059119882'],
  [157, '126304807362733370595828809000324029340048915994'],
];

const M = ROCA_PRIMES.reduce((acc, p) => acc * BigInt(p), 1n);

describe('ROCA fingerprint', () => {
  it.each(PUBLISHED_MARKERS)(
    'subgroup of 65537 mod %i equals the published marker',
    (p, marker) => {
      expect(rocaMarker(ROCA_PRIMES.indexOf(p)).toString()).toBe(marker);
    },
  );

  it('flags the public 512-bit test modulus and not its one-bit variant', () => {
    // proxmark3's roca self-test vectors (positive, then the first byte changed)
    const weak = Buffer.from(
      '944e13208a280c37efc31c3114485e590192adbb8e11c87cad60cdef0037ce99' +
        '278330d3f471a2538fa667802ed2a3c44a8b7dea826e888d0aa341fd664f7fa7',
      'hex',
    );
    expect(hasRocaFingerprint(bigintFromBytes(weak))).toBe(true);
    weak[0] = 0x84;
    expect(hasRocaFingerprint(bigintFromBytes(weak))).toBe(false);
  });

  it('flags moduli built from RSALib-structured primes', () => {
    for (let i = 0; i < 3; i++) {
      const n = rocaPrime(512, M) * rocaPrime(512, M);
      expect(hasRocaFingerprint(n)).toBe(true);
    }
  });

  it('does not flag ordinary keys', () => {
    for (let i = 0; i < 20; i++) {
      const n = randomPrime(256) * randomPrime(256);
      expect(hasRocaFingerprint(n)).toBe(false);
    }
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' });
    expect(hasRocaFingerprint(bigintFromBytes(Buffer.from(jwk.n!, 'base64url')))).toBe(false);
  });
});
