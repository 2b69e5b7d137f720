// A cache of the catalog for the exposed schemas: tables, columns, keys, foreign keys and functions.
// Every identifier a request names is checked against it; a miss reloads it once (migrations may just have run).
import type pg from 'pg';
import { viewKeys } from './views.ts';

export interface Column {
  name: string;
  type: string;
  /** The default as SQL (an identity column's is its nextval), for `Prefer: missing=default`. */
  default?: string | null;
}
export interface Table {
  schema: string;
  name: string;
  columns: Map<string, Column>;
  pk: string[];
  /** Column sets with a unique constraint (incl. the primary key). */
  uniques: string[][];
  /** A view (or materialized view): PostgREST does not let its FK names or columns name an embed. */
  isView?: boolean;
}
export interface ForeignKey {
  name: string;
  schema: string;
  table: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
}
export interface FnArg {
  name: string;
  type: string;
  hasDefault: boolean;
  /** A composite (row) type, or an array of one: its JSON object is converted as PostgREST does. */
  row?: 'record' | 'array';
  /** For `row: 'array'`, the element type. */
  elemType?: string;
}
export interface Fn {
  schema: string;
  name: string;
  args: FnArg[];
  returnsSet: boolean;
  returnType: string;
  /** 'b' base, 'c' composite, 'p' pseudo (void, record), 'd' domain, 'e' enum */
  returnKind: string;
  returnsVoid: boolean;
  /** For composite returns, the table/type name. */
  returnTable: string | null;
  /** The columns of a row result: RETURNS TABLE(...), OUT arguments, or a composite type. */
  resultColumns: Column[] | null;
  /** TABLE, OUT or INOUT arguments: rows even with a single column (Postgres then reports the column's type). */
  returnsTable: boolean;
  volatile: boolean;
}

export class SchemaCache {
  tables = new Map<string, Table>();
  fks: ForeignKey[] = [];
  fns = new Map<string, Fn[]>();
  roles = new Set<string>();
  private loading: Promise<void> | null = null;
  private loadedAt = 0;

  constructor(
    private pool: pg.Pool,
    private schemas: string[],
  ) {}

  key(schema: string, name: string) {
    return `${schema}.${name}`;
  }

  async ensure(): Promise<void> {
    if (!this.loadedAt) await this.reload();
  }

