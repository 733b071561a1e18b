import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Clock } from '../common/clock.js';
import { NotFound } from '../common/errors.js';
import { ParseIdPipe } from '../common/ids.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { CertificateImports } from './certificate-import.js';
import { certificateDetailJson, certificateJson } from './certificate-view.js';
import { filterFromQuery } from './certificate-query.js';
import { CertificatesService } from './certificates.service.js';
import { isDownloadFormat, type Download } from './formats.js';

export function sendDownload(res: Response, file: Download): void {
  res
    .status(200)
    .type(file.contentType)
    .set('Content-Disposition', `attachment; filename="${file.fileName}"`)
    .set('X-Content-Type-Options', 'nosniff')
    .send(file.body);
}

@Controller('api/v1/certificates')
export class CertificatesApiController {
  constructor(
    private readonly certificates: CertificatesService,
    private readonly clock: Clock,
    private readonly imports: CertificateImports,
    private readonly i18n: I18nService,
  ) {}

  // One answer per certificate of every file: imported, duplicate or refused (with why).
  @Post('import')
  @HttpCode(200)
  async import(@Body() body: unknown, @Req() req: Request) {
    const items = await this.imports.import(req.principal!, body, actorOf(req));
    return {
      imported: items.filter((i) => i.outcome === 'imported').length,
      items: items.map((i) => ({
        ...i,
        message: i.code ? this.i18n.t(req.lang, `errors.${i.code}`) : undefined,
      })),
    };
  }

  @Get()
  async list(@Query() query: Record<string, unknown>, @Req() req: Request) {
    const page = await this.certificates.list(
      req.principal!,
      filterFromQuery(query, this.clock.now()),
      100,
    );
    return { ...page, items: page.items.map(certificateJson) };
  }

  @Get(':id')
  async get(@Param('id', ParseIdPipe) id: number, @Req() req: Request) {
    return certificateDetailJson(await this.certificates.get(req.principal!, id));
  }

  @Get(':id/:format')
  async download(
    @Param('id', ParseIdPipe) id: number,
    @Param('format') format: string,
    @Req() req: Request,
    @Res() res: Response,
  ) {
    if (!isDownloadFormat(format)) {
      throw new NotFound('certificate');
    }
    sendDownload(res, await this.certificates.download(req.principal!, id, format));
  }
}
