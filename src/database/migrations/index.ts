import { Foundation1795000000000 as MysqlFoundation } from './mysql/1795000000000-foundation.js';
import { Foundation1795000000000 as SqliteFoundation } from './sqlite/1795000000000-foundation.js';
import { Mail1795000001000 as MysqlMail } from './mysql/1795000001000-mail.js';
import { Mail1795000001000 as SqliteMail } from './sqlite/1795000001000-mail.js';
import { Organisations1795000002000 as MysqlOrganisations } from './mysql/1795000002000-organisations.js';
import { Organisations1795000002000 as SqliteOrganisations } from './sqlite/1795000002000-organisations.js';
import { Requests1795000003000 as MysqlRequests } from './mysql/1795000003000-requests.js';
import { Requests1795000003000 as SqliteRequests } from './sqlite/1795000003000-requests.js';
import { DomainLocks1795000030000 as MysqlDomainLocks } from './mysql/1795000030000-domain-locks.js';
import { DomainLocks1795000030000 as SqliteDomainLocks } from './sqlite/1795000030000-domain-locks.js';
import { AuditKeyed1795000031000 as MysqlAuditKeyed } from './mysql/1795000031000-audit-keyed.js';
import { AuditKeyed1795000031000 as SqliteAuditKeyed } from './sqlite/1795000031000-audit-keyed.js';
import { MailSecrets1795000032000 as MysqlMailSecrets } from './mysql/1795000032000-mail-secrets.js';
import { MailSecrets1795000032000 as SqliteMailSecrets } from './sqlite/1795000032000-mail-secrets.js';
import { Certificates1795000045000 as MysqlCertificates } from './mysql/1795000045000-certificates.js';
import { Certificates1795000045000 as SqliteCertificates } from './sqlite/1795000045000-certificates.js';
import { Federation1795000060000 as MysqlFederation } from './mysql/1795000060000-federation.js';
import { Federation1795000060000 as SqliteFederation } from './sqlite/1795000060000-federation.js';
import { CaOrders1795000080000 as MysqlCaOrders } from './mysql/1795000080000-ca-orders.js';
import { CaOrders1795000080000 as SqliteCaOrders } from './sqlite/1795000080000-ca-orders.js';
import { SubmissionKey1795000110000 as MysqlSubmissionKey } from './mysql/1795000110000-submission-key.js';
import { SubmissionKey1795000110000 as SqliteSubmissionKey } from './sqlite/1795000110000-submission-key.js';
import { PasswordResets1795000051000 as MysqlPasswordResets } from './mysql/1795000051000-password-resets.js';
import { PasswordResets1795000051000 as SqlitePasswordResets } from './sqlite/1795000051000-password-resets.js';
import { ExpiryReminders1795000100000 as MysqlExpiryReminders } from './mysql/1795000100000-expiry-reminders.js';
import { ExpiryReminders1795000100000 as SqliteExpiryReminders } from './sqlite/1795000100000-expiry-reminders.js';
import { Approvals1795000090000 as MysqlApprovals } from './mysql/1795000090000-approvals.js';
import { Approvals1795000090000 as SqliteApprovals } from './sqlite/1795000090000-approvals.js';
import { ApprovalDigests1795000091000 as MysqlApprovalDigests } from './mysql/1795000091000-approval-digests.js';
import { ApprovalDigests1795000091000 as SqliteApprovalDigests } from './sqlite/1795000091000-approval-digests.js';
import { SecondFactor1795000120000 as MysqlSecondFactor } from './mysql/1795000120000-second-factor.js';
import { SecondFactor1795000120000 as SqliteSecondFactor } from './sqlite/1795000120000-second-factor.js';
import { RevocationRequests1795000160000 as MysqlRevocationRequests } from './mysql/1795000160000-revocation-requests.js';
import { RevocationRequests1795000160000 as SqliteRevocationRequests } from './sqlite/1795000160000-revocation-requests.js';
import { InvitationWithdrawn1795000161000 as MysqlInvitationWithdrawn } from './mysql/1795000161000-invitation-withdrawn.js';
import { InvitationWithdrawn1795000161000 as SqliteInvitationWithdrawn } from './sqlite/1795000161000-invitation-withdrawn.js';

// Generated SQL differs per dialect, so each has its own list. Never edit a merged one.
export const MYSQL_MIGRATIONS = [
  MysqlFoundation,
  MysqlMail,
  MysqlOrganisations,
  MysqlRequests,
  MysqlDomainLocks,
  MysqlAuditKeyed,
  MysqlMailSecrets,
  MysqlCertificates,
  MysqlFederation,
  MysqlCaOrders,
  MysqlSubmissionKey,
  MysqlPasswordResets,
  MysqlExpiryReminders,
  MysqlApprovals,
  MysqlApprovalDigests,
  MysqlSecondFactor,
  MysqlRevocationRequests,
  MysqlInvitationWithdrawn,
];
export const SQLITE_MIGRATIONS = [
  SqliteFoundation,
  SqliteMail,
  SqliteOrganisations,
  SqliteRequests,
  SqliteDomainLocks,
  SqliteAuditKeyed,
  SqliteMailSecrets,
  SqliteCertificates,
  SqliteFederation,
  SqliteCaOrders,
  SqliteSubmissionKey,
  SqlitePasswordResets,
  SqliteExpiryReminders,
  SqliteApprovals,
  SqliteApprovalDigests,
  SqliteSecondFactor,
  SqliteRevocationRequests,
  SqliteInvitationWithdrawn,
];
