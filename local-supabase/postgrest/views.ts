// Keys and foreign keys of views, so views embed like their tables (PostgREST infers them from the view's query).
// A view column stands for a base column when the view shows that base column under its own name, unambiguously.
import type pg from 'pg';
import type { ForeignKey, SchemaCache, Table } from './schema.ts';

/** view key → (base table key, column) → the view column showing it */
type Shown = Map<string, Map<string, string>>;

async function shownColumns(pool: pg.Pool, schemas: string[], cache: Pick<SchemaCache, 'key'>): Promise<Shown> {
  const { rows } = await pool.query(
    `select u.view_schema, u.view_name, u.table_schema, u.table_name, u.column_name
       from information_schema.view_column_usage u
       join information_schema.columns c on c.table_schema = u.view_schema and c.table_name = u.view_name and c.column_name = u.column_name
      where u.view_schema = any($1)`,
    [schemas],
  );
  const byViewCol = new Map<string, { base: string; col: string }[]>();
  for (const r of rows) {
    const k = `${cache.key(r.view_schema, r.view_name)}\u0000${r.column_name}`;
    byViewCol.set(k, [...(byViewCol.get(k) ?? []), { base: cache.key(r.table_schema, r.table_name), col: r.column_name }]);
  }
  const shown: Shown = new Map();
  for (const [k, uses] of byViewCol) {
    if (uses.length !== 1) continue; // the name is used in more than one base table: not inferable
    const [view, col] = k.split('\u0000') as [string, string];
    if (!shown.has(view)) shown.set(view, new Map());
    shown.get(view)!.set(`${uses[0]!.base}\u0000${uses[0]!.col}`, col);
  }
  return shown;
}

/** Adds the views' keys to `tables` and returns the foreign keys views take from their base tables. */
export async function viewKeys(pool: pg.Pool, schemas: string[], cache: Pick<SchemaCache, 'key'>, tables: Map<string, Table>, fks: ForeignKey[]): Promise<ForeignKey[]> {
  const shown = await shownColumns(pool, schemas, cache);
  const map = (view: string, base: string, cols: string[]) => {
    const m = shown.get(view);
    const out = cols.map((c) => m?.get(`${base}\u0000${c}`));
    return out.every(Boolean) ? (out as string[]) : null;
  };
  for (const [view] of shown) {
    const v = tables.get(view);
    if (!v) continue;
    for (const [baseKey, base] of tables) {
      for (const u of base.uniques) {
        const cols = map(view, baseKey, u);
        if (cols) v.uniques.push(cols);
        if (cols && !v.pk.length && u === base.pk) v.pk = cols;
      }
    }
  }
  const extra: ForeignKey[] = [];
  const viewsOf = (schema: string, table: string, cols: string[]) => {
    const base = cache.key(schema, table);
    const out: { schema: string; table: string; cols: string[] }[] = [{ schema, table, cols }];
    for (const view of shown.keys()) {
      const t = tables.get(view);
      const mapped = t ? map(view, base, cols) : null;
      if (t && mapped) out.push({ schema: t.schema, table: t.name, cols: mapped });
    }
    return out;
  };
  for (const fk of fks) {
    for (const from of viewsOf(fk.schema, fk.table, fk.columns)) {
      for (const to of viewsOf(fk.refSchema, fk.refTable, fk.refColumns)) {
        if (from.table === fk.table && from.schema === fk.schema && to.table === fk.refTable && to.schema === fk.refSchema) continue;
        extra.push({ name: fk.name, schema: from.schema, table: from.table, columns: from.cols, refSchema: to.schema, refTable: to.table, refColumns: to.cols });
      }
    }
  }
  return extra;
}
