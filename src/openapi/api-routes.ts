import { z } from 'zod';
import { field } from '../common/input.js';
import {
  checkInput,
  domainInput,
  domainUpdateInput,
  emailInput,
  manualInput,
} from '../domains/domains.input.js';
import { nrenInput } from '../nrens/nrens.input.js';
import {
  departmentInput,
  departmentUpdateInput,
  identityValidationInput,
  organisationCreateInput,
  organisationUpdateInput,
} from '../organisations/organisations.input.js';
import { invitationInput } from '../people/people.input.js';
import { productCreateInput, productUpdateInput } from '../products/products.input.js';
import { OFFERED_ACTIONS, type RequestAction } from '../requests/request-lifecycle.js';
import { actionInput } from '../requests/requests.input.js';
import * as S from './api-schemas.js';

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

// One JSON API route as Nest maps it (path in Nest's syntax, `:id`) and what it takes and
// gives. Request bodies are the services' own input schemas wherever a service exports one.
export interface ApiRoute {
  method: HttpMethod;
  path: string;
  tag: string;
  summary: string;
  // Path parameters other than numeric ids.
  pathParams?: Record<string, z.ZodType>;
  query?: z.ZodObject;
  body?: z.ZodType;
  // The success status and its body (null: no body).
  status: number;
  response: z.ZodType | null;
  // Problem responses besides 401 (every route needs a token).
  problems: number[];
  public?: boolean;
}

const paging = z.object({
  page: z.int().positive().optional().meta({ description: 'page number, from 1' }),
  q: z.string().max(100).optional().meta({ description: 'search text' }),
});
const scopeQuery = z.object({
  nrenId: z.int().positive().optional(),
  organisationId: z.int().positive().optional(),
  departmentId: z.int().positive().optional(),
});
// PATCH: fields left out keep their value; `version` is required (optimistic lock).
const patchOf = (s: z.ZodObject) => s.partial().extend({ version: field.version() });

const requestDraft = z
  .object({
    departmentId: z.int().positive(),
    product: z.string().meta({ description: 'product code, e.g. OV_SSL' }),
    csr: z.string().meta({ description: 'PKCS#10 as PEM, or DER in base64' }),
    validityDays: z.int().positive().optional(),
    extraNames: z.array(z.string()).optional(),
    comment: z.string().max(2000).optional(),
    keyProtection: z.string().optional(),
    evidence: z
      .object({ name: z.string(), data: z.string().meta({ description: 'base64' }) })
      .optional(),
  })
  .meta({ id: 'RequestDraft' });

