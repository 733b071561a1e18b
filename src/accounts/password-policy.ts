// NIST SP 800-63B 5.1.1.2: length over composition rules, and refuse known-bad choices.
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

const COMMON = new Set([
  'password',
  'password1',
  'password123',
  'passw0rd',
  'qwerty',
  'qwertyuiop',
  'letmein',
  'welcome',
  'admin',
  'administrator',
  'changeme',
  'iloveyou',
  'trustno1',
  'football',
  'baseball',
  'dragon',
  'monkey',
  'sunshine',
  'princess',
  'azerty',
  'motdepasse',
  'passwort',
  'wachtwoord',
  'losenord',
  'certificate',
  'letmein123',
  'welcome123',
  'correcthorsebatterystaple',
]);

export type PasswordProblem =
  'password_too_short' | 'password_too_long' | 'password_too_common' | 'password_contains_email';

function isSequence(s: string): boolean {
  const distinct = new Set(s).size;
  if (distinct <= 2) {
    return true;
  }
  let ascending = 0;
  for (let i = 1; i < s.length; i++) {
    if (s.charCodeAt(i) - s.charCodeAt(i - 1) === 1) {
      ascending++;
    }
  }
  return ascending >= s.length - 2;
}

export function passwordProblems(password: string, email = ''): PasswordProblem[] {
  if ([...password].length < PASSWORD_MIN_LENGTH) {
    return ['password_too_short'];
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return ['password_too_long'];
  }
  const lower = password.toLowerCase();
  const stripped = lower.replace(/[\d!@#$%^&*.?_\-\s]+$/u, '');
  if (COMMON.has(lower) || COMMON.has(stripped) || isSequence(lower)) {
    return ['password_too_common'];
  }
  const local = email.toLowerCase().split('@')[0] ?? '';
  if (local.length >= 4 && lower.includes(local)) {
    return ['password_contains_email'];
  }
  return [];
}
