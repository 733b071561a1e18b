import { Injectable } from '@nestjs/common';
import * as x509 from '@peculiar/x509';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { can } from '../access/access.js';
import { placeOfDepartment } from '../access/places.js';
import type { Principal } from '../accounts/principal.js';
import type { Actor } from '../audit/audit.service.js';
import { DomainError, NotFound } from '../common/errors.js';
import { field, parseInput } from '../common/input.js';
import { Transactions } from '../database/transactions.js';
import { Department } from '../organisations/department.entity.js';
import { Certificate } from './certificate.entity.js';
import { CertificatesService } from './certificates.service.js';
import { derFromPem } from './formats.js';

export const MAX_IMPORT_FILES = 50;
export const MAX_IMPORT_CERTIFICATES = 500;
const MAX_FILE_CHARS = 2_000_000;

export const importInput = z.object({
  departmentId: field.id(),
  files: z
    .array(
      z.object({
        name: field.text(200),
        // PEM text (one certificate or a bundle), or DER in base64.
        content: z.string({ error: 'invalid' }).min(1, 'required').max(MAX_FILE_CHARS, 'too_long'),
      }),
    )
    .min(1, 'required')
    .max(MAX_IMPORT_FILES, 'too_many'),
});

export interface ImportItem {
  file: string;
  // Position of the certificate in its file, from 1; 0 when the file held none.
  index: number;
  outcome: 'imported' | 'duplicate' | 'refused';
  certificateId?: number;
  fingerprintSha256?: string;
  mainName?: string;
  notAfter?: Date;
  code?: string;
}

// Certificates issued elsewhere, from PEM (one or a bundle) or DER files. Each leaf is stored
// in a transaction of its own, marked imported; CA certificates in a bundle are kept as the
// chain of the leaves beside them. Every certificate of every file gets an answer, so nothing
// is lost silently; a duplicate (same SHA-256 fingerprint) is recognised, not stored again.
@Injectable()
export class CertificateImports {
  constructor(
    private readonly tx: Transactions,
    private readonly certificates: CertificatesService,
  ) {}

  async import(p: Principal, input: unknown, actor: Actor): Promise<ImportItem[]> {
    const { departmentId, files } = parseInput(importInput, input);
    const department = await this.tx.manager.findOne(Department, {
      where: { id: departmentId },
      relations: { organisation: true },
    });
    if (!department || !can(p, 'department.view', placeOfDepartment(department))) {
      throw new NotFound('department');
    }
    if (!can(p, 'organisation.edit', placeOfDepartment(department))) {
      throw new NotFound('department');
    }
    const parsed = files.map((f) => ({ name: f.name, ders: readFile(f.content) }));
    const total = parsed.reduce((n, f) => n + (f.ders?.length ?? 0), 0);
    if (total > MAX_IMPORT_CERTIFICATES) {
      throw new DomainError('invalid', 'import_too_many', { max: MAX_IMPORT_CERTIFICATES });
    }
    const items: ImportItem[] = [];
    for (const file of parsed) {
      if (file.ders === null) {
        items.push({
          file: file.name,
          index: 0,
          outcome: 'refused',
          code: 'certificate_unreadable',
        });
        continue;
      }
      if (file.ders.length === 0) {
        items.push({
          file: file.name,
          index: 0,
          outcome: 'refused',
          code: 'import_no_certificate',
        });
        continue;
      }
      const kinds = file.ders.map((der) => ({ der, ca: isCa(der) }));
      const chain = kinds.filter((k) => k.ca === true).map((k) => k.der);
      for (const [i, k] of kinds.entries()) {
        if (k.ca === true) {
          continue;
        }
        items.push(
          await this.one(file.name, i + 1, k.der, k.ca === null, chain, departmentId, actor),
        );
      }
    }
    return items;
  }

  private async one(
    file: string,
    index: number,
    der: Uint8Array,
    unreadable: boolean,
    chain: Uint8Array[],
    departmentId: number,
    actor: Actor,
  ): Promise<ImportItem> {
    if (unreadable) {
      return { file, index, outcome: 'refused', code: 'certificate_unreadable' };
    }
    const fingerprint = createHash('sha256').update(der).digest('hex');
    const existing = await this.tx.manager.findOneBy(Certificate, {
      fingerprintSha256: fingerprint,
    });
    if (existing) {
      return {
        file,
        index,
        outcome: 'duplicate',
        code: 'certificate_duplicate',
        fingerprintSha256: fingerprint,
        mainName: existing.mainName,
      };
    }
    try {
      const stored = await this.tx.run((em) =>
        this.certificates.storeImported(em, { departmentId, leafDer: der, chainDer: chain }, actor),
      );
      return {
        file,
        index,
        outcome: 'imported',
        certificateId: stored.id,
        fingerprintSha256: stored.fingerprintSha256,
        mainName: stored.mainName,
        notAfter: stored.notAfter,
      };
    } catch (err) {
      if (err instanceof DomainError && err.code === 'certificate_exists') {
        return {
          file,
          index,
          outcome: 'duplicate',
          code: 'certificate_duplicate',
          fingerprintSha256: fingerprint,
        };
      }
      if (err instanceof DomainError && err.code === 'certificate_unreadable') {
        return { file, index, outcome: 'refused', code: 'certificate_unreadable' };
      }
      throw err;
    }
  }
}

// PEM blocks, or one DER certificate in base64; null when neither can be read.
function readFile(content: string): Uint8Array[] | null {
  try {
    if (content.includes('-----BEGIN')) {
      return derFromPem(content);
    }
    const body = content.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
      return null;
    }
    return [new Uint8Array(Buffer.from(body, 'base64'))];
  } catch {
    return null;
  }
}

// True for a CA certificate, false for a leaf, null when it cannot be read at all.
function isCa(der: Uint8Array): boolean | null {
  try {
    const cert = new x509.X509Certificate(der);
    return cert.getExtension(x509.BasicConstraintsExtension)?.ca === true;
  } catch {
    return null;
  }
}
