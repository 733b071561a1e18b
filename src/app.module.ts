import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { ScheduleModule } from '@nestjs/schedule';
import { ApprovalsModule } from './approvals/approvals.module.js';
import { AccountsModule } from './accounts/accounts.module.js';
import { AuditModule } from './audit/audit.module.js';
import { CaModule } from './ca/ca.module.js';
import { CertificatesModule } from './certificates/certificates.module.js';
import { Clock, SystemClock } from './common/clock.js';
import { Metrics } from './common/metrics.js';
import { metricsConfig } from './config/metrics.config.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { appConfig } from './config/app.config.js';
import { auditConfig } from './config/audit.config.js';
import { caConfig } from './config/ca.config.js';
import { databaseConfig } from './config/database.config.js';
import { expiryConfig } from './config/expiry.config.js';
import { mailConfig } from './config/mail.config.js';
import { sessionConfig } from './config/session.config.js';
import { DatabaseModule } from './database/database.module.js';
import { ExpiryModule } from './expiry/expiry.module.js';
import { HealthModule } from './health/health.module.js';
import { HomeController } from './home.controller.js';
import { I18nModule } from './i18n/i18n.module.js';
import { MailModule } from './mail/mail.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { OrdersModule } from './orders/orders.module.js';
import { DomainsModule } from './domains/domains.module.js';
import { KeysModule } from './keys/keys.module.js';
import { NrensModule } from './nrens/nrens.module.js';
import { OrganisationsModule } from './organisations/organisations.module.js';
import { PagesModule } from './pages/pages.module.js';
import { PeopleModule } from './people/people.module.js';
import { ProductsModule } from './products/products.module.js';
import { RequestsModule } from './requests/requests.module.js';
import { secretsConfig } from './config/secrets.config.js';
import { federationConfig } from './config/federation.config.js';
import { FederationModule } from './federation/federation.module.js';
import { OpenApiModule } from './openapi/openapi.module.js';

@Global()
@Module({
  providers: [{ provide: Clock, useClass: SystemClock }, Metrics],
  exports: [Clock, Metrics],
})
export class ClockModule {}

// What the CLI needs too: configuration, database, audit, accounts; no HTTP, no schedules.
export const CORE_IMPORTS = [
  ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    load: [
      appConfig,
      databaseConfig,
      sessionConfig,
      mailConfig,
      secretsConfig,
      auditConfig,
      caConfig,
      federationConfig,
      expiryConfig,
      metricsConfig,
    ],
  }),
  ClockModule,
  DatabaseModule,
  I18nModule,
  AuditModule,
  SessionsModule,
  AccountsModule,
  MailModule,
];

@Module({
  imports: [
    ...CORE_IMPORTS,
    ScheduleModule.forRoot(),
    CaModule,
    HealthModule,
    // Every feature, lower ones first; each imports only the ones below it.
    NrensModule,
    OrganisationsModule,
    PeopleModule,
    DomainsModule,
    ProductsModule,
    KeysModule,
    RequestsModule,
    // Before certificates: its certificates/:id/reminders routes precede ':id/:format'.
    ExpiryModule,
    CertificatesModule,
    FederationModule,
    OpenApiModule,
    OrdersModule,
    ApprovalsModule,
    // Last: pages combining several features (and their ':id' routes after the fixed ones).
    PagesModule,
    MetricsModule,
  ],
  controllers: [HomeController],
})
export class AppModule {}
