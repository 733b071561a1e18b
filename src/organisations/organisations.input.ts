import { z } from 'zod';
import { field } from '../common/input.js';

const organisationFields = {
  name: field.text(200),
  streetAddress: field.text(200),
  locality: field.text(100),
  stateOrProvince: field.optionalText(100),
  postalCode: field.optionalText(20),
  country: field.country(),
  registrationNumber: field.optionalText(64),
  certificateContacts: field.emailList(20),
  allowedProducts: field.list(
    z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z0-9_-]{1,32}$/, 'product_code_invalid'),
    50,
  ),
  caOrganisationId: field.optionalText(64),
};

export const organisationCreateInput = z.object({ nrenId: field.id(), ...organisationFields });
export const organisationUpdateInput = z.object({
  ...organisationFields,
  version: field.version(),
});
export const departmentInput = z.object({ name: field.text(200) });
export const departmentUpdateInput = departmentInput.extend({ version: field.version() });
export const identityValidationInput = z.object({ version: field.version() });
