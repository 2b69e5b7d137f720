// What a file really is, from its bytes: the maintained `file-type` library's magic numbers for binary formats,
// and a text check (UTF-8, no NUL, no markup) for text/plain and text/csv, which have no signature.
import { fileTypeFromBuffer } from 'file-type';
import type { AllowedType } from './attachment-rules.ts';

/** Enough of the start of a file for every signature file-type reads for our types (office zips included). */
export const SNIFF_BYTES = 1024 * 1024;

// The old binary Office formats share one container (Compound File Binary); its content says which it is.
const CFB_TYPES = new Set(['application/msword', 'application/vnd.ms-excel', 'application/vnd.ms-powerpoint']);
const MARKUP = /^\s*<(?:!doctype|html|svg|script|\?xml|body|head|iframe)/i;

function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    // stream: a multi-byte character cut at the end of the sample is not an error.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, 64 * 1024), { stream: true });
    return !MARKUP.test(text);
  } catch {
    return false;
  }
}

/**
 * The type `declared` resolves to for these bytes: `declared` itself when the bytes are that (the same format, or
 * text for a text type), else what they are (possibly null: unknown). Callers compare the answer with `declared`.
 */
export async function sniffType(declared: string, bytes: Uint8Array): Promise<AllowedType | string | null> {
  const found = await fileTypeFromBuffer(bytes.subarray(0, SNIFF_BYTES)).catch(() => undefined);
  if (!found) {
    if ((declared === 'text/plain' || declared === 'text/csv') && looksLikeText(bytes)) return declared;
    return null;
  }
  if (found.mime === 'application/x-cfb' && CFB_TYPES.has(declared)) return declared;
  return found.mime;
}
