// Codes of the expiry reminders' field problems (errors.<code> in i18n).
export const EXPIRY_ERROR_CODES = ['reminder_days_invalid'] as const;
