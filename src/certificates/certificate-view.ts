import type { Certificate, CertificateState } from './certificate.entity.js';
import type { CertificateDetail } from './certificates.service.js';

// What the JSON API shows of a certificate: never the stored bytes (those are downloads).
export function certificateJson(c: Certificate & { effectiveState: CertificateState }) {
  return {
    id: c.id,
    state: c.effectiveState,
    mainName: c.mainName,
    nameCount: c.nameCount,
    serial: c.serial,
    issuer: c.issuer,
    subject: c.subject,
    keyType: c.keyType,
    keyBits: c.keyBits,
    signatureAlgorithm: c.signatureAlgorithm,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    fingerprintSha256: c.fingerprintSha256,
    spkiSha256: c.spkiSha256,
    source: c.source,
    requestId: c.requestId,
    replacesId: c.replacesId,
    nrenId: c.nrenId,
    organisationId: c.organisationId,
    departmentId: c.departmentId,
    revocationReason: c.revocationReason,
    revokedAt: c.revokedAt ? c.revokedAt.toISOString() : null,
    createdAt: c.createdAt.toISOString(),
    version: c.version,
  };
}

export function certificateDetailJson(d: CertificateDetail) {
  return {
    ...certificateJson(d.certificate),
    names: d.names,
    organisation: { id: d.organisation.id, name: d.organisation.name },
    department: { id: d.department.id, name: d.department.name },
    replacedBy: d.replacedBy.map((c) => c.id),
    downloads: Object.fromEntries(
      (['pem', 'chain', 'fullchain', 'p7b', 'der'] as const).map((f) => [
        f,
        `/api/v1/certificates/${d.certificate.id}/${f}`,
      ]),
    ),
  };
}
