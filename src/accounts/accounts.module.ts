import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccountController } from './account.controller.js';
import { AccountsApiController } from './accounts-api.controller.js';
import { AccountsService } from './accounts.service.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { CsrfTokens } from './csrf.js';
import { LoginThrottleService } from './login-throttle.service.js';
import { PasswordsService } from './passwords.service.js';
import { SecondFactorService } from './second-factor.service.js';
import { SecretBox } from '../common/secret-box.js';
import { RequestContextMiddleware } from './request-context.middleware.js';

@Module({
  controllers: [AuthController, AccountController, AccountsApiController],
  providers: [
    AccountsService,
    LoginThrottleService,
    PasswordsService,
    SecondFactorService,
    SecretBox,
    CsrfTokens,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AccountsService, PasswordsService, SecondFactorService],
})
export class AccountsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(RequestContextMiddleware).forRoutes('{*path}');
  }
}
