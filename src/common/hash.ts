import { createHash, type BinaryLike } from 'node:crypto';

// Tokens, session ids and key fingerprints are stored as their SHA-256, in lower-case hex.
export function sha256Hex(data: BinaryLike): string {
  return createHash('sha256').update(data).digest('hex');
}
