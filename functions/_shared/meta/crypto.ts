// Channel secrets at rest: AES-256-GCM with a key from the CHANNEL_SECRETS_KEY function secret (base64, 32
// bytes). The ciphertext is bound to its channel and column (additional data), so it cannot be moved to another row.
import { HttpError } from '../http.ts';

declare const Deno: { env: { get(name: string): string | undefined } };

let key: Promise<CryptoKey> | null = null;

function secretsKey(): Promise<CryptoKey> {
  key ??= (async () => {
    const raw = Uint8Array.from(atob(Deno.env.get('CHANNEL_SECRETS_KEY') ?? ''), (c) => c.charCodeAt(0));
    if (raw.byteLength !== 32) throw new HttpError(503, 'channels_not_configured', 'Channel secrets are not configured on this server (CHANNEL_SECRETS_KEY).');
    return crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  })();
  key.catch(() => (key = null));
  return key;
}

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

export async function sealSecret(plain: string, channelId: string, column: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new TextEncoder().encode(plain);
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode(`${channelId}:${column}`) }, await secretsKey(), data));
  const out = new Uint8Array(iv.byteLength + sealed.byteLength);
  out.set(iv);
  out.set(sealed, iv.byteLength);
  return toBase64(out);
}

export async function openSecret(cipher: string, channelId: string, column: string): Promise<string> {
  const bytes = Uint8Array.from(atob(cipher), (c) => c.charCodeAt(0));
  const plain = await crypto.subtle.decrypt(
    { name: 'AES-GCM', iv: bytes.slice(0, 12), additionalData: new TextEncoder().encode(`${channelId}:${column}`) },
    await secretsKey(),
    bytes.slice(12),
  );
  return new TextDecoder().decode(plain);
}
