import { registerAs } from '@nestjs/config';
import { CronTime } from 'cron';
import { z } from 'zod';
import { parseThresholds } from '../expiry/thresholds.js';
import { ConfigError, parseEnv } from './env.js';

const schema = z.object({
  EXPIRY_REMINDER_SCHEDULE: z.string().default('0 * * * *'),
  EXPIRY_REMINDER_DAYS: z.string().default('60,30,14,7,3,1,-1'),
});

export interface ExpiryConfig {
  // A cron expression (5 or 6 fields), in UTC.
  schedule: string;
  // Days before expiry, descending; -1 is the notice the day after.
  thresholds: number[];
}

export function loadExpiryConfig(env: NodeJS.ProcessEnv = process.env): ExpiryConfig {
  const e = parseEnv(schema, env);
  const problems: string[] = [];
  try {
    new CronTime(e.EXPIRY_REMINDER_SCHEDULE, 'UTC');
  } catch {
    problems.push('EXPIRY_REMINDER_SCHEDULE: must be a cron expression, such as 0 * * * *');
  }
  const thresholds = parseThresholds(e.EXPIRY_REMINDER_DAYS);
  if (!thresholds) {
    problems.push(
      'EXPIRY_REMINDER_DAYS: must be whole numbers of days from 366 to -30, separated by commas',
    );
  }
  if (problems.length || !thresholds) {
    throw new ConfigError(problems);
  }
  return { schedule: e.EXPIRY_REMINDER_SCHEDULE, thresholds };
}

export const expiryConfig = registerAs('expiry', () => loadExpiryConfig());
