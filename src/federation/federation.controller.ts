import {
  Body,
  Controller,
  Get,
  Header,
  Inject,
  Logger,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { Request, Response } from 'express';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { can } from '../access/access.js';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound } from '../common/errors.js';
import { CsrfExempt, Public } from '../common/public.decorator.js';
import { actorOf } from '../common/request.js';
import { appConfig } from '../config/app.config.js';
import { sessionConfig } from '../config/session.config.js';
import { Transactions } from '../database/transactions.js';
import { Nren } from '../nrens/nren.entity.js';
import { Invitation, invitationClosed } from '../people/invitation.entity.js';
import { InvitationInvalid } from '../people/people.errors.js';
import { sha256Hex } from '../common/hash.js';
import { safeNext, saveSession, startSession } from '../sessions/session-helpers.js';
import { SecondFactorService } from '../accounts/second-factor.service.js';
import type { LoginIntent } from './federation-login.entity.js';
import {
  FederationLoginsService,
  LOGIN_VALIDITY_MS,
  type StartedLogin,
} from './federation-logins.service.js';
import { OidcService } from './oidc/oidc.service.js';
import {
  FederatedLoginDisabled,
  FederatedLoginRefused,
  FederationUnavailable,
  IdentityProviderUnknown,
} from './federation.errors.js';
import { FederationService } from './federation.service.js';
import { SamlIdpsService } from './saml/saml-idps.service.js';
import { SamlService } from './saml/saml.service.js';

// Marks the browser that started a sign-in (see FederationLogin.browserHash).
export const LOGIN_COOKIE = 'ra.fedlogin';
const INTENT_COOKIE = 'ra.fedintent';
// The institution chosen last time, offered first on the discovery page.
export const IDP_COOKIE = 'ra.idp';

// CSP form-action also governs where a form's response may redirect: the choice posts here
// and is redirected to the IdP (or the OpenID provider), so this page lists the origins it
// offers.
function allowFormRedirects(res: Response, urls: string[]): void {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp !== 'string') {
    return;
  }
  const origins = new Set<string>();
  for (const url of urls) {
    try {
      origins.add(new URL(url).origin);
    } catch {
      // Not offered as a redirect target; that IdP's login simply fails.
    }
  }
  res.setHeader(
    'Content-Security-Policy',
    csp.replace("form-action 'self'", ["form-action 'self'", ...origins].join(' ')),
  );
}

@Controller()
export class FederationController {
  private readonly log = new Logger('Federation');

  constructor(
    private readonly saml: SamlService,
    private readonly oidc: OidcService,
    private readonly idps: SamlIdpsService,
    private readonly logins: FederationLoginsService,
    private readonly federation: FederationService,
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly secondFactor: SecondFactorService,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
    @Inject(sessionConfig.KEY) private readonly sessions: ConfigType<typeof sessionConfig>,
  ) {}

  private requireSaml(): void {
    if (!this.saml.enabled) {
      throw new FederatedLoginDisabled();
    }
  }

  private requireAny(): void {
    if (!this.saml.enabled && !this.oidc.enabled) {
      throw new FederatedLoginDisabled();
    }
  }

  // What the sign-in is for: a link asked for earlier in this session, or an invitation whose
  // token was checked on the acceptance page. Anonymous visitors have no stored session, so the
  // invitation travels in a short-lived cookie signed with a key derived from SESSION_SECRET:
  // nobody can point a sign-in at an invitation whose token they never held.
  private takeIntent(req: Request, res: Response): { intent: LoginIntent; ref: number | null } {
    const wanted = req.session?.federationIntent;
    if (wanted) {
      delete req.session.federationIntent;
    }
    if (wanted?.intent === 'link' && req.principal?.userId === wanted.ref) {
      return { intent: 'link', ref: wanted.ref };
    }
    const invitationId = this.invitationIntent(req);
    if (invitationId !== null) {
      res.clearCookie(INTENT_COOKIE);
      return { intent: 'invitation', ref: invitationId };
    }
    return { intent: 'login', ref: null };
  }

  private intentSignature(invitationId: number): Buffer {
    const key = createHmac('sha256', this.sessions.secret).update('tcs-ra fed intent v1').digest();
    return createHmac('sha256', key).update(`invitation:${invitationId}`).digest();
  }

  private invitationIntent(req: Request): number | null {
    const cookie: unknown = (req.cookies as Record<string, unknown> | undefined)?.[INTENT_COOKIE];
    const m = typeof cookie === 'string' ? /^(\d{1,10})\.([\w-]{43})$/.exec(cookie) : null;
    if (!m) {
      return null;
    }
    const id = Number(m[1]);
    const given = Buffer.from(m[2], 'base64url');
    const expected = this.intentSignature(id);
    return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
  }

