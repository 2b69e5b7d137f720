// GoTrue's two error formats: the 2024-01-01 API version ({code, message} + echoed version header),
// chosen when the request sends X-Supabase-Api-Version, else the legacy {code: status, error_code, msg}.
import type { IncomingMessage, ServerResponse } from 'node:http';

export const API_VERSION = '2024-01-01';

export class AuthError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function usesApiVersion(req: IncomingMessage): boolean {
  return Boolean(req.headers['x-supabase-api-version']);
}

export function sendAuthJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const h: Record<string, string> = { 'Content-Type': 'application/json', ...headers };
  if (usesApiVersion(req)) h['X-Supabase-Api-Version'] = API_VERSION;
  res.writeHead(status, h);
  res.end(body === undefined ? '' : JSON.stringify(body));
}

export function sendAuthError(req: IncomingMessage, res: ServerResponse, err: AuthError): void {
  if (usesApiVersion(req)) {
    sendAuthJson(req, res, err.status, { code: err.code, message: err.message, ...err.extra });
  } else {
    sendAuthJson(req, res, err.status, { code: err.status, error_code: err.code, msg: err.message, ...err.extra }, { 'x-sb-error-code': err.code });
  }
}