  /**
   * Loads the catalog again. Callers that saw a miss pass `force`: a load that was already running may have
   * started before their migration committed, so a forced reload waits for it and then loads once more.
   */
  async reload(force = false): Promise<void> {
    if (this.loading) {
      const running = this.loading;
      await running;
      if (!force || this.loading) return this.loading ?? undefined;
    }
    this.loading = this.load().finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    const schemas = this.schemas;
    const cols = await this.pool.query(
      `select n.nspname as schema, c.relname as name, a.attname as col, format_type(a.atttypid, a.atttypmod) as type,
              c.relkind in ('v','m') as is_view,
              case when a.attidentity = 'd' then format('nextval(%L)', pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname))
                   when a.attgenerated = 's' then null
                   else pg_get_expr(ad.adbin, ad.adrelid) end as default
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
         join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
         left join pg_attrdef ad on ad.adrelid = c.oid and ad.adnum = a.attnum
        where n.nspname = any($1) and c.relkind in ('r','v','m','p','f')
        order by c.oid, a.attnum`,
      [schemas],
    );
    const tables = new Map<string, Table>();
    for (const r of cols.rows) {
      const k = this.key(r.schema, r.name);
      let t = tables.get(k);
      if (!t) tables.set(k, (t = { schema: r.schema, name: r.name, columns: new Map(), pk: [], uniques: [], isView: r.is_view }));
      t.columns.set(r.col, { name: r.col, type: r.type, default: r.default });
    }
    // Ordered by table and constraint name as PostgREST orders them (its PGRST201 details list them so).
    const cons = await this.pool.query(
      `select con.conname as name, con.contype as type, n.nspname as schema, c.relname as table,
              array(select a.attname::text from unnest(con.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.n order by k.i) as columns,
              rn.nspname as ref_schema, rc.relname as ref_table,
              array(select a.attname::text from unnest(con.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.n order by k.i) as ref_columns
         from pg_constraint con
         join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
         left join pg_class rc on rc.oid = con.confrelid left join pg_namespace rn on rn.oid = rc.relnamespace
        where con.contype in ('p','u','f') and n.nspname = any($1)
        order by con.conrelid, con.conname`,
      [schemas],
    );
    const fks: ForeignKey[] = [];
    for (const r of cons.rows) {
      const t = tables.get(this.key(r.schema, r.table));
      if (r.type === 'p' && t) {
        t.pk = r.columns;
        t.uniques.push(r.columns);
      } else if (r.type === 'u' && t) {
        t.uniques.push(r.columns);
      } else if (r.type === 'f') {
        fks.push({ name: r.name, schema: r.schema, table: r.table, columns: r.columns, refSchema: r.ref_schema, refTable: r.ref_table, refColumns: r.ref_columns });
      }
    }
    // Views embed like the tables they show (PostgREST infers their keys and foreign keys).
    fks.push(...(await viewKeys(this.pool, schemas, this, tables, fks)));
    const fnRows = await this.pool.query(
      `select n.nspname as schema, p.proname as name, p.proretset as returns_set, p.provolatile as volatile,
              format_type(p.prorettype, null) as return_type, t.typtype as return_kind, tr.relname as return_table,
              coalesce(p.proargnames, '{}')::text[] as arg_names, p.proargmodes::text[] as arg_modes, p.pronargdefaults as n_defaults,
              array(select format_type(x, null) from unnest(p.proargtypes) with ordinality u(x, i) order by i) as arg_types,
              array(select case when at.typtype = 'c' then 'record' when et.typtype = 'c' then 'array' else '' end
                      from unnest(p.proargtypes) with ordinality u(x, i) join pg_type at on at.oid = u.x
                      left join pg_type et on et.oid = at.typelem and at.typcategory = 'A' order by u.i) as arg_rows,
              array(select coalesce(format_type(at.typelem, null), '')
                      from unnest(p.proargtypes) with ordinality u(x, i) join pg_type at on at.oid = u.x order by u.i) as arg_elems,
              array(select format_type(x, null) from unnest(p.proallargtypes) with ordinality u(x, i) order by i) as all_arg_types,
              (select json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod)) order by a.attnum)
                 from pg_attribute a where a.attrelid = t.typrelid and a.attnum > 0 and not a.attisdropped) as ret_cols
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
         join pg_type t on t.oid = p.prorettype left join pg_class tr on tr.oid = t.typrelid
        where n.nspname = any($1) and p.prokind in ('f')`,
      [schemas],
    );
    const fns = new Map<string, Fn[]>();
    for (const r of fnRows.rows) {
      const types: string[] = r.arg_types;
      const modes: string[] | null = r.arg_modes;
      const names: string[] = r.arg_names;
      // Input arguments only (in / inout / variadic).
      const inputs: { name: string; type: string }[] = [];
      // Output columns of RETURNS TABLE / OUT arguments (modes t, o, b), typed from proallargtypes.
      const outputs: Column[] = [];
      let ti = 0;
      names.forEach((name, i) => {
        const mode = modes?.[i] ?? 'i';
        if (mode === 'i' || mode === 'b' || mode === 'v') inputs.push({ name, type: types[ti++] ?? 'text' });
        if ((mode === 't' || mode === 'o' || mode === 'b') && name) outputs.push({ name, type: r.all_arg_types[i] ?? 'text' });
      });
      while (inputs.length < types.length) inputs.push({ name: '', type: types[inputs.length]! });
      const firstDefault = inputs.length - Number(r.n_defaults);
      const rowKinds: string[] = r.arg_rows;
      const elems: string[] = r.arg_elems;
      const resultColumns: Column[] | null = outputs.length ? outputs : r.ret_cols;
      const fn: Fn = {
        schema: r.schema,
        name: r.name,
        args: inputs.map((a, i) => ({
          ...a,
          hasDefault: i >= firstDefault,
          ...(rowKinds[i] ? { row: rowKinds[i] as 'record' | 'array', elemType: elems[i] } : {}),
        })),
        returnsSet: r.returns_set,
        returnType: r.return_type,
        returnKind: r.return_kind,
        returnsVoid: r.return_type === 'void',
        returnTable: r.return_table,
        resultColumns,
        returnsTable: Boolean(modes?.some((m) => m === 't' || m === 'o' || m === 'b')),
        volatile: r.volatile === 'v',
      };
      const k = this.key(r.schema, r.name);
      fns.set(k, [...(fns.get(k) ?? []), fn]);
    }
    const roles = await this.pool.query('select rolname from pg_roles');
    this.tables = tables;
    this.fks = fks;
    this.fns = fns;
    this.roles = new Set(roles.rows.map((r) => r.rolname));
    this.loadedAt = Date.now();
  }

  // Lookups never reload on their own: a miss surfaces as an error marked `cacheMiss`, and the service
  // reloads once and retries the whole request (see index.ts).
  async table(schema: string, name: string): Promise<Table | undefined> {
    await this.ensure();
    return this.tables.get(this.key(schema, name));
  }

  async functions(schema: string, name: string): Promise<Fn[]> {
    await this.ensure();
    return this.fns.get(this.key(schema, name)) ?? [];
  }

  async hasRole(role: string): Promise<boolean> {
    await this.ensure();
    if (this.roles.has(role)) return true;
    await this.reload(true);
    return this.roles.has(role);
  }

  /**
   * A reload nobody waits for. If it fails (the database went away again, or the stack is stopping), the cache
   * stays as it was: the next request that misses reloads it.
   */
  private reloadInBackground() {
    this.reload(true).catch(() => undefined);
  }

  /** Reloads on `NOTIFY pgrst, 'reload schema'` (as PostgREST does), reconnecting after the database restarts. */
  watch(): () => void {
    let client: pg.PoolClient | null = null;
    let closed = false;
    let timer: NodeJS.Timeout | null = null;
    const connect = () => {
      timer = null;
      this.pool
        .connect()
        .then(async (c) => {
          if (closed) return c.release();
          client = c;
          const lost = () => {
            if (client !== c) return;
            client = null;
            c.release(true);
            if (!closed) timer = setTimeout(connect, 1000);
          };
          c.on('error', lost);
          c.on('end', lost);
          c.on('notification', (n) => {
            if (n.channel === 'pgrst' && (!n.payload || n.payload === 'reload schema')) this.reloadInBackground();
          });
          await c.query('listen pgrst');
          // Whatever changed while we were not listening.
          this.reloadInBackground();
        })
        .catch(() => {
          if (!closed) timer = setTimeout(connect, 1000);
        });
    };
    connect();
    return () => {
      closed = true;
      if (timer) clearTimeout(timer);
      client?.release(true);
      client = null;
    };
  }
}
