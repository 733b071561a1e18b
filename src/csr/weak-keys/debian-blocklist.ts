import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

// Debian weak keys (CVE-2008-0166), openssl-blacklist format: each line holds the last 20
// hex digits (10 bytes) of SHA-1("Modulus=" + upper-case hex of n + "\n"), the way
// openssl-vulnkey computes it; '#' starts a comment. The full lists are gigabytes and
// come from the operator, so the path is configuration.
// openssl's "Modulus=" output: upper-case hex without leading zeros.
export function debianModulusHex(modulus: bigint): string {
  return modulus.toString(16).toUpperCase();
}

export function debianFingerprint(modulusHexUpper: string): string {
  return createHash('sha1').update(`Modulus=${modulusHexUpper}\n`).digest('hex').slice(-20);
}

export class DebianBlocklist {
  private constructor(private readonly fingerprints: ReadonlySet<string>) {}

  static parse(text: string, source = 'blocklist'): DebianBlocklist {
    const set = new Set<string>();
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.replace(/#.*/, '').trim();
      if (line === '') {
        return;
      }
      if (!/^[0-9a-fA-F]{20}$/.test(line)) {
        throw new Error(`${source} line ${index + 1}: expected 20 hex digits`);
      }
      set.add(line.toLowerCase());
    });
    return new DebianBlocklist(set);
  }

  static load(path: string): DebianBlocklist {
    return DebianBlocklist.parse(readFileSync(path, 'utf8'), path);
  }

  static empty(): DebianBlocklist {
    return new DebianBlocklist(new Set());
  }

  get size(): number {
    return this.fingerprints.size;
  }

  // openssl prints the modulus without leading zeros; so must the caller.
  isWeak(modulusHexUpper: string): boolean {
    return this.fingerprints.size > 0 && this.fingerprints.has(debianFingerprint(modulusHexUpper));
  }
}
