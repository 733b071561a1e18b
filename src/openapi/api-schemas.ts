import { z } from 'zod';
import { ROLES } from '../accounts/role-grant.entity.js';
import { REVOCATION_REASONS } from '../ca/ca-client.js';
import { CERTIFICATE_STATES } from '../certificates/certificate.entity.js';
import { ORDER_STATES } from '../orders/ca-order.entity.js';
import { REQUEST_STATUSES } from '../requests/request-status.js';

// What the JSON API sends back, as zod schemas: the OpenAPI description is generated from
// them and the e2e tests validate real responses against that description, so a response
// that drifts from what is written here fails a test. Objects are open (looseObject): a new
// field is not a breaking change; a missing or retyped one is.

const id = z.int().positive();
const timestamp = z.iso.datetime({ offset: true });
const nullableTimestamp = timestamp.nullable();

export const problem = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    code: z.string(),
    errors: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details, with the project’s error code' });

export function page<T extends z.ZodType>(item: T) {
  return z.looseObject({
    items: z.array(item),
    page: z.int().positive(),
    pages: z.int().positive(),
    total: z.int().nonnegative(),
  });
}

export const me = z
  .looseObject({
    id,
    email: z.string(),
    displayName: z.string(),
    language: z.string().nullable(),
    roles: z.array(z.object({ role: z.enum(ROLES), scopeId: z.int().nonnegative() })),
  })
  .meta({ id: 'Me' });

export const token = z
  .looseObject({
    id,
    name: z.string(),
    prefix: z.string(),
    createdAt: timestamp,
    lastUsedAt: nullableTimestamp,
  })
  .meta({ id: 'ApiToken' });

export const newToken = token.extend({ token: z.string() }).meta({ id: 'NewApiToken' });

export const nren = z
  .looseObject({
    id,
    name: z.string(),
    country: z.string().length(2),
    contactEmail: z.string(),
    defaultLanguage: z.string(),
    caPasswordSet: z.boolean(),
    version: z.int(),
  })
  .meta({ id: 'Nren' });

export const organisation = z
  .looseObject({
    id,
    nrenId: id,
    name: z.string(),
    streetAddress: z.string(),
    locality: z.string(),
    country: z.string().length(2),
    certificateContacts: z.array(z.string()),
    allowedProducts: z.array(z.string()),
    identityValidatedAt: nullableTimestamp,
    createdAt: timestamp,
    version: z.int(),
  })
  .meta({ id: 'Organisation' });

export const department = z
  .looseObject({ id, organisationId: id, name: z.string(), version: z.int() })
  .meta({ id: 'Department' });

export const domain = z
  .looseObject({
    id,
    organisationId: id,
    name: z.string(),
    status: z.string(),
    wildcardsAllowed: z.boolean(),
    validatedAt: nullableTimestamp,
    validationExpiresAt: nullableTimestamp,
    version: z.int(),
  })
  .meta({ id: 'Domain' });

export const domainDetail = domain
  .extend({
    departmentIds: z.array(id),
    emailAddresses: z.array(z.string()),
    challenges: z.unknown(),
  })
  .meta({ id: 'DomainDetail' });

export const domainCheck = z
  .looseObject({ outcome: z.looseObject({}), domain })
  .meta({ id: 'DomainCheck' });

export const person = z
  .looseObject({
    userId: id,
    email: z.string(),
    displayName: z.string(),
    roles: z.array(
      z.object({ role: z.enum(ROLES), scopeId: z.int().nonnegative(), scopeName: z.string() }),
    ),
  })
  .meta({ id: 'Person' });

export const invitation = z
  .looseObject({
    id,
    email: z.string(),
    role: z.enum(ROLES),
    scopeId: z.int().nonnegative(),
    language: z.string(),
    expiresAt: timestamp,
    acceptedAt: nullableTimestamp,
  })
  .meta({ id: 'Invitation' });

