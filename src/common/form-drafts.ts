import type { NextFunction, Request, Response } from 'express';
import { isApiRequest } from './request.js';
import { LANGUAGES } from '../i18n/languages.js';

// A form shown again after a failed post lives at the address it was posted to, which only
// takes posts. Switching language there, or reloading it with a GET, must neither end on an
// error page nor lose what was typed: the form's own page is named by its hidden `_page`
// field, the language links point there, and what was typed is kept in the session as a
// draft that this page's next GET fills back in.

export interface FormDraft {
  page: string;
  // Where the page keeps the form's values: `values`, or a sub-form such as `departmentForm`.
  key: string | null;
  values: Record<string, string | string[]>;
}

// Passwords and secrets never go into the session; nor do very long values (a CSR fits).
const NOT_KEPT = /password|secret|^_csrf$|^evidenceData$|^submissionKey$/i;
const MAX_KEPT_VALUE = 16 * 1024;

export function safePagePath(value: unknown): string | null {
  return typeof value === 'string' && /^\/(?![/\\])[\w\-./~%]*$/.test(value) && value.length <= 300
    ? value
    : null;
}

function keptValues(body: Record<string, unknown>): FormDraft['values'] {
  const out: FormDraft['values'] = {};
  for (const [k, v] of Object.entries(body)) {
    if (NOT_KEPT.test(k)) {
      continue;
    }
    if (typeof v === 'string' && v.length <= MAX_KEPT_VALUE) {
      out[k] = v;
    } else if (Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length < 256)) {
      out[k] = v as string[];
    }
  }
  return out;
}

// Always a path on this site: `GET //evil.example/x` (or a posted `_page` of that shape) must
// not make links to evil.example.
function languageHref(page: string, query: URLSearchParams, code: string): string {
  const q = new URLSearchParams(query);
  q.delete('lang');
  q.set('lang', code);
  return `/${page.replace(/^[/\\]+/, '')}?${q.toString()}`;
}

type RenderArgs = [view: string, options?: object, callback?: (err: Error, html: string) => void];

export function formDrafts() {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (isApiRequest(req) || !req.session) {
      next();
      return;
    }
    if (req.method === 'POST' && req.session.formDraft) {
      // A post that succeeds leaves nothing to fill in on the page it redirects to.
      delete req.session.formDraft;
    }
    const render: (...args: RenderArgs) => void = res.render.bind(res);
    const wrapped = (view: string, options?: object, callback?: RenderArgs[2]): void => {
      const model = { ...(options as Record<string, unknown> | undefined) };
      if (req.method === 'POST') {
        rememberDraft(req, res, model);
      } else if (req.method === 'GET') {
        restoreDraft(req, model);
      }
      render(view, model, callback);
    };
    res.render = wrapped;
    next();
  };
}

function rememberDraft(req: Request, res: Response, model: Record<string, unknown>): void {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const page = safePagePath(body._page);
  if (!page) {
    return;
  }
  const key =
    Object.entries(model).find(
      ([, v]) => v && typeof v === 'object' && 'values' in v && 'problems' in v,
    )?.[0] ?? null;
  req.session.formDraft = { page, key, values: keptValues(body) };
  const query = new URLSearchParams();
  res.locals.languageLinks = LANGUAGES.map((code) => ({
    code,
    href: languageHref(page, query, code),
    current: code === req.lang,
  }));
}

function restoreDraft(req: Request, model: Record<string, unknown>): void {
  const draft = req.session.formDraft;
  if (!draft) {
    return;
  }
  delete req.session.formDraft;
  if (draft.page !== req.originalUrl.split('?')[0]) {
    return;
  }
  if (draft.key) {
    const sub = (model[draft.key] as Record<string, unknown> | undefined) ?? {};
    model[draft.key] = { ...sub, values: { ...(sub.values as object), ...draft.values } };
  } else {
    model.values = { ...(model.values as object), ...draft.values };
  }
}

// The language links of every page: the same address with ?lang=, other parameters kept.
export function languageLinks(req: Request) {
  const [path, search] = req.originalUrl.split('?');
  const query = new URLSearchParams(search ?? '');
  return LANGUAGES.map((code) => ({
    code,
    href: languageHref(path ?? '/', query, code),
    current: code === req.lang,
  }));
}

export interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
  match(path: string): boolean;
}

// A GET of an address that only takes posts (a reload, a language link, a bookmark) goes to
// the page the form lives on: the draft's page when there is one, else the nearest address
// above it that answers GETs.
export function postOnlyRedirect(routes: () => RouteLayer[]) {
  // Nest mounts middleware bound to routes as catch-all routes (`/{*path}`): not pages.
  const matching = (path: string, method: string) =>
    routes().filter(
      (l) => l.route?.methods[method] && !l.route.path.includes('{*') && l.match(path),
    );
  const answers = (path: string, method: string) => matching(path, method).length > 0;
  // /requests/check is a post-only address even though GET /requests/:id matches it too.
  const postOnly = (path: string) =>
    matching(path, 'post').some((l) => l.route?.path === path) &&
    matching(path, 'get').every((l) => l.route?.path.includes(':'));
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' || isApiRequest(req)) {
      next();
      return;
    }
    const path = req.path;
    if (!postOnly(path) && (answers(path, 'get') || !answers(path, 'post'))) {
      next();
      return;
    }
    const lang =
      typeof req.query.lang === 'string' ? `?lang=${encodeURIComponent(req.query.lang)}` : '';
    const draft = req.session?.formDraft;
    if (draft && safePagePath(draft.page)) {
      res.redirect(303, draft.page + lang);
      return;
    }
    let up = path.replace(/\/+$/, '');
    while (up.includes('/')) {
      up = up.slice(0, up.lastIndexOf('/'));
      if (answers(up || '/', 'get') && !postOnly(up)) {
        break;
      }
    }
    res.redirect(303, (up || '/') + lang);
  };
}
