import { Body, Controller, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ParseIdPipe } from '../common/ids.js';
import { parseInput } from '../common/input.js';
import { actorOf } from '../common/request.js';
import { revokeInput } from './orders.input.js';
import { RevocationService } from './revocation.service.js';

// The certificate page's revocation form. A refusal or an unreachable CA is shown by the
// error page in the reader's language; nothing changed then, and sending it again is safe.
@Controller('certificates')
export class CertificateActionsController {
  constructor(private readonly revocation: RevocationService) {}

  @Post(':id/revoke')
  async revoke(
    @Param('id', ParseIdPipe) target: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    await this.revocation.revoke(
      req.principal!,
      actorOf(req),
      target,
      parseInput(revokeInput, body),
    );
    req.session.flash = { kind: 'info', key: 'orders.revoke.done' };
    res.redirect(303, `/certificates/${target}`);
  }
}
