import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'ra:public';
// Reachable without logging in (login page, health check).
export const Public = () => SetMetadata(IS_PUBLIC, true);

export const CSRF_EXEMPT = 'ra:csrf-exempt';
// Posted to from another site by design (an IdP posting to the SAML ACS), so no form token
// can be there; the handler must prove the request's authenticity itself.
export const CsrfExempt = () => SetMetadata(CSRF_EXEMPT, true);
