import fc from 'fast-check';
import { buildCsr, keyFor, toPem } from '../../test/fixtures/csr/csr-builder.js';
import { parseCsr } from './csr-parser.js';
import { evaluateCsr, type PolicyContext } from './csr-policy.js';
import { CsrParseError, FINDING_CODES, PARSE_ERROR_CODES } from './csr.errors.js';

// Whatever bytes arrive, parse + evaluate ends in a Verdict or a coded CsrParseError: no
// other exception, no hang. The runs below add up to 100,000 inputs.
const RUNS = {
  rsaBitFlips: 25_000,
  ecBitFlips: 20_000,
  truncations: 10_000,
  randomBytes: 15_000,
  giantLengths: 20_000,
  pemArmour: 10_000,
};
const TOTAL = Object.values(RUNS).reduce((a, b) => a + b, 0);

const CONTEXT: PolicyContext = {
  now: new Date('2026-05-01T00:00:00Z'),
  product: { code: 'ov', kind: 'tls', maxNames: 10, wildcardsAllowed: true, maxValidityDays: 398 },
  extraNames: ['extra.example.org'],
  domains: [
    {
      name: 'example.org',
      validated: true,
      validationExpiresAt: new Date('2026-09-01T00:00:00Z'),
      delegatedToDepartment: true,
      wildcardsAllowed: true,
    },
    {
      name: '93.184.216.34',
      validated: true,
      validationExpiresAt: null,
      delegatedToDepartment: true,
      wildcardsAllowed: false,
    },
  ],
  debianWeak: (hex) => hex.startsWith('DEADBEEF'),
  keyHistory: { compromised: false, usedByOtherOrganisation: false, usedInSameOrganisation: false },
};

const parseCodes = new Set<string>(PARSE_ERROR_CODES);
const findingCodes = new Set<string>(FINDING_CODES);
let slowest = 0;
const outcomes = { verdicts: 0, parseErrors: 0 };

// Throws (failing the property) on anything but the two allowed outcomes.
function check(input: string | Uint8Array): boolean {
  const started = performance.now();
  try {
    const verdict = evaluateCsr(parseCsr(input), CONTEXT);
    const findings = [...verdict.errors, ...verdict.warnings];
    if (
      typeof verdict.ok !== 'boolean' ||
      verdict.ok !== (verdict.errors.length === 0) ||
      !findings.every((f) => findingCodes.has(f.code)) ||
      !Number.isInteger(verdict.validityDays) ||
      !Array.isArray(verdict.names)
    ) {
      throw new Error(`bad verdict ${JSON.stringify(verdict.errors)}`);
    }
    outcomes.verdicts++;
  } catch (err) {
    if (!(err instanceof CsrParseError) || !parseCodes.has(err.code)) {
      throw err;
    }
    outcomes.parseErrors++;
  } finally {
    slowest = Math.max(slowest, performance.now() - started);
  }
  return true;
}

function flipBits(der: Uint8Array, positions: number[]): Uint8Array {
  const out = Uint8Array.from(der);
  for (const p of positions) {
    const bit = p % (out.length * 8);
    out[bit >> 3] ^= 1 << (bit & 7);
  }
  return out;
}

// Length octets that lie: huge long forms, too many octets, indefinite, or small random.
const lengthOctets = fc.oneof(
  fc.constant([0x84, 0xff, 0xff, 0xff, 0xff]),
  fc.constant([0x88, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
  fc.constant([0x80]),
  fc
    .tuple(fc.integer({ min: 0x81, max: 0xff }), fc.uint8Array({ maxLength: 8 }))
    .map(([b, r]) => [b, ...r]),
  fc.integer({ min: 0, max: 0x7f }).map((n) => [n]),
);

function encode(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Uint8Array.from([tag, ...len, ...body]);
}

const derTree = fc.letrec<{ node: Uint8Array }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 6 },
    fc
      .tuple(fc.integer({ min: 0, max: 255 }), lengthOctets, fc.uint8Array({ maxLength: 24 }))
      .map(([tag, len, body]) => Uint8Array.from([tag, ...len, ...body])),
    fc
      .tuple(
        fc.constantFrom(0x02, 0x03, 0x04, 0x06, 0x0c, 0x13, 0x16, 0x1e, 0x82, 0x87),
        fc.uint8Array({ maxLength: 24 }),
      )
      .map(([tag, body]) => encode(tag, body)),
    fc
      .tuple(fc.constantFrom(0x30, 0x31, 0xa0, 0xa4), fc.array(tie('node'), { maxLength: 4 }))
      .map(([tag, kids]) => encode(tag, Buffer.concat(kids))),
  ),
}));

// A request-shaped skeleton around random subtrees, so the lies reach the inner parsers.
const requestShaped = fc
  .tuple(derTree.node, derTree.node, derTree.node, derTree.node, derTree.node)
  .map(([subject, spki, attrs, alg, sig]) =>
    encode(
      0x30,
      Buffer.concat([
        encode(0x30, Buffer.concat([Uint8Array.of(2, 1, 0), subject, spki, attrs])),
        alg,
        sig,
      ]),
    ),
  );

