import type { Request, Response } from 'express';
import { I18nService } from '../i18n/i18n.service.js';
import { DomainError, httpStatusOf } from './errors.js';

export interface FormFailure {
  status: number;
  problems: { field: string; code: string; message: string }[];
  formError: string;
}

// Turns a validation or stale-object error into what a form page shows; anything else is
// not the form's business and is thrown on to the error filter.
export function formFailure(err: unknown, req: Request, i18n: I18nService): FormFailure {
  if (!(err instanceof DomainError) || (err.kind !== 'invalid' && err.kind !== 'conflict')) {
    throw err;
  }
  return {
    status: httpStatusOf(err.kind),
    problems: err.problems.map((p) => ({
      ...p,
      message: i18n.t(req.lang, `errors.${p.code}`, p.params),
    })),
    formError: i18n.t(req.lang, `errors.${err.code}`, err.params),
  };
}

// A failed form is shown again with what the person typed and each problem by its field.
export function renderFormFailure(
  err: unknown,
  req: Request,
  res: Response,
  i18n: I18nService,
  view: string,
  model: Record<string, unknown>,
): void {
  const failure = formFailure(err, req, i18n);
  res.status(failure.status).render(view, {
    ...model,
    values: { ...(model.values as object), ...(req.body as object) },
    problems: failure.problems,
    formError: failure.formError,
  });
}

type Flash = NonNullable<Request['session']['flash']>;

interface Saving<T> {
  save: () => Promise<T>;
  then: (saved: T) => string;
  // The message on the next page: a key (info), or one that depends on what was saved.
  flash?: string | ((saved: T) => Flash);
}

function saved<T>(req: Request, res: Response, form: Saving<T>, result: T): void {
  req.session.flash =
    typeof form.flash === 'function'
      ? form.flash(result)
      : { kind: 'info', key: form.flash ?? 'common.saved' };
  res.redirect(303, form.then(result));
}

// The usual life of a form post: save, say so on the next page, go there; or show the form
// again with the problems. `model` is only built when the form has to be shown again.
export async function submitForm<T>(
  req: Request,
  res: Response,
  i18n: I18nService,
  form: Saving<T> & {
    view: string;
    model?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  },
): Promise<void> {
  let result: T;
  try {
    result = await form.save();
  } catch (err) {
    renderFormFailure(err, req, res, i18n, form.view, (await form.model?.()) ?? {});
    return;
  }
  saved(req, res, form, result);
}

// The same for a form that is part of a page (a domain's checks, an organisation's new
// department): on failure the whole page is shown again, with the failure at the form.
export async function submitOnPage<T>(
  req: Request,
  res: Response,
  i18n: I18nService,
  form: Saving<T> & { page: (failure: FormFailure) => Promise<void> },
): Promise<void> {
  let result: T;
  try {
    result = await form.save();
  } catch (err) {
    await form.page(formFailure(err, req, i18n));
    return;
  }
  saved(req, res, form, result);
}