  private bindBrowser(res: Response, started: StartedLogin): void {
    res.cookie(LOGIN_COOKIE, `${started.id}.${started.browserSecret}`, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.app.secureCookies,
      maxAge: LOGIN_VALIDITY_MS,
    });
  }

  private browserSecret(req: Request, id: string): string | undefined {
    const cookie: unknown = (req.cookies as Record<string, unknown>)?.[LOGIN_COOKIE];
    const [cookieId, secret] = typeof cookie === 'string' ? cookie.split('.') : [];
    return cookieId === id ? secret : undefined;
  }

  @Public()
  @Get('saml/metadata')
  @Header('Content-Type', 'application/samlmetadata+xml; charset=utf-8')
  metadata(): string {
    this.requireSaml();
    return this.saml.metadataXml();
  }

  // Discovery: pick the institution by name. The filter is a plain GET form, so it works
  // without JavaScript; the last choice comes first.
  @Public()
  @Get('login/institution')
  async discovery(
    @Query('q') q: unknown,
    @Query('next') next: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.requireAny();
    const text = typeof q === 'string' ? q.slice(0, 100) : '';
    const { entries, more } = this.saml.enabled
      ? await this.idps.search(text)
      : { entries: [], more: false };
    const nameIn = (e: { names: Record<string, string>; name: string }) =>
      e.names[req.lang] ?? e.name;
    const lastId: unknown = (req.cookies as Record<string, unknown>)?.[IDP_COOKIE];
    const last =
      this.saml.enabled && typeof lastId === 'string' && lastId
        ? await this.idps.find(lastId)
        : null;
    allowFormRedirects(res, [
      ...[...entries, ...(last ? [last] : [])].map((e) => e.ssoUrl),
      ...(this.oidc.enabled ? [await this.oidc.authorizationUrl()] : []),
    ]);
    res.render('federation/discovery', {
      q: text,
      next: safeNext(next),
      intent:
        req.session?.federationIntent?.intent ??
        (this.invitationIntent(req) !== null ? 'invitation' : undefined),
      last: last ? { entityId: last.entityId, name: nameIn(last) } : null,
      entries: entries.map((e) => ({ entityId: e.entityId, name: nameIn(e) })),
      more,
      saml: this.saml.enabled,
      none: this.saml.enabled && !entries.length,
      oidc: this.oidc.enabled ? { name: this.oidc.displayName } : null,
    });
  }

  @Public()
  @Post('saml/login')
  async startSaml(
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.requireSaml();
    const idp = typeof body.idp === 'string' ? await this.idps.find(body.idp) : null;
    if (!idp) {
      throw new IdentityProviderUnknown();
    }
    const { intent, ref } = this.takeIntent(req, res);
    const started = await this.logins.start('saml', idp.entityId, intent, ref, safeNext(body.next));
    this.bindBrowser(res, started);
    res.cookie(IDP_COOKIE, idp.entityId, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.app.secureCookies,
      maxAge: 365 * 24 * 3600_000,
    });
    await saveSession(req);
    res.redirect(303, await this.saml.authorizeUrl(idp, started.id));
  }

  // The IdP posts here from its own site: no session cookie (SameSite) and no form token come
  // with it. The response's signature, InResponseTo and the browser cookie checked on the
  // way back stand in for them.
  @Public()
  @CsrfExempt()
  @Post('saml/acs')
  async acs(
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.requireSaml();
    const response = typeof body.SAMLResponse === 'string' ? body.SAMLResponse : '';
    try {
      const loginId = await this.saml.acceptResponse(response);
      res.redirect(303, `/login/federated/complete?id=${encodeURIComponent(loginId)}`);
    } catch (err) {
      await this.refused(req, err);
      throw err;
    }
  }

  @Public()
  @Get('login/federated/complete')
  async complete(
    @Query('id') id: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const secret = typeof id === 'string' ? this.browserSecret(req, id) : undefined;
    res.clearCookie(LOGIN_COOKIE);
    try {
      if (typeof id !== 'string' || !secret) {
        throw new FederatedLoginRefused('finished in another browser than it started');
      }
      const { login, identity } = await this.logins.complete(id, secret);
      const user = await this.federation.finish(login, identity, req.principal, req.ip);
      const next = login.intent === 'link' ? '/account/identities' : safeNext(login.nextPath);
      // Linking an identity while signed in keeps the second factor this session passed.
      let goTo = next;
      if (req.principal?.userId === user.id) {
        await startSession(req, user.id, this.clock.now().getTime());
      } else {
        goTo = await this.secondFactor.signIn(req, user.id, next);
      }
      if (login.intent === 'link') {
        req.session.flash = { kind: 'info', key: 'federation.identities.linked' };
      } else if (login.intent === 'invitation') {
        req.session.flash = { kind: 'info', key: 'people.accept.done' };
      }
      await saveSession(req);
      res.redirect(303, goTo);
    } catch (err) {
      await this.refused(req, err);
      throw err;
    }
  }

  @Public()
  @Post('oidc/login')
  async startOidc(
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    if (!this.oidc.enabled) {
      throw new FederatedLoginDisabled();
    }
    const { intent, ref } = this.takeIntent(req, res);
    const { started, url } = await this.oidc.start(intent, ref, safeNext(body.next));
    this.bindBrowser(res, started);
    await saveSession(req);
    res.redirect(303, url);
  }

  // The provider sends the browser back here (a top-level GET, so SameSite=Lax cookies come).
  @Public()
  @Get('oidc/callback')
  async oidcCallback(@Req() req: Request, @Res() res: Response): Promise<void> {
    if (!this.oidc.enabled) {
      throw new FederatedLoginDisabled();
    }
    const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    try {
      const loginId = await this.oidc.acceptCallback(
        query,
        this.browserSecret(req, query.get('state') ?? ''),
      );
      res.redirect(303, `/login/federated/complete?id=${encodeURIComponent(loginId)}`);
    } catch (err) {
      await this.refused(req, err);
      throw err;
    }
  }

  // Refusals go to the log and the audit trail (like failed password logins), with the
  // reason an operator needs to sort out a misconfigured IdP.
  private async refused(req: Request, err: unknown): Promise<void> {
    if (err instanceof FederationUnavailable) {
      this.log.warn(`federated login unavailable: ${err.reason}`);
    }
    if (!(err instanceof FederatedLoginRefused)) {
      return;
    }
    this.log.warn(`federated login refused: ${err.reason}`);
    await this.audit.recordNow(actorOf(req), {
      action: 'login.federated-refused',
      detail: { reason: err.reason.slice(0, 300) },
    });
  }

  @Get('account/identities')
  async identities(@Req() req: Request, @Res() res: Response): Promise<void> {
    res.render('federation/identities', {
      identities: await this.federation.listIdentities(req.principal!.userId),
      federated: this.saml.enabled || this.oidc.enabled,
    });
  }

  @Post('account/identities/link')
  async link(@Req() req: Request, @Res() res: Response): Promise<void> {
    this.requireAny();
    req.session.federationIntent = { intent: 'link', ref: req.principal!.userId };
    await saveSession(req);
    res.redirect(303, '/login/institution?next=%2Faccount%2Fidentities');
  }

  @Post('account/identities/:id/delete')
  async unlink(
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.federation.unlink(req.principal!.userId, id, actorOf(req));
    req.session.flash = { kind: 'info', key: 'federation.identities.unlinked' };
    await saveSession(req);
    res.redirect(303, '/account/identities');
  }

  // From the invitation page: accept by logging in at the institution instead of choosing a
  // password. The token is checked here and only the invitation's id travels on.
  @Public()
  @Post('invitations/accept/federated')
  async acceptWithInstitution(
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    this.requireAny();
    const token = typeof body.token === 'string' ? body.token : '';
    const invitation = token
      ? await this.tx.manager.findOneBy(Invitation, { tokenHash: sha256Hex(token) })
      : null;
    const closed = invitationClosed(invitation, this.clock.now());
    if (closed || !invitation) {
      throw new InvitationInvalid(closed ?? 'unknown');
    }
    res.cookie(
      INTENT_COOKIE,
      `${invitation.id}.${this.intentSignature(invitation.id).toString('base64url')}`,
      {
        httpOnly: true,
        sameSite: 'lax',
        secure: this.app.secureCookies,
        maxAge: LOGIN_VALIDITY_MS,
      },
    );
    res.redirect(303, '/login/institution');
  }

  @Get('nrens/:id/login-policy')
  async policyForm(
    @Param('id', ParseIntPipe) id: number,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const nren = await this.nrenFor(req, id);
    res.render('federation/nren-policy', {
      nren,
      federatedOnly: await this.federation.nrenPolicy(id),
    });
  }

  @Post('nrens/:id/login-policy')
  async setPolicy(
    @Param('id', ParseIntPipe) id: number,
    @Body() body: Record<string, unknown>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.nrenFor(req, id);
    await this.federation.setNrenPolicy(id, body.federatedOnly === 'true', actorOf(req));
    req.session.flash = { kind: 'info', key: 'federation.policy.saved' };
    await saveSession(req);
    res.redirect(303, `/nrens/${id}/login-policy`);
  }

  private async nrenFor(req: Request, id: number): Promise<Nren> {
    const nren = await this.tx.manager.findOneBy(Nren, { id });
    if (!nren || !can(req.principal!, 'nren.edit', { nrenId: id })) {
      throw new NotFound('nren');
    }
    return nren;
  }
}
