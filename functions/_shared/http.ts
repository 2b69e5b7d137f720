// One JSON error shape for every widget function: {"code": "<stable_code>", "message": "<human text>"}.

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } });
}

export function errorResponse(err: unknown, cors: Record<string, string>): Response {
  if (err instanceof HttpError) {
    return json({ code: err.code, message: err.message, ...err.extra }, err.status, { ...cors, ...err.headers });
  }
  console.error(err);
  return json({ code: 'internal_error', message: 'Something went wrong on our side. Please try again.' }, 500, cors);
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes.`);
}

/**
 * Parses a JSON body; anything else is a 400, never a 500. The body is read as a stream and abandoned as soon
 * as it passes `maxBytes` (a declared Content-Length over the cap is refused before reading), so an oversized
 * or endless body costs at most the cap in memory.
 */
export async function readJson(req: Request, maxBytes = 32_768): Promise<unknown> {
  const declared = Number(req.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await req.body?.cancel().catch(() => {});
    throw tooLarge(maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON (UTF-8).');
  }
}

const ADDRESS = /^[0-9A-Fa-f:.]{2,45}$/;

/**
 * The visitor's address as the platform saw it (docs/decisions/0001-client-address.md). Proxies append the
 * address of whoever connected to them to X-Forwarded-For, so only the last hop was written by the platform; the
 * first ones are whatever the caller sent, and a flooder could pick a fresh one per request to escape the
 * per-address limits. X-Real-IP (set by the gateway itself) is the fallback when no proxy appended anything.
 */
export function clientIp(req: Request): string {
  const last = req.headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
  if (last && ADDRESS.test(last)) return last;
  const real = req.headers.get('x-real-ip')?.trim();
  if (real && ADDRESS.test(real)) return real;
  return 'unknown';
}

/** 429 with Retry-After (seconds), the answer to every rate limit. */
export function rateLimited(retryAfter: number): HttpError {
  return new HttpError(429, 'rate_limited', `Too many requests. Please wait ${retryAfter} seconds.`, { retryAfter }, { 'Retry-After': String(retryAfter) });
}
