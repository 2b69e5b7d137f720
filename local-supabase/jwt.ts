// JWTs: HS256 with the project secret, or the project's asymmetric signing keys (RS256/ES256 by `kid`), and the
// gateway's API-key mapping (Kong's rules in `supabase start`).
import { createSecretKey, type KeyObject } from 'node:crypto';
import { type JWTPayload, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import type { StackConfig } from './config.ts';
import type { JwtKeys } from './project-keys.ts';

export type Claims = JWTPayload & { role?: string; [k: string]: unknown };

export class JwtError extends Error {
  constructor(
    message: string,
    /** 'expired' | 'invalid' | 'malformed' | 'signature' */
    readonly kind: 'expired' | 'invalid' | 'malformed' | 'signature',
  ) {
    super(message);
  }
}

const encoder = new TextEncoder();

/** Signs with the first signing key when the project has any (as GoTrue does), else HS256 with the secret. */
export async function signJwt(keys: string | JwtKeys, claims: Claims): Promise<string> {
  const k = typeof keys === 'string' ? undefined : keys.signing[0];
  if (k) return new SignJWT(claims).setProtectedHeader({ alg: k.alg, typ: 'JWT', kid: k.kid }).sign(k.privateKey);
  const secret = typeof keys === 'string' ? keys : keys.secret;
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(encoder.encode(secret));
}

function headerOf(token: string): { alg?: string; kid?: string } {
  try {
    return JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8'));
  } catch {
    return {};
  }
}

const secretKeys = new Map<string, KeyObject>();
/** Tokens whose signature checked out, per secret: a token is presented on every request of a session. */
const verified = new Map<string, Map<string, Claims>>();
const MAX_VERIFIED = 10_000;

/**
 * Verifies signature and expiry; returns the claims. Throws JwtError. A token already verified with the same
 * secret is not checked again (the signature cannot have changed), only its expiry.
 */
export async function verifyJwt(keys: string | JwtKeys, token: string): Promise<Claims> {
  if (token.split('.').length !== 3) throw new JwtError('token is malformed: token contains an invalid number of segments', 'malformed');
  const secret = typeof keys === 'string' ? keys : keys.secret;
  const header = headerOf(token);
  const asymmetric = typeof keys === 'string' || !/^(RS|ES|PS)/.test(header.alg ?? '') ? undefined : keys.signing.find((k) => k.kid === header.kid);
  let cache = verified.get(secret);
  const hit = cache?.get(token);
  if (hit) {
    if (typeof hit.exp === 'number' && hit.exp <= Math.floor(Date.now() / 1000)) {
      cache!.delete(token);
      throw new JwtError('token has invalid claims: token is expired', 'expired');
    }
    return { ...hit };
  }
  let key = secretKeys.get(secret);
  if (!key) secretKeys.set(secret, (key = createSecretKey(encoder.encode(secret))));
  try {
    const { payload } = asymmetric
      ? await jwtVerify(token, asymmetric.publicKey, { algorithms: [asymmetric.alg] })
      : await jwtVerify(token, key, { algorithms: ['HS256', 'HS384', 'HS512'] });
    if (!cache) verified.set(secret, (cache = new Map()));
    if (cache.size >= MAX_VERIFIED) cache.clear();
    cache.set(token, payload as Claims);
    return { ...(payload as Claims) };
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new JwtError('token has invalid claims: token is expired', 'expired');
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) throw new JwtError('signature is invalid', 'signature');
    if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid) throw new JwtError('token is malformed', 'malformed');
    throw new JwtError(err instanceof Error ? err.message : String(err), 'invalid');
  }
}

/** Decodes without verifying (for error messages such as "expired N seconds ago"). */
export function decodeJwt(token: string): Claims | null {
  try {
    const part = token.split('.')[1];
    if (!part) return null;
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Claims;
  } catch {
    return null;
  }
}

/** The four keys the gateway knows, as `supabase start` issues them. */
export function isKnownApiKey(cfg: StackConfig, key: string): boolean {
  return [cfg.anonKey, cfg.serviceRoleKey, cfg.publishableKey, cfg.secretKey].includes(key);
}

/** `sb_` keys stand for the anon / service_role JWTs; anything else is returned unchanged. */
export function apiKeyToJwt(cfg: StackConfig, key: string): string {
  if (key === cfg.secretKey) return cfg.serviceRoleKey;
  if (key === cfg.publishableKey) return cfg.anonKey;
  return key;
}

/**
 * Kong's rule for the Authorization header sent upstream:
 * keep a non-`sb_` Authorization; else derive it from apikey.
 * Returns the bearer token (without "Bearer "), or null if none.
 */
export function upstreamBearer(cfg: StackConfig, authorization: string | undefined, apikey: string | undefined): string | null {
  if (authorization && !/^Bearer sb_/i.test(authorization)) {
    const m = /^Bearer\s+(.+)$/i.exec(authorization);
    return m ? m[1]!.trim() : authorization.trim();
  }
  if (apikey) return apiKeyToJwt(cfg, apikey);
  if (authorization) return apiKeyToJwt(cfg, authorization.replace(/^Bearer\s+/i, ''));
  return null;
}
