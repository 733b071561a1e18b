// Replies of the legacy API with responseFormat=1: URL-encoded text, errorCode first, some
// fields repeated (caCertificate once per CA certificate).

export class UnparseableReply extends Error {
  constructor(readonly excerpt: string) {
    super('unparseable reply');
  }
}

export class LegacyReply {
  constructor(
    readonly errorCode: number,
    private readonly fields: ReadonlyMap<string, readonly string[]>,
  ) {}

  first(name: string): string | undefined {
    return this.fields.get(name)?.[0];
  }

  all(name: string): readonly string[] {
    return this.fields.get(name) ?? [];
  }
}

const MAX_EXCERPT = 120;

export function parseLegacyReply(body: string): LegacyReply {
  const text = body.trim();
  // A reply is one line of name=value pairs; an HTML error page or a status-line reply
  // (the format without responseFormat=1) is not one we asked for.
  if (text === '' || /[\r\n<]/.test(text)) {
    throw new UnparseableReply(text.slice(0, MAX_EXCERPT));
  }
  const fields = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) {
    const list = fields.get(name);
    if (list) {
      list.push(value);
    } else {
      fields.set(name, [value]);
    }
  }
  const codes = fields.get('errorCode');
  if (codes?.length !== 1 || !/^-?\d{1,6}$/.test(codes[0])) {
    throw new UnparseableReply(text.slice(0, MAX_EXCERPT));
  }
  return new LegacyReply(Number(codes[0]), fields);
}

// Base64 from the reply; a '+' that was not percent-encoded arrives as a space.
export function decodeBase64Field(value: string): Uint8Array {
  const clean = value.replace(/ /g, '+').replace(/\s/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(clean)) {
    throw new UnparseableReply(value.slice(0, MAX_EXCERPT));
  }
  return new Uint8Array(Buffer.from(clean, 'base64'));
}
