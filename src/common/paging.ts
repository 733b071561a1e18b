import { Brackets, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';

// Lists are always paged; the page size is fixed per list, never taken from the client.
export interface PageRequest {
  page: number;
  size: number;
  q: string;
}

export interface Page<T> {
  items: T[];
  page: number;
  pages: number;
  total: number;
  q: string;
  prev: number | null;
  next: number | null;
}

export function pageRequest(query: { page?: unknown; q?: unknown }, size = 25): PageRequest {
  const n = Number(query.page);
  return {
    page: Number.isInteger(n) && n > 0 && n < 1e6 ? n : 1,
    size,
    q: typeof query.q === 'string' ? query.q.trim().slice(0, 100) : '',
  };
}

export function toPage<T>(items: T[], total: number, req: PageRequest): Page<T> {
  const pages = Math.max(1, Math.ceil(total / req.size));
  return {
    items,
    total,
    page: req.page,
    pages,
    q: req.q,
    prev: req.page > 1 ? req.page - 1 : null,
    next: req.page < pages ? req.page + 1 : null,
  };
}

// LIKE pattern for a search term, with the wildcards in it taken literally. The escape
// character is named in the query (`ESCAPE '!'`): SQLite has no default one, and MySQL's
// default backslash would need different quoting on each dialect.
export function likePattern(q: string): string {
  return `%${q.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

// `column LIKE :param ESCAPE '!'`, for a parameter made by likePattern.
export function likeMatch(column: string, param = 'q'): string {
  return `${column} LIKE :${param} ESCAPE '!'`;
}

// What a list may show: rows whose column holds one of the ids, for any of the pairs given
// (an NREN administrator's NRENs, an RAO's organisations…); null for everything.
export type Within = [column: string, ids: Iterable<number>][] | null;

// One page of a list: restricted to what the person may see, searched by one column, and
// counted, in one place so that every list pages and searches alike.
export async function pagedQuery<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  req: PageRequest,
  options: { within: Within; search?: string },
): Promise<Page<T>> {
  const { within, search } = options;
  if (within) {
    qb.andWhere(
      new Brackets((w) => {
        within.forEach(([column, ids], i) => {
          // 0 is never an id: it keeps IN () valid when the set is empty.
          const condition = `${column} IN (:...within${i})`;
          const params = { [`within${i}`]: [0, ...ids] };
          if (i === 0) {
            w.where(condition, params);
          } else {
            w.orWhere(condition, params);
          }
        });
      }),
    );
  }
  if (req.q && search) {
    qb.andWhere(likeMatch(search), { q: likePattern(req.q) });
  }
  const [items, total] = await qb
    .skip((req.page - 1) * req.size)
    .take(req.size)
    .getManyAndCount();
  return toPage(items, total, req);
}
