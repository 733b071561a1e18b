import { registerAs } from '@nestjs/config';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { parseEnv } from './env.js';

const schema = z.object({
  DATA_DIR: z.string().default('./data'),
  AUDIT_CHECKPOINT_FILE: z.string().optional(),
});

// Where signed checkpoints of the audit chain are appended: outside the database, so that
// whoever can rewrite the database cannot also move the anchor.
export function loadAuditConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  return {
    checkpointFile: resolve(e.AUDIT_CHECKPOINT_FILE ?? join(e.DATA_DIR, 'audit-checkpoints.jsonl')),
  };
}

export const auditConfig = registerAs('audit', () => loadAuditConfig());
export type AuditConfig = ReturnType<typeof loadAuditConfig>;
