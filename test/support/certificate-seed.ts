import { CertificatesService } from '../../src/certificates/certificates.service.js';
import type { Certificate } from '../../src/certificates/certificate.entity.js';
import { Transactions } from '../../src/database/transactions.js';
import { generateKeys, type TestPki } from './test-pki.js';
import type { TestApp } from './test-app.js';

const SEEDER = { id: null, label: 'test-seed' };

// Stores a certificate for a department through the service, as an import would.
export async function seedCertificate(
  t: TestApp,
  pki: TestPki,
  departmentId: number,
  names: string[],
  notBefore: Date,
  days = 90,
): Promise<Certificate> {
  const leafDer = await pki.issue({
    publicKey: (await generateKeys()).publicKey,
    names,
    notBefore,
    days,
  });
  return t
    .get(Transactions)
    .run((em) =>
      t
        .get(CertificatesService)
        .storeImported(em, { departmentId, leafDer, chainDer: [pki.intermediate.der] }, SEEDER),
    );
}
