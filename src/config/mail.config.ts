import { registerAs } from '@nestjs/config';
import addressparser from 'nodemailer/lib/addressparser';
import { z } from 'zod';
import { ConfigError, parseEnv } from './env.js';

function isSmtpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function isSingleAddress(value: string): boolean {
  const parsed = addressparser(value, { flatten: true });
  return parsed.length === 1 && /^[^\s@]+@[^\s@]+$/.test(parsed[0]?.address ?? '');
}

const schema = z.object({
  MAIL_TRANSPORT: z.enum(['outbox', 'smtp'], { message: 'must be outbox or smtp' }).optional(),
  SMTP_URL: z
    .string()
    .refine(isSmtpUrl, {
      message: 'must look like smtp://user:password@host:587 or smtps://user:password@host:465',
    })
    .optional(),
  MAIL_FROM: z
    .string()
    .refine(isSingleAddress, { message: 'must be one address, such as TCS RA <ra@example.org>' })
    .default('TCS RA <ra@localhost>'),
  SMTP_CONNECTIONS: z.coerce.number().int().min(1).max(50).default(8),
});

export type MailConfig = {
  from: string;
} & (
  | { transport: 'outbox'; smtpUrl: null }
  // connections: how many the SMTP transport keeps open and delivers over at once.
  | { transport: 'smtp'; smtpUrl: string; connections: number }
);

// SMTP when a server is named, the outbox (nothing leaves the process) otherwise.
export function loadMailConfig(env: NodeJS.ProcessEnv = process.env): MailConfig {
  const e = parseEnv(schema, env);
  const transport = e.MAIL_TRANSPORT ?? (e.SMTP_URL ? 'smtp' : 'outbox');
  if (transport === 'outbox') {
    return { transport, smtpUrl: null, from: e.MAIL_FROM };
  }
  if (!e.SMTP_URL) {
    throw new ConfigError(['SMTP_URL: is required when MAIL_TRANSPORT=smtp']);
  }
  return { transport, smtpUrl: e.SMTP_URL, from: e.MAIL_FROM, connections: e.SMTP_CONNECTIONS };
}

export const mailConfig = registerAs('mail', () => loadMailConfig());
