// Media types: what the stand-in answers and reads (JSON, and the singular object), and a refusal naming any other
// one — PostgREST's CSV, GeoJSON, EXPLAIN plans, nulls=stripped — rather than JSON the client did not ask for.
import type { IncomingMessage } from 'node:http';
import { RestError } from './errors.ts';

const ANSWERED = new Set(['*/*', 'application/*', 'application/json', 'application/vnd.pgrst.object+json', 'application/vnd.pgrst.object', 'application/vnd.pgrst.array+json']);
const READ = new Set(['application/json', 'application/vnd.pgrst.object+json', 'application/vnd.pgrst.array+json']);

const hint = 'The local stand-in answers JSON only (application/json, application/vnd.pgrst.object+json); PostgREST itself serves this media type.';

/** 406 PGRST107 unless one of the Accept entries is a type the stand-in answers, as PostgREST answers an unknown one. */
export function checkAccept(req: IncomingMessage): void {
  const accept = req.headers.accept;
  if (!accept) return;
  const entries = accept.split(',').map((e) => e.trim()).filter(Boolean);
  const ok = entries.some((e) => {
    const [type, ...params] = e.split(';').map((p) => p.trim().toLowerCase());
    // `nulls=stripped` changes the body; `q=` and `charset=` do not.
    return ANSWERED.has(type!) && !params.some((p) => p.startsWith('nulls='));
  });
  if (!ok) throw new RestError(406, 'PGRST107', `None of these media types are available: ${accept}`, null, hint);
}

/** 415 for a request body that is not JSON (PostgREST also reads CSV and form bodies, the stand-in does not). */
export function checkContentType(req: IncomingMessage, body: Buffer): void {
  const ct = req.headers['content-type'];
  if (!ct || body.length === 0) return;
  const type = ct.split(';')[0]!.trim().toLowerCase();
  if (!READ.has(type)) {
    throw new RestError(415, 'PGRST107', `None of these media types are available: ${ct}`, null, 'The local stand-in reads JSON request bodies only; PostgREST also reads text/csv and form bodies.');
  }
}
