import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../common/paths.js';
import { parseCsr } from '../csr-parser.js';
import { DebianBlocklist, debianFingerprint, debianModulusHex } from './debian-blocklist.js';

const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/csr');
const SAMPLE = join(FIXTURES, 'debian-blocklist-sample.txt');

function modulusOf(file: string): bigint {
  const csr = parseCsr(readFileSync(join(FIXTURES, file), 'utf8'));
  if (csr.publicKey.kind !== 'rsa') {
    throw new Error('not RSA');
  }
  return csr.publicKey.modulus;
}

describe('Debian weak key blocklist', () => {
  const list = DebianBlocklist.load(SAMPLE);

  it('loads the sample, skipping comments', () => {
    expect(list.size).toBe(3);
  });

  it.each(['debian-sample-1.csr.pem', 'debian-sample-2.csr.pem', 'debian-sample-3.csr.pem'])(
    'finds the key of %s',
    (file) => {
      expect(list.isWeak(debianModulusHex(modulusOf(file)))).toBe(true);
    },
  );

  it('formats the modulus exactly as openssl prints it (no leading zero, 2044-bit key)', () => {
    for (const i of [1, 2, 3]) {
      const file = join(FIXTURES, `debian-sample-${i}.csr.pem`);
      const printed = execFileSync('openssl', ['req', '-in', file, '-noout', '-modulus'], {
        encoding: 'utf8',
      }).trim();
      expect(`Modulus=${debianModulusHex(modulusOf(`debian-sample-${i}.csr.pem`))}`).toBe(printed);
    }
    expect(debianModulusHex(modulusOf('debian-sample-3.csr.pem'))).toHaveLength(511);
  });

  it('does not flag other keys, and an empty list flags nothing', () => {
    expect(list.isWeak('C0FFEE')).toBe(false);
    const hex = debianModulusHex(modulusOf('debian-sample-1.csr.pem'));
    expect(DebianBlocklist.empty().isWeak(hex)).toBe(false);
    // a leading zero would change the fingerprint: callers must not add one
    expect(list.isWeak('0' + hex)).toBe(false);
  });

  it('accepts upper-case fingerprints, CRLF and trailing comments', () => {
    const fp = debianFingerprint('ABCDEF');
    const parsed = DebianBlocklist.parse(`# header\r\n${fp.toUpperCase()}  # note\r\n\r\n`);
    expect(parsed.isWeak('ABCDEF')).toBe(true);
  });

  it('refuses a malformed line with its number', () => {
    expect(() => DebianBlocklist.parse('# ok\n0123456789abcdef0123\nnot-hex\n', 'x.txt')).toThrow(
      'x.txt line 3',
    );
  });
});
