import type { NextFunction, Request, RequestHandler, Response } from 'express';
import multer from 'multer';
import type { DomainError } from './errors.js';

// Multipart forms are read by middleware, before the guards run, so that their CSRF token is
// checked like any other form's. Files stay in memory; multer's refusals (a file too large,
// too many) become the form's own coded errors.
export async function readMultipart(
  parse: RequestHandler,
  refusal: (err: unknown) => DomainError,
  req: Request,
  res: Response,
  next: NextFunction,
): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    parse(req, res, (err: unknown) => (err ? reject(refusal(err)) : resolve()));
  });
  next();
}

export function isTooLarge(err: unknown): boolean {
  return (
    err instanceof multer.MulterError &&
    (err.code === 'LIMIT_FILE_SIZE' || err.code === 'LIMIT_FIELD_VALUE')
  );
}
