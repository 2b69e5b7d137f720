// The raw body of a request (or a fetched response) as bytes, capped: a webhook's signature is over these exact bytes,
// so it is read before parsing; a file a user sent is read no further than the company's limit.
import { HttpError } from '../http.ts';

export async function readRaw(req: Pick<Request, 'headers' | 'body'>, maxBytes: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? '');
  const tooLarge = () => new HttpError(413, 'payload_too_large', `The request body is larger than ${maxBytes} bytes.`);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await req.body?.cancel().catch(() => {});
    throw tooLarge();
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
        throw tooLarge();
      }
      chunks.push(value);
    }
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}
