import { registerAs } from '@nestjs/config';
import { z } from 'zod';
import { parseEnv } from './env.js';

const whole = (min: number, max: number) =>
  z.coerce
    .number({ message: `must be a whole number from ${min} to ${max}` })
    .int(`must be a whole number from ${min} to ${max}`)
    .min(min, `must be a whole number from ${min} to ${max}`)
    .max(max, `must be a whole number from ${min} to ${max}`);

const schema = z.object({
  // An undecided request expires after this many days; its requester is told.
  REQUEST_EXPIRY_DAYS: whole(1, 365).default(30),
  // Approvers get at most one digest of requests awaiting them per this many minutes.
  APPROVAL_DIGEST_MINUTES: whole(5, 10_080).default(60),
});

export function loadApprovalsConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(schema, env);
  return {
    expiryDays: e.REQUEST_EXPIRY_DAYS,
    digestMinutes: e.APPROVAL_DIGEST_MINUTES,
  };
}

export const approvalsConfig = registerAs('approvals', () => loadApprovalsConfig());
export type ApprovalsConfig = ReturnType<typeof loadApprovalsConfig>;
