import { z } from 'zod';
import { ROLES } from '../accounts/role-grant.entity.js';
import { field } from '../common/input.js';
import { LANGUAGES } from '../i18n/languages.js';

export const invitationInput = z.object({
  email: field.email(),
  role: z.enum(ROLES, { error: 'role_unknown' }),
  // 0 for platform-wide roles (RoleGrant.scopeId); a positive id otherwise.
  scopeId: z.coerce.number({ error: 'invalid' }).int('invalid').nonnegative('invalid'),
  language: z.enum(LANGUAGES, { error: 'language_unknown' }).optional(),
});

export const acceptNewInput = z.object({
  displayName: field.text(200),
  password: z.string({ error: 'required' }).min(1, 'required'),
});
