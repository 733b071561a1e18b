import { ApiToken } from '../accounts/api-token.entity.js';
import { LoginThrottle } from '../accounts/login-throttle.entity.js';
import { RoleGrant } from '../accounts/role-grant.entity.js';
import { User } from '../accounts/user.entity.js';
import { RecoveryCode, SecondFactor } from '../accounts/second-factor.entity.js';
import { NotificationOptOut } from '../accounts/notification-opt-out.entity.js';
import { RequestApproval } from '../requests/request-approval.entity.js';
import { Substitution } from '../requests/substitution.entity.js';
import { ApprovalDigest } from '../approvals/approval-digest.entity.js';
import { RevocationRequest } from '../certificates/revocation-request.entity.js';
import { AuditEvent, AuditHead } from '../audit/audit-event.entity.js';
import { DomainDelegation } from '../domains/domain-delegation.entity.js';
import { Domain } from '../domains/domain.entity.js';
import { DomainLock } from '../domains/domain-lock.entity.js';
import { MailMessage } from '../mail/mail-message.entity.js';
import { Nren } from '../nrens/nren.entity.js';
import { Department } from '../organisations/department.entity.js';
import { Organisation } from '../organisations/organisation.entity.js';
import { Invitation } from '../people/invitation.entity.js';
import { CertificateFile } from '../certificates/certificate-file.entity.js';
import { CertificateName } from '../certificates/certificate-name.entity.js';
import { Certificate } from '../certificates/certificate.entity.js';
import { CaOrder } from '../orders/ca-order.entity.js';
import {
  CertificateReminderSettings,
  ExpiryReminder,
  ExpiryReminderCursor,
  ExpiryReminderPolicy,
} from '../expiry/expiry-reminder.entity.js';
import { PasswordReset } from '../people/password-reset.entity.js';
import { BlockedKey } from '../keys/blocked-key.entity.js';
import { Product } from '../products/product.entity.js';
import { CertificateRequest } from '../requests/certificate-request.entity.js';
import { SessionRecord } from '../sessions/session.entity.js';
import { FederatedIdentity } from '../federation/federated-identity.entity.js';
import { FederationLogin } from '../federation/federation-login.entity.js';
import { NrenLoginPolicy } from '../federation/nren-login-policy.entity.js';
import { FederationFeed } from '../federation/saml/federation-feed.entity.js';
import { SamlIdp } from '../federation/saml/saml-idp.entity.js';

// Listed, not globbed: the same list serves the app, the CLI and the schema-drift test.
export const ENTITIES = [
  User,
  RoleGrant,
  ApiToken,
  LoginThrottle,
  PasswordReset,
  SessionRecord,
  AuditEvent,
  AuditHead,
  MailMessage,
  Nren,
  Organisation,
  Department,
  Domain,
  DomainDelegation,
  DomainLock,
  Invitation,
  Product,
  CertificateRequest,
  BlockedKey,
  Certificate,
  CertificateName,
  CertificateFile,
  FederationLogin,
  FederatedIdentity,
  SamlIdp,
  FederationFeed,
  NrenLoginPolicy,
  CaOrder,
  ExpiryReminder,
  ExpiryReminderCursor,
  ExpiryReminderPolicy,
  CertificateReminderSettings,
  RequestApproval,
  Substitution,
  ApprovalDigest,
  RevocationRequest,
  SecondFactor,
  RecoveryCode,
  NotificationOptOut,
];
