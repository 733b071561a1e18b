import { z } from 'zod';
import { field } from '../common/input.js';
import { normaliseThresholds } from './thresholds.js';

// Reminders of one certificate: muted by an RAO, and addresses to tell besides its owners.
export const reminderSettingsInput = z.object({
  muted: field.flag(),
  extraAddresses: field.emailList(20),
});

// An NREN's or an organisation's thresholds; an empty list falls back to the one above.
export const reminderPolicyInput = z.object({
  days: field
    .list(z.coerce.number({ error: 'reminder_days_invalid' }), 20)
    .transform((days, ctx) => {
      if (days.length === 0) {
        return null;
      }
      const normal = normaliseThresholds(days);
      if (!normal) {
        ctx.addIssue({ code: 'custom', message: 'reminder_days_invalid', path: [] });
        return z.NEVER;
      }
      return normal;
    }),
});