describe(`fuzzing parse + evaluate (${TOTAL.toLocaleString('en')} inputs in total)`, () => {
  let rsaDer: Uint8Array;
  let ecDer: Uint8Array;
  let p384Der: Uint8Array;
  beforeAll(async () => {
    const san = [
      { type: 'dns' as const, value: 'www.example.org' },
      { type: 'ip' as const, value: '93.184.216.34' },
    ];
    const subject: [string, string][] = [
      ['O', 'Example'],
      ['CN', 'www.example.org'],
    ];
    rsaDer = buildCsr({ key: await keyFor({ type: 'rsa', bits: 2048 }), subject, san });
    ecDer = buildCsr({ key: await keyFor({ type: 'ec', curve: 'P-256' }), subject, san });
    p384Der = buildCsr({ key: await keyFor({ type: 'ec', curve: 'P-384' }), subject, san });
    expect(evaluateCsr(parseCsr(rsaDer), CONTEXT).errors).toEqual([]);
  });

  it('adds up to 100,000 runs', () => {
    expect(TOTAL).toBe(100_000);
  });

  it(`survives ${RUNS.rsaBitFlips} bit flips of an RSA-2048 request`, () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), (bits) =>
        check(flipBits(rsaDer, bits)),
      ),
      { numRuns: RUNS.rsaBitFlips },
    );
  }, 120_000);

  it(`survives ${RUNS.ecBitFlips} bit flips of a P-256 request`, () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), (bits) =>
        check(flipBits(ecDer, bits)),
      ),
      { numRuns: RUNS.ecBitFlips },
    );
  }, 120_000);

  it(`survives ${RUNS.truncations} truncations and splices`, () => {
    fc.assert(
      fc.property(
        fc.constantFrom('rsa', 'ec', 'p384'),
        fc.nat(),
        fc.uint8Array({ maxLength: 16 }),
        fc.boolean(),
        (which, cut, tail, asPem) => {
          const der = which === 'rsa' ? rsaDer : which === 'ec' ? ecDer : p384Der;
          const bytes = Buffer.concat([der.subarray(0, cut % (der.length + 1)), tail]);
          return check(asPem ? toPem(bytes) : bytes);
        },
      ),
      { numRuns: RUNS.truncations },
    );
  }, 120_000);

  it(`survives ${RUNS.randomBytes} random byte strings`, () => {
    fc.assert(
      fc.property(fc.boolean(), fc.uint8Array({ maxLength: 3000 }), (sequence, bytes) => {
        if (sequence && bytes.length > 0) {
          bytes[0] = 0x30;
        }
        return check(bytes);
      }),
      { numRuns: RUNS.randomBytes },
    );
  }, 120_000);

  it(`survives ${RUNS.giantLengths} random DER trees with lying length fields`, () => {
    fc.assert(
      fc.property(fc.oneof(derTree.node, requestShaped), (der) => check(der)),
      { numRuns: RUNS.giantLengths },
    );
  }, 120_000);

  it(`survives ${RUNS.pemArmour} random PEM armours`, () => {
    const label = fc.oneof(
      fc.constantFrom(
        'CERTIFICATE REQUEST',
        'NEW CERTIFICATE REQUEST',
        'CERTIFICATE',
        'PRIVATE KEY',
      ),
      fc.string({ maxLength: 20 }),
    );
    const body = fc.oneof(
      fc
        .array(fc.nat(), { maxLength: 3 })
        .map((bits) => Buffer.from(flipBits(ecDer, bits)).toString('base64')),
      fc.base64String({ maxLength: 400 }),
      fc.string({ maxLength: 200 }),
    );
    fc.assert(
      fc.property(
        fc.string({ maxLength: 30 }),
        label,
        body,
        label,
        fc.string({ maxLength: 30 }),
        fc.constantFrom('\n', '\r\n', ' ', ''),
        fc.nat({ max: 76 }),
        fc.nat({ max: 2 }),
        (before, begin, b64, end, after, eol, width, copies) => {
          const wrapped =
            width > 0 ? (b64.match(new RegExp(`.{1,${width}}`, 'g')) ?? []).join(eol) : b64;
          const block = `-----BEGIN ${begin}-----${eol}${wrapped}${eol}-----END ${end}-----`;
          return check(before + block.repeat(copies + 1) + after);
        },
      ),
      { numRuns: RUNS.pemArmour },
    );
  }, 120_000);

  it('never took long over one input, and reached both outcomes', () => {
    expect(slowest).toBeLessThan(2000);
    expect(outcomes.verdicts + outcomes.parseErrors).toBe(TOTAL);
    expect(outcomes.verdicts).toBeGreaterThan(1000);
    expect(outcomes.parseErrors).toBeGreaterThan(1000);
  });
});
