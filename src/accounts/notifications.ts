import type { EntityManager } from 'typeorm';
import { NotificationOptOut } from './notification-opt-out.entity.js';

// The e-mails a person may choose not to receive, by mail template name, and those they
// always get: reminders that their own certificates expire (a lapsed certificate breaks a
// service). Revocation notices will be mandatory too when they are sent.
export const NOTIFICATION_KINDS = [
  'approval-digest',
  'request-approved',
  'request-rejected',
  'request-expired',
  'request-issued',
  'request-failed',
  'expiry-reminder',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const MANDATORY_NOTIFICATIONS: ReadonlySet<NotificationKind> = new Set(['expiry-reminder']);

export function isNotificationKind(kind: unknown): kind is NotificationKind {
  return (NOTIFICATION_KINDS as readonly unknown[]).includes(kind);
}

// Asked by each sender, in its own transaction, before it queues the mail.
export async function wantsNotification(
  em: EntityManager,
  userId: number,
  kind: string,
): Promise<boolean> {
  if (!isNotificationKind(kind) || MANDATORY_NOTIFICATIONS.has(kind)) {
    return true;
  }
  return !(await em.existsBy(NotificationOptOut, { userId, kind }));
}

export async function notificationChoices(
  em: EntityManager,
  userId: number,
): Promise<{ kind: NotificationKind; on: boolean; mandatory: boolean }[]> {
  const off = new Set((await em.findBy(NotificationOptOut, { userId })).map((o) => o.kind));
  return NOTIFICATION_KINDS.map((kind) => ({
    kind,
    mandatory: MANDATORY_NOTIFICATIONS.has(kind),
    on: MANDATORY_NOTIFICATIONS.has(kind) || !off.has(kind),
  }));
}
