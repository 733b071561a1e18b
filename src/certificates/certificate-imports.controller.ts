import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { NotFound } from '../common/errors.js';
import { formFailure } from '../common/forms.js';
import { actorOf } from '../common/request.js';
import { I18nService } from '../i18n/i18n.service.js';
import { CertificateImports, MAX_IMPORT_FILES, type ImportItem } from './certificate-import.js';

type UploadedFile = { originalname: string; buffer: Buffer };
type Uploads = { files?: UploadedFile[]; hostsFile?: UploadedFile[] } | undefined;

// A PEM file as its text; anything else (DER) in base64, as the API takes it.
function contentOf(file: UploadedFile): string {
  const text = file.buffer.toString('latin1');
  return text.includes('-----BEGIN')
    ? file.buffer.toString('utf8')
    : file.buffer.toString('base64');
}

// What the page's form sends, as the API's input: the chosen files, or a CSV of servers (a
// file, else the text box).
export function importFromForm(body: Record<string, unknown>, uploads: Uploads): object {
  const files = (uploads?.files ?? []).filter((f) => f.buffer.length > 0 || f.originalname);
  const hostsFile = uploads?.hostsFile?.[0];
  const typed = typeof body.hosts === 'string' ? body.hosts : '';
  const hosts =
    hostsFile && hostsFile.buffer.length > 0 ? hostsFile.buffer.toString('utf8') : typed;
  return {
    departmentId: body.departmentId,
    ...(files.length > 0
      ? { files: files.map((f) => ({ name: f.originalname || 'upload', content: contentOf(f) })) }
      : {}),
    ...(hosts.trim() !== '' ? { hosts } : {}),
  };
}

// The import page: certificate files or a CSV of host names into a department, and a page
// listing what became of each.
@Controller('certificates/import')
export class CertificateImportsController {
  constructor(
    private readonly imports: CertificateImports,
    private readonly i18n: I18nService,
  ) {}

  @Get()
  async form(@Req() req: Request, @Res() res: Response) {
    res.render('certificates/import', await this.model(req, {}));
  }

  @Post()
  @HttpCode(200)
  async submit(@Body() body: Record<string, unknown>, @Req() req: Request, @Res() res: Response) {
    let items: ImportItem[];
    try {
      items = await this.imports.import(
        req.principal!,
        importFromForm(body, req.files as Uploads),
        actorOf(req),
      );
    } catch (err) {
      const failure = formFailure(err, req, this.i18n);
      const values = { departmentId: body.departmentId, hosts: body.hosts, _page: body._page };
      res.status(failure.status).render('certificates/import', {
        ...(await this.model(req, values)),
        problems: failure.problems,
        formError: failure.formError,
      });
      return;
    }
    const lang = req.lang;
    const day = new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' });
    res.render('certificates/import-result', {
      title: this.i18n.t(lang, 'certificates.import.resultTitle'),
      imported: items.filter((i) => i.outcome === 'imported').length,
      duplicates: items.filter((i) => i.outcome === 'duplicate').length,
      refused: items.filter((i) => i.outcome === 'refused').length,
      items: items.map((i) => ({
        ...i,
        what:
          i.host !== undefined
            ? this.i18n.t(lang, 'certificates.import.line', { line: i.line, host: i.host })
            : i.index
              ? this.i18n.t(lang, 'certificates.import.inFile', { file: i.file, index: i.index })
              : i.file,
        notAfter: i.notAfter ? day.format(i.notAfter) : undefined,
        reason: i.code ? this.i18n.t(lang, `errors.${i.code}`) : undefined,
      })),
    });
  }

  private async model(req: Request, values: Record<string, unknown>) {
    const departments = await this.imports.departmentsFor(req.principal!);
    if (departments.length === 0) {
      throw new NotFound('department');
    }
    return {
      title: this.i18n.t(req.lang, 'certificates.import.title'),
      departments,
      values,
      maxFiles: MAX_IMPORT_FILES,
      maxHosts: this.imports.maxHosts,
    };
  }
}
