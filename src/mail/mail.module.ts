import { Global, Logger, Module } from '@nestjs/common';
import { mailConfig, type MailConfig } from '../config/mail.config.js';
import { MailDispatcher } from './mail.dispatcher.js';
import { MailRenderer } from './mail-renderer.js';
import { MailService } from './mail.service.js';
import { MailTransport } from './mail-transport.js';
import { OutboxApiController } from './outbox-api.controller.js';
import { OutboxController } from './outbox.controller.js';
import { OutboxTransport } from './outbox.transport.js';
import { SmtpTransport } from './smtp.transport.js';

function transportFor(config: MailConfig): MailTransport {
  if (config.transport === 'smtp') {
    return new SmtpTransport(config.smtpUrl, config.from, config.connections);
  }
  new Logger('MailModule').log('MAIL_TRANSPORT=outbox: e-mail is kept at /admin/outbox, not sent');
  return new OutboxTransport();
}

// Global like audit: any feature may queue mail (MailService.enqueue) in its transaction.
@Global()
@Module({
  controllers: [OutboxController, OutboxApiController],
  providers: [
    { provide: MailTransport, inject: [mailConfig.KEY], useFactory: transportFor },
    MailRenderer,
    MailDispatcher,
    MailService,
  ],
  exports: [MailService, MailDispatcher],
})
export class MailModule {}
