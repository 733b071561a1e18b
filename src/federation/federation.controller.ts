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
import { can } from '../access/access.js';
import { hashToken } from '../accounts/accounts.service.js';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { NotFound } from '../common/errors.js';
import { CsrfExempt, Public } from '../common/public.decorator.js';
import { actorOf } from '../common/request.js';
import { appConfig } from '../config/app.config.js';
import { Transactions } from '../database/transactions.js';
import { Nren } from '../nrens/nren.entity.js';
import { Invitation } from '../people/invitation.entity.js';
import { InvitationInvalid } from '../people/people.service.js';
import { regenerateSession, safeNext, saveSession } from '../sessions/session-helpers.js';
import { FederationLoginsService } from './federation-logins.service.js';
import {
  FederatedLoginDisabled,
  FederatedLoginRefused,
  IdentityProviderUnknown,
} from './federation.errors.js';
import { FederationService } from './federation.service.js';
import { SamlIdpsService } from './saml/saml-idps.service.js';
import { SamlService } from './saml/saml.service.js';

// Marks the browser that started a sign-in (see FederationLogin.browserHash).
export const LOGIN_COOKIE = 'ra.fedlogin';
// The institution chosen last time, offered first on the discovery page.
export const IDP_COOKIE = 'ra.idp';

// CSP form-action also governs where a form's response may redirect: the choice posts here
// and is redirected to the IdP, so this page lists the SSO origins it offers.
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
    private readonly idps: SamlIdpsService,
    private readonly logins: FederationLoginsService,
    private readonly federation: FederationService,
    private readonly tx: Transactions,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>,
  ) {}

  private requireSaml(): void {
    if (!this.saml.enabled) {
      throw new FederatedLoginDisabled();
    }
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
    this.requireSaml();
    const text = typeof q === 'string' ? q.slice(0, 100) : '';
    const { entries, more } = await this.idps.search(text);
    const nameIn = (e: { names: Record<string, string>; name: string }) =>
      e.names[req.lang] ?? e.name;
    const lastId: unknown = (req.cookies as Record<string, unknown>)?.[IDP_COOKIE];
    const last = typeof lastId === 'string' && lastId ? await this.idps.find(lastId) : null;
    allowFormRedirects(
      res,
      [...entries, ...(last ? [last] : [])].map((e) => e.ssoUrl),
    );
    res.render('federation/discovery', {
      q: text,
      next: safeNext(next),
      intent: req.session?.federationIntent?.intent,
      last: last ? { entityId: last.entityId, name: nameIn(last) } : null,
      entries: entries.map((e) => ({ entityId: e.entityId, name: nameIn(e) })),
      more,
      none: !entries.length,
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
    const wanted = req.session.federationIntent;
    delete req.session.federationIntent;
    let intent: 'login' | 'link' | 'invitation' = 'login';
    let ref: number | null = null;
    if (wanted?.intent === 'link' && req.principal?.userId === wanted.ref) {
      intent = 'link';
      ref = wanted.ref;
    } else if (wanted?.intent === 'invitation') {
      intent = 'invitation';
      ref = wanted.ref;
    }
    const started = await this.logins.start('saml', idp.entityId, intent, ref, safeNext(body.next));
    const secure = this.app.secureCookies;
    res.cookie(LOGIN_COOKIE, `${started.id}.${started.browserSecret}`, {
      httpOnly: true,
      sameSite: 'lax',
      secure,
      maxAge: 15 * 60_000,
    });
    res.cookie(IDP_COOKIE, idp.entityId, {
      httpOnly: true,
      sameSite: 'lax',
      secure,
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
    const cookie: unknown = (req.cookies as Record<string, unknown>)?.[LOGIN_COOKIE];
    const [cookieId, secret] = typeof cookie === 'string' ? cookie.split('.') : [];
    res.clearCookie(LOGIN_COOKIE);
    try {
      if (typeof id !== 'string' || cookieId !== id) {
        throw new FederatedLoginRefused('finished in another browser than it started');
      }
      const { login, identity } = await this.logins.complete(id, secret);
      const user = await this.federation.finish(login, identity, req.principal, req.ip);
      await regenerateSession(req);
      req.session.userId = user.id;
      req.session.loginAt = this.clock.now().getTime();
      if (login.intent === 'link') {
        req.session.flash = { kind: 'info', key: 'federation.identities.linked' };
      } else if (login.intent === 'invitation') {
        req.session.flash = { kind: 'info', key: 'people.accept.done' };
      }
      await saveSession(req);
      res.redirect(303, login.intent === 'link' ? '/account/identities' : safeNext(login.nextPath));
    } catch (err) {
      await this.refused(req, err);
      throw err;
    }
  }

  // Refusals go to the log and the audit trail (like failed password logins), with the
  // reason an operator needs to sort out a misconfigured IdP.
  private async refused(req: Request, err: unknown): Promise<void> {
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
      saml: this.saml.enabled,
    });
  }

  @Post('account/identities/link')
  async link(@Req() req: Request, @Res() res: Response): Promise<void> {
    this.requireSaml();
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
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.requireSaml();
    const token = typeof body.token === 'string' ? body.token : '';
    const invitation = token
      ? await this.tx.manager.findOneBy(Invitation, { tokenHash: hashToken(token) })
      : null;
    if (!invitation) {
      throw new InvitationInvalid('unknown');
    }
    if (invitation.acceptedAt) {
      throw new InvitationInvalid('used');
    }
    if (invitation.expiresAt <= this.clock.now()) {
      throw new InvitationInvalid('expired');
    }
    req.session.federationIntent = { intent: 'invitation', ref: invitation.id };
    await saveSession(req);
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
