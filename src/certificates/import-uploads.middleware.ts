import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { DomainError } from '../common/errors.js';
import { isTooLarge, readMultipart } from '../common/multipart.js';
import { MAX_IMPORT_FILES } from './certificate-import.js';

// Certificate files are small; a CSV of 5,000 host names is about 1.3 MB at the very most.
export const MAX_IMPORT_FILE_BYTES = 2 * 1024 * 1024;

// The import page's certificate files and CSV of servers (see readMultipart).
@Injectable()
export class ImportUploadsMiddleware implements NestMiddleware {
  private readonly parse = multer({
    storage: multer.memoryStorage(),
    limits: {
      fileSize: MAX_IMPORT_FILE_BYTES,
      files: MAX_IMPORT_FILES + 1,
      fields: 10,
      fieldSize: MAX_IMPORT_FILE_BYTES,
    },
  }).fields([
    { name: 'files', maxCount: MAX_IMPORT_FILES },
    { name: 'hostsFile', maxCount: 1 },
  ]);

  use(req: Request, res: Response, next: NextFunction): Promise<void> {
    return readMultipart(
      this.parse,
      (err) =>
        isTooLarge(err)
          ? new DomainError('too-large', 'import_file_too_large', {
              max: MAX_IMPORT_FILE_BYTES / 1024,
            })
          : err instanceof multer.MulterError && err.code === 'LIMIT_FILE_COUNT'
            ? new DomainError('invalid', 'import_too_many_files', { max: MAX_IMPORT_FILES })
            : new DomainError('invalid', 'import_upload_invalid'),
      req,
      res,
      next,
    );
  }
}
