// The project's JWT keys as the CLI derives them from config.toml: `[auth] jwt_secret` (else the demo secret) and
// `[auth] signing_keys_path` (asymmetric keys: GoTrue signs with the first, every service accepts any of them),
// and the anon / service_role keys signed with them (the demo keys when nothing is configured).
import { createHmac, createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject, sign as signWith } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The public half as a JWK, for /auth/v1/.well-known/jwks.json. */
  publicJwk: Record<string, unknown>;
}

export interface JwtKeys {
  secret: string;
  signing: SigningKey[];
}

/** `env(NAME)` values in config.toml read the environment, as the CLI does. */
export function fromEnv(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^env\((\w+)\)$/.exec(v.trim());
  return m ? process.env[m[1]!] : v;
}

export function readSigningKeys(supabaseDir: string, file: unknown): SigningKey[] {
  const rel = fromEnv(file);
  if (!rel) return [];
  const full = path.resolve(supabaseDir, rel);
  if (!existsSync(full)) throw new Error(`[auth] signing_keys_path: ${full} does not exist`);
  const jwks = JSON.parse(readFileSync(full, 'utf8')) as (JsonWebKey & { kid?: string; alg?: string })[];
  return jwks.map((jwk) => {
    const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    const publicKey = createPublicKey(privateKey);
    const alg = (jwk.alg === 'ES256' ? 'ES256' : 'RS256') as SigningKey['alg'];
    const pub = publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    return { kid: String(jwk.kid ?? ''), alg, privateKey, publicKey, publicJwk: { ...pub, kid: jwk.kid, alg, use: 'sig', key_ops: ['verify'] } };
  });
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A JWT signed synchronously (config loading is synchronous): HS256 with the secret, or the first signing key. */
export function signSync(keys: JwtKeys, claims: Record<string, unknown>): string {
  const key = keys.signing[0];
  if (!key) {
    const body = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
    return `${body}.${createHmac('sha256', keys.secret).update(body).digest('base64url')}`;
  }
  const body = `${b64({ alg: key.alg, typ: 'JWT', kid: key.kid })}.${b64(claims)}`;
  const sig = signWith('sha256', Buffer.from(body), key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey);
  return `${body}.${sig.toString('base64url')}`;
}

/**
 * The anon and service_role keys. With signing keys they are the CLI's: RS256 with `iat` 1768925145 (what
 * supabase-js's auth-js suite expects the gateway to accept); with another secret, the demo claims re-signed.
 */
export function projectApiKeys(keys: JwtKeys, demo: { anon: string; service: string; secret: string }): { anon: string; service: string } {
  if (keys.signing.length) {
    const claims = (role: string) => ({ iss: 'supabase-demo', role, exp: 1983812996, iat: 1768925145 });
    return { anon: signSync(keys, claims('anon')), service: signSync(keys, claims('service_role')) };
  }
  if (keys.secret === demo.secret) return { anon: demo.anon, service: demo.service };
  const claims = (role: string) => ({ iss: 'supabase-demo', role, exp: 1983812996 });
  return { anon: signSync(keys, claims('anon')), service: signSync(keys, claims('service_role')) };
}
