// The help-center evaluation set seeded into a company (tests/fixtures/help): published articles by key, for the
// db, function and e2e tests and bench/bot.ts.
import { ARTICLES } from '../fixtures/help/articles.ts';

type Db = { query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };

/** Stores every evaluation article as published in the company; returns key → id and id → key. */
export async function seedHelpCenter(db: Db, companyId: string): Promise<{ idOf: Map<string, string>; keyOf: Map<string, string> }> {
  const idOf = new Map<string, string>();
  const keyOf = new Map<string, string>();
  for (const a of ARTICLES) {
    const { rows } = await db.query(
      'insert into public.help_articles (company_id, title, body, locale, category, published) values ($1, $2, $3, $4, $5, true) returning id',
      [companyId, a.title, a.body, a.locale, a.category],
    );
    idOf.set(a.key, String(rows[0]!.id));
    keyOf.set(String(rows[0]!.id), a.key);
  }
  return { idOf, keyOf };
}
