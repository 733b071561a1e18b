import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import * as client from 'openid-client';
import { Clock } from '../../common/clock.js';
import { federationConfig } from '../../config/federation.config.js';
import { FederatedLoginRefused, FederationUnavailable } from '../federation.errors.js';
import type { LoginIntent } from '../federation-login.entity.js';
import {
  FederationLoginsService,
  type StartedLogin,
  type VerifiedIdentity,
} from '../federation-logins.service.js';

// The library's messages down the cause chain, with the claim or OAuth error they name.
function reasonOf(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    parts.push(e.message);
    const { error } = e as { error?: unknown };
    const cause: unknown = e.cause;
    if (typeof error === 'string') {
      parts.push(`error ${error}`);
    }
    if (cause && typeof cause === 'object' && !(cause instanceof Error)) {
      const { claim } = cause as { claim?: unknown };
      if (typeof claim === 'string') {
        parts.push(`claim ${claim}`);
      }
    }
    e = cause;
  }
  return parts.join('; ') || 'token request failed';
}

// An OpenID Connect provider (for federations that offer one): authorization code flow with
// PKCE (S256), state, nonce; openid-client checks the ID token's signature (the provider's
// JWKS), issuer, audience, expiry and nonce.
@Injectable()
export class OidcService {
  private server: client.ServerMetadata | null = null;

  constructor(
    @Inject(federationConfig.KEY) private readonly cfg: ConfigType<typeof federationConfig>,
    private readonly logins: FederationLoginsService,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.cfg.oidc !== null;
  }

  get displayName(): string {
    return this.cfg.oidc?.displayName ?? '';
  }

  // Discovery once, then a Configuration per use: its clock skew follows the RA's clock,
  // so ID token times are judged against the same now as everything else.
  private async configuration(): Promise<client.Configuration> {
    const oidc = this.cfg.oidc!;
    const execute = oidc.allowHttp ? [client.allowInsecureRequests] : [];
    if (!this.server) {
      try {
        const found = await client.discovery(
          new URL(oidc.issuer),
          oidc.clientId,
          oidc.clientSecret,
          undefined,
          { execute },
        );
        this.server = found.serverMetadata();
      } catch (err) {
        throw new FederationUnavailable(
          `OpenID provider discovery failed: ${err instanceof Error ? err.message : 'unknown'}`,
        );
      }
    }
    const config = new client.Configuration(this.server, oidc.clientId, {
      client_secret: oidc.clientSecret,
      [client.clockSkew]: Math.round((this.clock.now().getTime() - Date.now()) / 1000),
    });
    for (const extra of execute) {
      extra(config);
    }
    // By default an ID token from the token endpoint is trusted on the strength of TLS; the
    // RA checks its signature against the provider's JWKS as well.
    client.enableNonRepudiationChecks(config);
    return config;
  }

  // Where the browser is sent to log in (the discovery page allows its form to redirect
  // there): the provider's authorization endpoint, or its issuer while discovery fails.
  async authorizationUrl(): Promise<string> {
    try {
      const endpoint = (await this.configuration()).serverMetadata().authorization_endpoint;
      return endpoint ?? this.cfg.oidc!.issuer;
    } catch {
      return this.cfg.oidc!.issuer;
    }
  }

  async start(
    intent: LoginIntent,
    ref: number | null,
    next: string,
  ): Promise<{ started: StartedLogin; url: string }> {
    const oidc = this.cfg.oidc!;
    const config = await this.configuration();
    const pkceVerifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const started = await this.logins.start('oidc', oidc.issuer, intent, ref, next, {
      pkceVerifier,
      nonce,
    });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: oidc.redirectUri,
      scope: oidc.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(pkceVerifier),
      code_challenge_method: 'S256',
      state: started.id,
      nonce,
    });
    return { started, url: url.href };
  }

  // The provider sends the browser back with a code. It must be the browser that started
  // (checked before the code is redeemed); the answer is taken once.
  async acceptCallback(query: URLSearchParams, browserSecret: string | undefined): Promise<string> {
    const oidc = this.cfg.oidc!;
    const state = query.get('state') ?? '';
    const login = await this.logins.pending(state, 'oidc');
    this.logins.assertSameBrowser(login, browserSecret);
    if (query.get('error')) {
      throw new FederatedLoginRefused(`provider returned ${query.get('error')?.slice(0, 100)}`);
    }
    const config = await this.configuration();
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(
        config,
        new URL(`${oidc.redirectUri}?${query.toString()}`),
        {
          pkceCodeVerifier: login.pkceVerifier ?? '',
          expectedNonce: login.nonce ?? '',
          expectedState: state,
          idTokenExpected: true,
        },
      );
      claims = tokens.claims();
    } catch (err) {
      throw new FederatedLoginRefused(reasonOf(err));
    }
    if (!claims?.sub) {
      throw new FederatedLoginRefused('no subject in the ID token');
    }
    const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
    const email = claims.email_verified === false ? null : str(claims.email)?.toLowerCase();
    const name =
      str(claims.name) ??
      ([str(claims.given_name), str(claims.family_name)].filter(Boolean).join(' ') || null);
    const subject = `${claims.iss}#${claims.sub}`;
    if (subject.length > 512) {
      throw new FederatedLoginRefused('subject too long');
    }
    const identity: VerifiedIdentity = {
      protocol: 'oidc',
      provider: claims.iss,
      subject,
      email: email && email.length <= 254 ? email : null,
      displayName: name ? name.slice(0, 200) : null,
      entitlements: Array.isArray(claims.eduperson_entitlement)
        ? claims.eduperson_entitlement.filter((e): e is string => typeof e === 'string')
        : [],
    };
    await this.logins.answer(login.id, identity);
    return login.id;
  }
}
