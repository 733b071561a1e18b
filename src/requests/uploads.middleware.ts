import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { DomainError } from '../common/errors.js';
import { isTooLarge, readMultipart } from '../common/multipart.js';
import { MAX_CSR_BYTES } from '../csr/csr-parser.js';

// The request form's CSR and evidence files (see readMultipart), refused above 64 KiB.
@Injectable()
export class UploadsMiddleware implements NestMiddleware {
  private readonly parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_CSR_BYTES, files: 2, fields: 30, fieldSize: 2 * MAX_CSR_BYTES },
  }).fields([
    { name: 'csrFile', maxCount: 1 },
    { name: 'evidenceFile', maxCount: 1 },
  ]);

  use(req: Request, res: Response, next: NextFunction): Promise<void> {
    return readMultipart(
      this.parse,
      (err) =>
        isTooLarge(err)
          ? new DomainError('too-large', 'upload_too_large', { max: MAX_CSR_BYTES / 1024 })
          : new DomainError('invalid', 'upload_invalid'),
      req,
      res,
      next,
    );
  }
}
