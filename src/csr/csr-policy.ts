import type { ParsedCsr } from './csr-parser.js';
import type { Finding } from './csr.errors.js';
import { checkKey, checkSignature, curveBits } from './key-rules.js';
import { checkNames } from './name-rules.js';
import { FindingSink, type PolicyContext } from './policy-context.js';
import { checkValidity } from './validity.js';

export type {
  CodeSigningContext,
  HardwareProtectionMethod,
  KeyHistory,
  OrganisationDomain,
  PolicyContext,
  ProductKind,
  ProductPolicy,
} from './policy-context.js';
export { maxValidityDays } from './validity.js';

// What the request page shows before submission.
export interface CsrSummary {
  subject: string;
  commonNames: string[];
  names: string[];
  keyType: string;
  // RSA: exact modulus bits; EC: the curve's size
  keyBits: number | null;
  curve: string | null;
  signatureAlgorithm: string;
  spkiSha256: string;
  csrSha256: string;
}

export interface Verdict {
  ok: boolean;
  errors: Finding[];
  warnings: Finding[];
  names: string[];
  validityDays: number;
  summary: CsrSummary;
}

// Pure and synchronous: everything the rules need is in the request and the context, so
// the same inputs give the same verdict, findings in a fixed order (signature, key, names
// in request order, validity, code-signing).
export function evaluateCsr(csr: ParsedCsr, ctx: PolicyContext): Verdict {
  const sink = new FindingSink();
  checkSignature(csr, sink);
  checkKey(csr, ctx, sink);
  const names = checkNames(csr, ctx, sink);
  const validityDays = checkValidity(ctx, sink);
  if (ctx.product.kind === 'code-signing') {
    checkCodeSigning(ctx, sink);
  }
  return {
    ok: sink.errors.length === 0,
    errors: sink.errors,
    warnings: sink.warnings,
    names,
    validityDays,
    summary: summarise(csr, names),
  };
}

// CSBR 6.2.7.4: the key lives in a hardware module, and the CA verifies that by one of the
// listed methods; the RA records which, and keeps the evidence when policy asks for it.
export function checkCodeSigning(ctx: Pick<PolicyContext, 'codeSigning'>, sink: FindingSink): void {
  const cs = ctx.codeSigning;
  if (!cs?.hardwareMethod) {
    sink.error('CODE_SIGNING_METHOD_MISSING', 'codeSigning');
  }
  if (cs?.evidenceRequired && !cs.hasEvidence) {
    sink.error('CODE_SIGNING_EVIDENCE_MISSING', 'codeSigning', {
      method: cs.hardwareMethod ?? '',
    });
  }
}

function summarise(csr: ParsedCsr, names: string[]): CsrSummary {
  const key = csr.publicKey;
  return {
    subject: csr.subject.map((a) => `${a.type}=${a.value}`).join(', '),
    commonNames: csr.commonNames,
    names,
    keyType: key.kind === 'ec' ? 'ECDSA' : key.algorithmName,
    keyBits: key.kind === 'rsa' ? key.modulusBits : key.kind === 'ec' ? curveBits(key.curve) : null,
    curve: key.kind === 'ec' ? key.curve : null,
    signatureAlgorithm: csr.signatureAlgorithmName,
    spkiSha256: key.spkiSha256,
    csrSha256: csr.sha256,
  };
}
