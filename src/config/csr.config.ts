import { registerAs } from '@nestjs/config';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseEnv } from './env.js';

const schema = z.object({
  // openssl-blacklist files (Debian weak keys, CVE-2008-0166), comma-separated.
  DEBIAN_WEAK_KEYS_FILES: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((p) => resolve(p.trim()))
        .filter(Boolean),
    )
    .refine((paths) => paths.every((p) => existsSync(p)), {
      message: 'names a file that does not exist',
    })
    .optional(),
});

export function loadCsrConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  return { debianWeakKeyFiles: e.DEBIAN_WEAK_KEYS_FILES ?? [] };
}

export const csrConfig = registerAs('csr', () => loadCsrConfig());