export const mailMessage = z
  .looseObject({
    id,
    to: z.string(),
    subject: z.string(),
    language: z.string(),
    template: z.string(),
    status: z.string(),
    attempts: z.int().nonnegative(),
    createdAt: timestamp,
    sentAt: nullableTimestamp,
    text: z.string(),
    html: z.string().nullable(),
  })
  .meta({ id: 'MailMessage' });

export const outboxPage = z
  .looseObject({
    items: z.array(mailMessage),
    page: z.int().positive(),
    pageSize: z.int().positive(),
    pages: z.int().positive(),
    total: z.int().nonnegative(),
  })
  .meta({ id: 'OutboxPage' });

export const certificateRequest = z
  .looseObject({
    id,
    organisationId: id,
    departmentId: id,
    status: z.string(),
    subject: z.string(),
    names: z.array(z.string()),
    keyType: z.string(),
    validityDays: z.int().positive(),
    csrPem: z.string(),
    createdAt: timestamp,
    version: z.int(),
    actions: z.array(z.string()).meta({ description: 'actions open to you now' }),
  })
  .meta({ id: 'CertificateRequest' });

export const csrCheck = z
  .looseObject({ errors: z.array(z.unknown()), warnings: z.array(z.unknown()) })
  .meta({ id: 'CsrCheck' });

export const product = z
  .looseObject({
    id,
    code: z.string(),
    name: z.string(),
    kind: z.string(),
    caProductId: z.int().nullable(),
    maxNames: z.int().positive(),
    wildcardsAllowed: z.boolean(),
    validityTerms: z.array(z.int().positive()),
    active: z.boolean(),
    version: z.int(),
  })
  .meta({ id: 'Product' });

export const certificate = z
  .looseObject({
    id,
    state: z.enum(CERTIFICATE_STATES),
    mainName: z.string(),
    nameCount: z.int().nonnegative(),
    serial: z.string(),
    issuer: z.string(),
    subject: z.string(),
    keyType: z.string(),
    keyBits: z.int().positive().nullable(),
    signatureAlgorithm: z.string(),
    notBefore: timestamp,
    notAfter: timestamp,
    fingerprintSha256: z.string().regex(/^[0-9a-f]{64}$/),
    spkiSha256: z.string().regex(/^[0-9a-f]{64}$/),
    source: z.enum(['ordered', 'imported']),
    requestId: id.nullable(),
    replacesId: id.nullable(),
    nrenId: id,
    organisationId: id,
    departmentId: id,
    revocationReason: z.string().nullable(),
    revokedAt: nullableTimestamp,
    createdAt: timestamp,
    version: z.int(),
  })
  .meta({ id: 'Certificate' });

export const certificateDetail = certificate
  .extend({
    names: z.array(z.string()),
    organisation: z.looseObject({ id, name: z.string() }),
    department: z.looseObject({ id, name: z.string() }),
    replacedBy: z.array(id),
    downloads: z.object({
      pem: z.string(),
      chain: z.string(),
      fullchain: z.string(),
      p7b: z.string(),
      der: z.string(),
    }),
  })
  .meta({ id: 'CertificateDetail' });

export const certificatePage = z
  .looseObject({
    items: z.array(certificate),
    next: z.string().nullable().meta({ description: 'cursor of the next page' }),
    prev: z.string().nullable().meta({ description: 'cursor of the previous page' }),
    total: z.int().nonnegative(),
    totalCapped: z.boolean().meta({ description: 'total counted up to a cap, not exactly' }),
    place: z.string().nullable(),
  })
  .meta({ id: 'CertificatePage' });

// One answer per certificate of every file imported (certificate-import.ts).
export const certificateImport = z
  .looseObject({
    imported: z.int().nonnegative(),
    items: z.array(
      z.looseObject({
        file: z.string(),
        index: z.int().nonnegative(),
        outcome: z.enum(['imported', 'duplicate', 'refused']),
        certificateId: id.optional(),
        fingerprintSha256: z.string().optional(),
        mainName: z.string().optional(),
        notAfter: timestamp.optional(),
        code: z.string().optional(),
        message: z.string().optional().meta({ description: 'why it was refused, in words' }),
      }),
    ),
  })
  .meta({ id: 'CertificateImport' });

