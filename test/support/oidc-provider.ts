import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

// What the next ID token should get wrong (or carry), for refusal tests.
export interface TokenTweaks {
  iss?: string;
  aud?: string;
  nonce?: string;
  expiresInSeconds?: number;
  signWithUnknownKey?: boolean;
  unsigned?: boolean;
  claims?: Record<string, unknown>;
}

interface IssuedCode {
  challenge: string;
  nonce: string;
  redirectUri: string;
  used: boolean;
}

function body(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => resolve(new URLSearchParams(data)));
  });
}

// A small OpenID provider on loopback: discovery, authorization (code + PKCE S256), token
// endpoint and JWKS, with ID tokens signed by jose. It authenticates whoever `user` says.
export class TestOidcProvider {
  readonly clientId = 'tcs-ra';
  readonly clientSecret = randomBytes(16).toString('hex');
  user: Record<string, unknown> = { sub: 'u-1' };
  tweaks: TokenTweaks = {};
  // When set, /authorize shows a sign-in page (a button a browser presses) before it sends the
  // browser back with a code; otherwise it sends it back at once.
  loginPage = false;
  private issuerUrl = '';
  private server!: Server;
  private key!: CryptoKey;
  private otherKey!: CryptoKey;
  private jwk!: JWK;
  private readonly codes = new Map<string, IssuedCode>();
  private readonly pending = new Map<string, URLSearchParams>();

  constructor(private readonly now: () => Date) {}

  get issuer(): string {
    return this.issuerUrl;
  }

  static async start(now: () => Date): Promise<TestOidcProvider> {
    const op = new TestOidcProvider(now);
    const pair = await generateKeyPair('RS256', { extractable: true });
    op.key = pair.privateKey;
    op.otherKey = (await generateKeyPair('RS256')).privateKey;
    op.jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    op.server = createServer((req, res) => {
      void op.handle(req).then(
        ({ status, headers, text }) => {
          res.writeHead(status, headers);
          res.end(text);
        },
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => op.server.listen(0, '127.0.0.1', resolve));
    op.issuerUrl = `http://127.0.0.1:${(op.server.address() as AddressInfo).port}`;
    return op;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private json(status: number, value: unknown) {
    return { status, headers: { 'Content-Type': 'application/json' }, text: JSON.stringify(value) };
  }

  private async handle(
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; text: string }> {
    const url = new URL(req.url ?? '/', this.issuerUrl);
    switch (url.pathname) {
      case '/.well-known/openid-configuration':
        return this.json(200, {
          issuer: this.issuerUrl,
          authorization_endpoint: `${this.issuerUrl}/authorize`,
          token_endpoint: `${this.issuerUrl}/token`,
          jwks_uri: `${this.issuerUrl}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        });
      case '/jwks':
        return this.json(200, { keys: [this.jwk] });
      case '/authorize':
        return this.authorize(url.searchParams);
      case '/authorize/sign-in': {
        const q = this.pending.get((await body(req)).get('ticket') ?? '');
        return q ? this.issueCode(q) : this.json(400, { error: 'invalid_request' });
      }
      case '/token':
        return this.token(req, await body(req));
      default:
        return this.json(404, { error: 'not_found' });
    }
  }

  private authorize(q: URLSearchParams) {
    if (
      q.get('client_id') !== this.clientId ||
      q.get('response_type') !== 'code' ||
      q.get('code_challenge_method') !== 'S256' ||
      !q.get('code_challenge') ||
      !q.get('nonce') ||
      !q.get('scope')?.split(' ').includes('openid')
    ) {
      return this.json(400, { error: 'invalid_request' });
    }
    if (this.loginPage) {
      const ticket = randomBytes(16).toString('hex');
      this.pending.set(ticket, q);
      const who = String(this.user.email ?? this.user.sub);
      return {
        status: 200,
        headers: { 'Content-Type': 'text/html; charset=utf-8' },
        text: `<!doctype html><html lang="en"><head><title>Test provider</title></head><body><h1>Test provider</h1><form method="post" action="/authorize/sign-in"><p>Signing in as ${who}</p><input type="hidden" name="ticket" value="${ticket}"><button type="submit">Sign in</button></form></body></html>`,
      };
    }
    return this.issueCode(q);
  }

  private issueCode(q: URLSearchParams) {
    const code = randomBytes(16).toString('hex');
    this.codes.set(code, {
      challenge: q.get('code_challenge')!,
      nonce: q.get('nonce')!,
      redirectUri: q.get('redirect_uri')!,
      used: false,
    });
    const back = new URL(q.get('redirect_uri')!);
    back.searchParams.set('code', code);
    back.searchParams.set('state', q.get('state') ?? '');
    return { status: 302, headers: { Location: back.href }, text: '' };
  }

  private async token(req: IncomingMessage, form: URLSearchParams) {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const [id, secret] = basic
      ? Buffer.from(basic, 'base64')
          .toString()
          .split(':')
          .map((p) => decodeURIComponent(p))
      : [form.get('client_id'), form.get('client_secret')];
    if (id !== this.clientId || secret !== this.clientSecret) {
      return this.json(401, { error: 'invalid_client' });
    }
    const issued = this.codes.get(form.get('code') ?? '');
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (
      !issued ||
      issued.used ||
      issued.redirectUri !== form.get('redirect_uri') ||
      issued.challenge !== challenge
    ) {
      return this.json(400, { error: 'invalid_grant' });
    }
    issued.used = true;
    const t = this.tweaks;
    const now = Math.floor(this.now().getTime() / 1000);
    const payload = {
      ...this.user,
      ...t.claims,
      nonce: t.nonce ?? issued.nonce,
    };
    let idToken: string;
    if (t.unsigned) {
      const enc = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
      idToken = `${enc({ alg: 'none', typ: 'JWT' })}.${enc({
        ...payload,
        iss: t.iss ?? this.issuerUrl,
        aud: t.aud ?? this.clientId,
        iat: now,
        exp: now + 300,
      })}.`;
    } else {
      idToken = await new SignJWT(payload)
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(t.iss ?? this.issuerUrl)
        .setAudience(t.aud ?? this.clientId)
        .setIssuedAt(now)
        .setExpirationTime(now + (t.expiresInSeconds ?? 300))
        .sign(t.signWithUnknownKey ? this.otherKey : this.key);
    }
    return this.json(200, {
      access_token: randomBytes(16).toString('hex'),
      token_type: 'Bearer',
      expires_in: 300,
      id_token: idToken,
    });
  }
}
