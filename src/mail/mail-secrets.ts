import type { EntityManager } from 'typeorm';

// What a message's link token is replaced with once it no longer belongs in the queue.
export const SECRET_REMOVED = '[…]';

// Takes the secret out of the bodies of the messages that match, in one statement.
export async function forgetSecrets(
  em: EntityManager,
  where: { ids: number[] } | { secret: string } | { expiredBy: Date },
): Promise<number> {
  if ('ids' in where && where.ids.length === 0) {
    return 0;
  }
  const [condition, value] =
    'ids' in where
      ? ['id IN (:...value)', where.ids]
      : 'secret' in where
        ? ['secret = :value', where.secret]
        : ['secret_expires_at <= :value', where.expiredBy];
  const sql = `UPDATE mail_messages
    SET text_body = REPLACE(text_body, secret, :removed),
        html_body = REPLACE(html_body, secret, :removed),
        secret = NULL, secret_expires_at = NULL
    WHERE secret IS NOT NULL AND ${condition}`;
  const [query, params] = em.connection.driver.escapeQueryWithParameters(sql, {
    removed: SECRET_REMOVED,
    value,
  });
  const result: unknown = await em.query(query, params);
  // mysql2 answers { affectedRows }, better-sqlite3 through TypeORM { changes } or an array.
  const r = result as { affectedRows?: number; changes?: number };
  return r?.affectedRows ?? r?.changes ?? 0;
}
