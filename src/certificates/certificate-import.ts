import { Inject, Injectable } from '@nestjs/common';
import * as x509 from '@peculiar/x509';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Brackets } from 'typeorm';
import { can, scopeOf } from '../access/access.js';
import { placeOfDepartment } from '../access/places.js';
import type { Principal } from '../accounts/principal.js';
import type { Actor } from '../audit/audit.service.js';
import { DomainError, NotFound } from '../common/errors.js';
import { field, parseInput } from '../common/input.js';
import { Transactions } from '../database/transactions.js';
import { Department } from '../organisations/department.entity.js';
import { importConfig, type ImportConfig } from '../config/import.config.js';
import { Certificate } from './certificate.entity.js';
import { CertificatesService } from './certificates.service.js';
import { derFromPem } from './formats.js';
import { parseHostsCsv, type HostRow } from './hosts-csv.js';
import { PresentedCertificates } from './presented-certificates.js';

export const MAX_IMPORT_FILES = 50;
export const MAX_IMPORT_CERTIFICATES = 500;
const MAX_FILE_CHARS = 2_000_000;
// A CSV of host names: 5,000 rows of the longest names still fit.
const MAX_HOSTS_CHARS = 1_300_000;

// Files, or a CSV of servers whose certificates are fetched: one of the two per upload.
export const importInput = z
  .object({
    departmentId: field.id(),
    files: z
      .array(
        z.object({
          name: field.text(200),
          // PEM text (one certificate or a bundle), or DER in base64.
          content: z
            .string({ error: 'invalid' })
            .min(1, 'required')
            .max(MAX_FILE_CHARS, 'too_long'),
        }),
      )
      .min(1, 'required')
      .max(MAX_IMPORT_FILES, 'too_many')
      .optional(),
    // CSV text: `host[,port]` a line, an optional header, port 443 by default.
    hosts: z.string({ error: 'invalid' }).max(MAX_HOSTS_CHARS, 'too_long').optional(),
  })
  .superRefine((v, ctx) => {
    const hosts = v.hosts !== undefined && v.hosts.trim() !== '';
    if (v.files === undefined && !hosts) {
      ctx.addIssue({ code: 'custom', message: 'import_nothing', path: ['files'] });
    } else if (v.files !== undefined && hosts) {
      ctx.addIssue({ code: 'custom', message: 'import_one_kind', path: ['hosts'] });
    }
  });

export interface ImportItem {
  // Files: the file's name and the certificate's position in it, from 1 (0: it held none).
  file?: string;
  index?: number;
  // Host names: the CSV line, the server as written and where it was reached.
  line?: number;
  host?: string;
  port?: number;
  address?: string;
  // For a refused server, what happened, in English (the code says it in every language).
  detail?: string;
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
    private readonly presented: PresentedCertificates,
    @Inject(importConfig.KEY) private readonly config: ImportConfig,
  ) {}

  get maxHosts(): number {
    return this.config.maxHosts;
  }

  // The departments a person may import into: those of the organisations they look after.
  async departmentsFor(p: Principal): Promise<Department[]> {
    return this.departmentsQuery(p).orderBy('o.name').addOrderBy('d.name').take(500).getMany();
  }

  // Whether there is any (list pages offer the import then): one indexed probe, not the list.
  mayImport(p: Principal): Promise<boolean> {
    return this.departmentsQuery(p).getExists();
  }

  private departmentsQuery(p: Principal) {
    const s = scopeOf(p);
    const qb = this.tx.manager
      .createQueryBuilder(Department, 'd')
      .innerJoinAndSelect('d.organisation', 'o');
    if (!s.platform) {
      qb.where(
        new Brackets((w) => {
          w.where('o.id IN (:...orgs)', { orgs: [0, ...s.raoOrganisations] }).orWhere(
            'o.nren_id IN (:...nrens)',
            { nrens: [0, ...s.nrens] },
          );
        }),
      );
    }
    return qb;
  }

  async import(p: Principal, input: unknown, actor: Actor): Promise<ImportItem[]> {
    const { departmentId, files, hosts } = parseInput(importInput, input);
    await this.department(p, departmentId);
    if (files === undefined) {
      return this.importHosts(parseHostsCsv(hosts ?? ''), departmentId, actor);
    }
    return this.importFiles(files, departmentId, actor);
  }

  private async department(p: Principal, departmentId: number): Promise<void> {
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
  }

  // Each server in turn, a few at once; every row gets an answer, in the order of the file.
  private async importHosts(
    rows: HostRow[],
    departmentId: number,
    actor: Actor,
  ): Promise<ImportItem[]> {
    if (rows.length === 0) {
      throw new DomainError('invalid', 'import_no_hosts');
    }
    if (rows.length > this.config.maxHosts) {
      throw new DomainError('invalid', 'import_too_many_hosts', { max: this.config.maxHosts });
    }
    const items: ImportItem[] = new Array<ImportItem>(rows.length);
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const i = next++;
        items[i] = await this.host(rows[i], departmentId, actor);
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.config.concurrency, rows.length) }, worker),
    );
    return items;
  }

  private async host(row: HostRow, departmentId: number, actor: Actor): Promise<ImportItem> {
    const where = { line: row.line, host: row.text, port: row.port };
    if (row.problem) {
      return { ...where, outcome: 'refused', code: row.problem };
    }
    const got = await this.presented.presented(row.host, row.port);
    if (!got.ok) {
      return {
        ...where,
        ...(got.address && { address: got.address }),
        outcome: 'refused',
        code: got.code,
        detail: got.detail,
      };
    }
    const [leaf, ...chain] = got.certificates;
    const item = await this.one('', 1, leaf, false, chain, departmentId, actor);
    const { file: _file, index: _index, ...rest } = item;
    return { ...where, address: got.address, ...rest };
  }

  private async importFiles(
    files: Array<{ name: string; content: string }>,
    departmentId: number,
    actor: Actor,
  ): Promise<ImportItem[]> {
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
