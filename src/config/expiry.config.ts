import { registerAs } from '@nestjs/config';
import { CronTime } from 'cron';
import { z } from 'zod';
import { ConfigError, parseEnv } from './env.js';

// Reminder thresholds: whole days before expiry, a negative one after it (-1: the day after).
const MIN_DAYS = -30;
const MAX_DAYS = 366;

// "60,30,14,7,3,1,-1" -> [60, 30, 14, 7, 3, 1, -1]; null when anything is not a day count.
export function parseThresholds(value: string): number[] | null {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.length > 20 || parts.some((p) => !/^-?\d{1,3}$/.test(p))) {
    return null;
  }
  return normaliseThresholds(parts.map(Number));
}

export function normaliseThresholds(days: number[]): number[] | null {
  if (
    days.length === 0 ||
    days.length > 20 ||
    days.some((d) => !Number.isInteger(d) || d < MIN_DAYS || d > MAX_DAYS || d === 0)
  ) {
    return null;
  }
  return [...new Set(days)].sort((a, b) => b - a);
}

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
