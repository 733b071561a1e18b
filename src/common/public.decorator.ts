import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'ra:public';
// Reachable without logging in (login page, health check).
export const Public = () => SetMetadata(IS_PUBLIC, true);
