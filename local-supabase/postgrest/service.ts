// What the handlers share: settings, the pool, the schema cache, table lookup and the per-request transaction.
import type pg from 'pg';
import type { StackConfig } from '../config.ts';
import { RestError } from './errors.ts';
import type { Reply, RestRequest } from './http.ts';
import type { SchemaCache, Table } from './schema.ts';
import { inTransaction, type TxClient } from './tx.ts';

export interface Env {
  cfg: StackConfig;
  pool: pg.Pool;
  cache: SchemaCache;
  /** The table or view, or 404 PGRST205. */
  table(schema: string, name: string): Promise<Table>;
  tx(rq: RestRequest, schema: string, readOnly: boolean, fn: (db: TxClient) => Promise<Reply>): Promise<Reply>;
}

export function createEnv(cfg: StackConfig, pool: pg.Pool, cache: SchemaCache): Env {
  return {
    cfg,
    pool,
    cache,
    async table(schema, name) {
      const t = await cache.table(schema, name);
      if (!t) throw new RestError(404, 'PGRST205', `Could not find the table '${schema}.${name}' in the schema cache`, null, null, {}, true);
      return t;
    },
    tx: (rq, schema, readOnly, fn) => inTransaction(pool, cfg, rq, schema, readOnly, fn),
  };
}
