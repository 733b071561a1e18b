import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { DomainError } from '../common/errors.js';
import { MAX_CSR_BYTES } from '../csr/csr-parser.js';

// Multipart forms are read before the guards run, so that their CSRF token is checked like
// any other form's. Files stay in memory and are refused outright above 64 KiB.
@Injectable()
export class UploadsMiddleware implements NestMiddleware {
  private readonly parse = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_CSR_BYTES, files: 2, fields: 30, fieldSize: 2 * MAX_CSR_BYTES },
  }).fields([
    { name: 'csrFile', maxCount: 1 },
    { name: 'evidenceFile', maxCount: 1 },
  ]);

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.parse(req, res, (err: unknown) => {
        if (!err) {
          resolve();
        } else if (
          err instanceof multer.MulterError &&
          (err.code === 'LIMIT_FILE_SIZE' || err.code === 'LIMIT_FIELD_VALUE')
        ) {
          reject(new DomainError('too-large', 'upload_too_large', { max: MAX_CSR_BYTES / 1024 }));
        } else {
          reject(new DomainError('invalid', 'upload_invalid'));
        }
      });
    });
    next();
  }
}
