import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import type { NextFunction, Request, Response } from 'express';
import { FederationController } from './federation.controller.js';
import { FederationLoginsService } from './federation-logins.service.js';
import { FederationService } from './federation.service.js';
import { OidcService } from './oidc/oidc.service.js';
import { SamlIdpsService } from './saml/saml-idps.service.js';
import { SamlService } from './saml/saml.service.js';

@Module({
  imports: [AccountsModule],
  controllers: [FederationController],
  providers: [
    FederationService,
    FederationLoginsService,
    SamlIdpsService,
    SamlService,
    OidcService,
  ],
  exports: [FederationService],
})
export class FederationModule implements NestModule {
  constructor(
    private readonly saml: SamlService,
    private readonly oidc: OidcService,
  ) {}

  // Pages (the login page, the invitation page) offer the institutional login when it is on.
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((_req: Request, res: Response, next: NextFunction) => {
        res.locals.federation = {
          saml: this.saml.enabled,
          any: this.saml.enabled || this.oidc.enabled,
        };
        next();
      })
      .forRoutes('{*path}');
  }
}