export const reminderLog = z
  .looseObject({
    items: z.array(
      z.looseObject({
        thresholdDays: z.int(),
        recipient: z.string(),
        outcome: z.enum(['sent', 'skipped']),
        mailId: id.nullable(),
        at: timestamp,
      }),
    ),
  })
  .meta({ id: 'ReminderLog' });

export const reminderSettings = z
  .looseObject({
    muted: z.boolean(),
    mutedAt: nullableTimestamp,
    extraAddresses: z.array(z.string()),
  })
  .meta({ id: 'ReminderSettings' });

export const revocation = z
  .looseObject({
    id,
    state: z.enum(CERTIFICATE_STATES),
    revocationReason: z.enum(REVOCATION_REASONS).nullable(),
    revokedAt: nullableTimestamp,
  })
  .meta({ id: 'Revocation' });

export const renewal = z
  .looseObject({
    id,
    status: z.enum(REQUEST_STATUSES),
    version: z.int(),
    replacesCertificateId: id.nullable(),
    replacesHow: z.enum(['renew', 'replace']).nullable(),
  })
  .meta({ id: 'Renewal' });

export const selfApproval = z
  .looseObject({ id, selfApprovalAllowed: z.boolean(), version: z.int() })
  .meta({ id: 'SelfApproval' });

export const autoApproval = z
  .looseObject({ id, autoApprove: z.boolean(), version: z.int() })
  .meta({ id: 'AutoApproval' });

export const bulkApproval = z
  .looseObject({
    results: z.array(
      z.discriminatedUnion('ok', [
        z.looseObject({ id, ok: z.literal(true), status: z.enum(REQUEST_STATUSES) }),
        z.looseObject({
          id,
          ok: z.literal(false),
          code: z.string(),
          params: z.record(z.string(), z.union([z.string(), z.number()])),
        }),
      ]),
    ),
  })
  .meta({ id: 'BulkApproval' });

const userLabel = z.looseObject({ id, label: z.string() });
export const substitution = z
  .looseObject({
    id,
    absent: userLabel,
    substitute: userLabel,
    startsAt: timestamp,
    endsAt: timestamp,
  })
  .meta({ id: 'Substitution' });

export const substitutions = z
  .looseObject({ items: z.array(substitution) })
  .meta({ id: 'Substitutions' });

// An order whose outcome at the CA is unknown, with what is known (unsettledView).
export const unsettledOrder = z
  .looseObject({
    requestId: id,
    version: z.int(),
    status: z.enum(REQUEST_STATUSES),
    names: z.array(z.string()),
    organisation: z.looseObject({ id, name: z.string() }),
    requester: z.string().meta({ description: 'e-mail address' }),
    waitingSince: timestamp,
    order: z.looseObject({
      foreignOrderNumber: z.string(),
      state: z.enum(ORDER_STATES),
      attempts: z.int().nonnegative(),
      firstQueuedAt: timestamp,
      lastAttemptAt: nullableTimestamp,
      lastOutcome: z
        .looseObject({
          key: z.string(),
          params: z.record(z.string(), z.union([z.string(), z.number()])),
          caCode: z.int().nullable().optional(),
          message: z.string(),
        })
        .nullable(),
    }),
  })
  .meta({ id: 'UnsettledOrder' });

export const unsettledOrders = z
  .looseObject({ items: z.array(unsettledOrder) })
  .meta({ id: 'UnsettledOrders' });

export const reconciled = z
  .looseObject({ requestId: id, status: z.enum(REQUEST_STATUSES), version: z.int() })
  .meta({ id: 'Reconciled' });
