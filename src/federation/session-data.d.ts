import 'express-session';

declare module 'express-session' {
  interface SessionData {
    // What the next federated sign-in started from this session is for.
    federationIntent?: { intent: 'link' | 'invitation'; ref: number };
  }
}
