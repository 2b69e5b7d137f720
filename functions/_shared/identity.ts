// Verifying identify()'s userHash: HMAC-SHA256(userId) under the widget's identity secret, lowercase hex, compared
// in constant time (WebCrypto, as Deno and browsers provide it). ADR 0013.

const encoder = new TextEncoder();

/** HMAC-SHA256(message) under `secret`, lowercase hex (what the docs' Node/Python/PHP/Ruby snippets compute). */
export async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Equal strings of equal length, in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

/** Whether `userHash` signs `userId` under `secret` (no secret yet = nothing verifies). */
export async function verifyUserHash(secret: string | null, userId: string, userHash: string): Promise<boolean> {
  if (!secret) return false;
  return constantTimeEqual(await hmacHex(secret, userId), userHash.toLowerCase());
}