export const API_ROUTES: ApiRoute[] = [
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    tag: 'meta',
    summary: 'This description (OpenAPI 3.1)',
    status: 200,
    response: z.looseObject({ openapi: z.string() }),
    problems: [],
    public: true,
  },
  {
    method: 'get',
    path: '/api/v1/me',
    tag: 'accounts',
    summary: 'Who the token belongs to, with their roles',
    status: 200,
    response: S.me,
    problems: [],
  },
  {
    method: 'get',
    path: '/api/v1/tokens',
    tag: 'accounts',
    summary: 'Your API tokens (without their secrets)',
    status: 200,
    response: z.array(S.token),
    problems: [],
  },
  {
    method: 'post',
    path: '/api/v1/tokens',
    tag: 'accounts',
    summary: 'Create an API token; its secret is in this response only',
    body: z.object({ name: z.string().min(1).max(100) }),
    status: 201,
    response: S.newToken,
    problems: [422],
  },
  {
    method: 'delete',
    path: '/api/v1/tokens/:id',
    tag: 'accounts',
    summary: 'Revoke one of your tokens',
    status: 204,
    response: null,
    problems: [404],
  },
  {
    method: 'get',
    path: '/api/v1/nrens',
    tag: 'nrens',
    summary: 'NRENs you may see',
    query: paging,
    status: 200,
    response: S.page(S.nren),
    problems: [],
  },
  {
    method: 'post',
    path: '/api/v1/nrens',
    tag: 'nrens',
    summary: 'Create an NREN (platform administrators)',
    body: nrenInput,
    status: 201,
    response: S.nren,
    problems: [403, 409, 422],
  },
  {
    method: 'get',
    path: '/api/v1/nrens/:id',
    tag: 'nrens',
    summary: 'One NREN',
    status: 200,
    response: S.nren,
    problems: [404],
  },
  {
    method: 'patch',
    path: '/api/v1/nrens/:id',
    tag: 'nrens',
    summary: 'Change an NREN',
    body: patchOf(nrenInput),
    status: 200,
    response: S.nren,
    problems: [404, 409, 422],
  },
  {
    method: 'get',
    path: '/api/v1/organisations',
    tag: 'organisations',
    summary: 'Organisations you may see',
    query: paging.extend({ nrenId: z.int().positive().optional() }),
    status: 200,
    response: S.page(S.organisation),
    problems: [],
  },
  {
    method: 'post',
    path: '/api/v1/organisations',
    tag: 'organisations',
    summary: 'Admit an organisation to an NREN',
    body: organisationCreateInput,
    status: 201,
    response: S.organisation,
    problems: [409, 422],
  },
  {
    method: 'get',
    path: '/api/v1/organisations/:id',
    tag: 'organisations',
    summary: 'One organisation',
    status: 200,
    response: S.organisation,
    problems: [404],
  },
  {
    method: 'patch',
    path: '/api/v1/organisations/:id',
    tag: 'organisations',
    summary: 'Change an organisation',
    body: patchOf(organisationUpdateInput),
    status: 200,
    response: S.organisation,
    problems: [404, 409, 422],
  },
  {
    method: 'post',
    path: '/api/v1/organisations/:id/identity-validation',
    tag: 'organisations',
    summary: 'Record that the organisation’s identity was validated',
    body: identityValidationInput,
    status: 201,
    response: S.organisation,
    problems: [404, 409, 422],
  },
  {
    method: 'get',
    path: '/api/v1/organisations/:id/departments',
    tag: 'organisations',
    summary: 'Departments of an organisation',
    status: 200,
    response: z.array(S.department),
    problems: [404],
  },
  {
    method: 'post',
    path: '/api/v1/organisations/:id/departments',
    tag: 'organisations',
    summary: 'Create a department',
    body: departmentInput,
    status: 201,
    response: S.department,
    problems: [404, 409, 422],
  },
  {
    method: 'get',
    path: '/api/v1/departments/:id',
    tag: 'organisations',
    summary: 'One department',
    status: 200,
    response: S.department,
    problems: [404],
  },
  {
    method: 'patch',
    path: '/api/v1/departments/:id',
    tag: 'organisations',
    summary: 'Rename a department',
    body: departmentUpdateInput,
    status: 200,
    response: S.department,
    problems: [404, 409, 422],
  },
  {
    method: 'get',
    path: '/api/v1/organisations/:id/domains',
    tag: 'domains',
    summary: 'Domains of an organisation',
    query: paging,
    status: 200,
    response: S.page(S.domain),
    problems: [404],
  },
  {
    method: 'post',
    path: '/api/v1/organisations/:id/domains',
    tag: 'domains',
    summary: 'Register a domain',
    body: domainInput,
    status: 201,
    response: S.domain,
    problems: [404, 409, 422],
  },
  {
    method: 'get',
    path: '/api/v1/domains/:id',
    tag: 'domains',
    summary: 'One domain, with its validation challenges',
    status: 200,
    response: S.domainDetail,
    problems: [404],
  },
  {
    method: 'patch',
    path: '/api/v1/domains/:id',
    tag: 'domains',
    summary: 'Wildcards and delegation to departments',
    body: patchOf(domainUpdateInput),
    status: 200,
    response: S.domainDetail,
    problems: [404, 409, 422],
  },
  {
    method: 'post',
    path: '/api/v1/domains/:id/check',
    tag: 'domains',
    summary: 'Run a domain control check now',
    body: checkInput,
    status: 201,
    response: S.domainCheck,
    problems: [404, 422, 429],
  },
  {
    method: 'post',
    path: '/api/v1/domains/:id/validation-email',
    tag: 'domains',
    summary: 'Send the validation e-mail to a constructed address',
    body: emailInput,
    status: 201,
    response: z.looseObject({ sentTo: z.string() }),
    problems: [404, 422, 429],
  },
  {
    method: 'post',
    path: '/api/v1/domains/:id/manual-validation',
    tag: 'domains',
    summary: 'Validate a domain by hand, with a note',
    body: manualInput,
    status: 201,
    response: S.domain,
    problems: [404, 409, 422],
  },
  {
    method: 'get',
    path: '/api/v1/people',
    tag: 'people',
    summary: 'Who holds a role at an NREN, organisation or department',
    query: scopeQuery,
    status: 200,
    response: z.array(S.person),
    problems: [404, 422],
  },
  {
    method: 'get',
    path: '/api/v1/invitations',
    tag: 'people',
    summary: 'Invitations sent for a place',
    query: scopeQuery.omit({ departmentId: true }),
    status: 200,
    response: z.array(S.invitation),
    problems: [404],
  },
  {
    method: 'post',
    path: '/api/v1/invitations',
    tag: 'people',
    summary: 'Invite someone to a role',
    body: invitationInput,
    status: 201,
    response: S.invitation,
    problems: [422],
  },
  {
    method: 'post',
    path: '/api/v1/csr/check',
    tag: 'requests',
    summary: 'Check a CSR against policy without submitting it',
    body: requestDraft,
    status: 200,
    response: S.csrCheck,
    problems: [404, 413, 422],
  },
  {
    method: 'post',
    path: '/api/v1/requests',
    tag: 'requests',
    summary: 'Submit a certificate request',
    body: requestDraft,
    status: 201,
    response: S.certificateRequest,
    problems: [404, 413, 422],
  },
  {
    method: 'get',
    path: '/api/v1/requests',
    tag: 'requests',
    summary: 'Certificate requests you may see',
    query: paging.extend({
      departmentId: z.int().positive().optional(),
      organisationId: z.int().positive().optional(),
      status: z.string().optional(),
    }),
    status: 200,
    response: S.page(S.certificateRequest),
    problems: [],
  },
  {
    method: 'get',
    path: '/api/v1/requests/:id',
    tag: 'requests',
    summary: 'One certificate request',
    status: 200,
    response: S.certificateRequest,
    problems: [404],
  },
  {
    method: 'post',
    path: '/api/v1/requests/:id/:action',
    tag: 'requests',
    summary: 'Take an action on a request; `actions` in a request lists those open to you now',
    pathParams: { action: z.enum(OFFERED_ACTIONS as [RequestAction, ...RequestAction[]]) },
    body: actionInput,
    status: 200,
    response: S.certificateRequest,
    problems: [403, 404, 409, 422],
  },
  {
    method: 'get',
    path: '/api/v1/products',
    tag: 'products',
    summary: 'The product catalogue',
    status: 200,
    response: z.array(S.product),
    problems: [],
  },
  {
    method: 'post',
    path: '/api/v1/products',
    tag: 'products',
    summary: 'Add a product (NREN and platform administrators)',
    body: productCreateInput,
    status: 201,
    response: S.product,
    problems: [403, 409, 422],
  },
  {
    method: 'patch',
    path: '/api/v1/products/:id',
    tag: 'products',
    summary: 'Change a product',
    body: patchOf(productUpdateInput),
    status: 200,
    response: S.product,
    problems: [403, 404, 409, 422],
  },
  {
    method: 'get',
    path: '/api/v1/outbox',
    tag: 'mail',
    summary: 'Mail kept by the outbox transport (platform administrators)',
    query: z.object({
      page: z.int().positive().optional(),
      to: z.string().optional().meta({ description: 'only mail to this address' }),
    }),
    status: 200,
    response: S.outboxPage,
    problems: [403],
  },
  {
    method: 'get',
    path: '/api/v1/outbox/:id',
    tag: 'mail',
    summary: 'One message from the outbox',
    status: 200,
    response: S.mailMessage,
    problems: [403, 404],
  },
];
