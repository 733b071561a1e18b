import 'express-session';

declare module 'express-session' {
  interface SessionData {
    userId?: number;
    // Epoch milliseconds of the login, for the absolute timeout.
    loginAt?: number;
    // One message shown on the next page (after a redirect), as an i18n key.
    flash?: { kind: 'info' | 'error'; key: string; params?: Record<string, string | number> };
  }
}
