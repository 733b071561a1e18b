import 'express-session';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    // Password accepted, second factor not yet: who, and where they were going.
    pendingUserId?: number;
    pendingNext?: string;
    // Epoch milliseconds of the login, for the absolute timeout.
    loginAt?: number;
    // One message shown on the next page (after a redirect), as an i18n key.
    // What was typed into a form shown again after a failed post (src/common/form-drafts.ts).
    formDraft?: import('../common/form-drafts.js').FormDraft;
    flash?: { kind: 'info' | 'error'; key: string; params?: Record<string, string | number> };
  }
}
