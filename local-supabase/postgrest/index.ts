// The /rest/v1 service: the PostgREST subset postgrest-js sends (reference §4). Each request is one
// transaction run as the JWT's role with request.jwt.claims set, so grants and RLS decide.
// Modules: parse (query language), query (SQL builder), relations (embed → relationship), schema (catalog cache),
// views (keys of views), params (query string → tree), read / write / rpc (handlers), tx (transaction and request settings), auth (JWT), errors, http, media-types (JSON only; other media types refused).
import { readBody, type ServiceFactory, type StackContext } from '../context.ts';
import { authenticate } from './auth.ts';
import { fromPgError, RestError } from './errors.ts';
import { checkStrict, errorReply, header, parsePrefer, type Reply, type RestRequest, SINGULAR, send, withAppliedTx } from './http.ts';
import { checkAccept, checkContentType } from './media-types.ts';
import { read } from './read.ts';
import { rpc } from './rpc.ts';
import { SchemaCache } from './schema.ts';
import { createEnv, type Env } from './service.ts';
import { insert, remove, update } from './write.ts';

function schemaOf(env: Env, rq: RestRequest): string {
  const read = rq.method === 'GET' || rq.method === 'HEAD';
  const profile = header(rq.req, read ? 'accept-profile' : 'content-profile');
  const exposed = env.cfg.exposedSchemas;
  const schema = profile ?? exposed[0]!;
  if (!exposed.includes(schema)) {
    throw new RestError(406, 'PGRST106', `Invalid schema: ${schema}`, null, `Only the following schemas are exposed: ${exposed.join(', ')}`);
  }
  return schema;
}

async function route(env: Env, rq: RestRequest, isRpc: boolean, name: string): Promise<Reply> {
  const schema = schemaOf(env, rq);
  const m = rq.method;
  if (isRpc) {
    if (m === 'GET' || m === 'HEAD' || m === 'POST') return rpc(env, rq, schema, name);
    throw new RestError(405, 'PGRST101', `Cannot use the ${m} method on RPC`);
  }
  if (m === 'GET' || m === 'HEAD') return read(env, rq, schema, name);
  if (m === 'POST') return insert(env, rq, schema, name);
  if (m === 'PATCH') return update(env, rq, schema, name);
  if (m === 'DELETE') return remove(env, rq, schema, name);
  throw new RestError(405, 'PGRST117', `Unsupported HTTP method: ${m}`);
}

/** Errors that a stale schema cache can cause: worth one reload and a retry (a migration may just have run). */
function isCacheMiss(err: unknown): boolean {
  if (err instanceof RestError) return err.cacheMiss;
  const code = (err as { code?: string; severity?: string }).severity ? (err as { code?: string }).code : undefined;
  return code === '42P01' || code === '42703' || code === '42883';
}

export const createRestService: ServiceFactory = (ctx: StackContext) => {
  const { cfg, pool } = ctx;
  const cache = new SchemaCache(pool, cfg.exposedSchemas);
  const env = createEnv(cfg, pool, cache);
  const stopWatching = cache.watch();

  return {
    async handle(req, res, path, url) {
      const method = req.method ?? 'GET';
      const head = method === 'HEAD';
      let authed = false;
      try {
        if (path === '/' || path === '') {
          send(res, { status: 200, body: JSON.stringify({ swagger: '2.0', info: { title: 'local PostgREST (Docker-free stand-in)', version: '14' }, paths: {} }), headers: {} }, head);
          return;
        }
        const m = /^\/(rpc\/)?([^/]+)\/?$/.exec(path);
        if (!m) throw new RestError(404, 'PGRST125', 'Invalid path specified in request URL');
        const name = decodeURIComponent(m[2]!);
        let body: Buffer = Buffer.alloc(0);
        if (method !== 'GET' && method !== 'HEAD') {
          try {
            body = await readBody(req);
          } catch {
            throw new RestError(413, 'PGRST102', 'Request body too large');
          }
        }
        const auth = await authenticate(cfg, cache, req);
        authed = auth.role !== 'anon';
        const rq: RestRequest = {
          req,
          url,
          method,
          body,
          auth,
          prefs: parsePrefer(req.headers.prefer),
          singular: Boolean(header(req, 'accept')?.includes(SINGULAR)),
        };
        checkStrict(rq.prefs);
        checkAccept(req);
        checkContentType(req, body);
        let reply: Reply;
        try {
          reply = await route(env, rq, Boolean(m[1]), name);
        } catch (err) {
          if (!isCacheMiss(err)) throw err;
          await cache.reload(true);
          reply = await route(env, rq, Boolean(m[1]), name);
        }
        send(res, withAppliedTx(reply, rq.prefs), head);
      } catch (err) {
        const e = err instanceof RestError ? err : fromPgError(err, authed);
        if (e.code === 'PGRSTX00') ctx.log('rest', `unexpected: ${(err as Error).stack}`);
        if (res.headersSent) {
          res.end();
          return;
        }
        send(res, errorReply(e), head);
      }
    },
    async close() {
      stopWatching();
    },
  };
};
