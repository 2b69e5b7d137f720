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

/** Parses a JSON body; anything else is a 400, never a 500. */
export async function readJson(req: Request, maxBytes = 32_768): Promise<unknown> {
  const text = await req.text();
  if (new TextEncoder().encode(text).length > maxBytes) throw new HttpError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_json', 'The request body is not valid JSON.');
  }
}

/**
 * The visitor's address as the gateway saw it. X-Real-IP is set by the gateway itself (Kong without trusted
 * proxies, and the local stand-in); the first X-Forwarded-For hop is whatever the caller wrote there, so it is
 * only a fallback: a flooder must not pick a fresh address per request to escape the per-address limits.
 */
export function clientIp(req: Request): string {
  return req.headers.get('x-real-ip')?.trim() || req.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'unknown';
}
