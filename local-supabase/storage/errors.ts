// Storage's error answer: HTTP 400 (500 for a server fault) with {statusCode, code, error, message}, the status
// the error stands for in `statusCode`, as Supabase Storage's error handler renders it (reference §8.3).
import type { ServerResponse } from 'node:http';
import { sendJson } from '../context.ts';

export class StorageError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    readonly error: string,
    message: string,
  ) {
    super(message);
  }
}

export const noSuchBucket = () => new StorageError(404, 'NoSuchBucket', 'Bucket not found', 'Bucket not found');
export const noSuchKey = () => new StorageError(404, 'NoSuchKey', 'not_found', 'Object not found');
export const alreadyExists = () => new StorageError(409, 'KeyAlreadyExists', 'Duplicate', 'The resource already exists');
export const accessDenied = (message = 'new row violates row-level security policy') => new StorageError(403, 'AccessDenied', 'Unauthorized', message);
export const tooLarge = () => new StorageError(413, 'EntityTooLarge', 'Payload too large', 'The object exceeded the maximum allowed size');
export const invalidMime = (mime: string) => new StorageError(415, 'InvalidMimeType', 'invalid_mime_type', `mime type ${mime} is not supported`);
export const invalidJwt = (message = 'Invalid JWT') => new StorageError(400, 'InvalidJWT', 'InvalidJWT', message);
export const invalidKey = (key: string) => new StorageError(400, 'InvalidKey', 'InvalidKey', `Invalid key: ${key}`);
export const invalidRequest = (message: string) => new StorageError(400, 'InvalidRequest', 'InvalidRequest', message);

/** A database error as Storage maps it: RLS and privileges → AccessDenied, unique → already exists. */
export function fromDatabase(err: { code?: string; message: string }): StorageError | null {
  if (err.code === '42501') return accessDenied(err.message.includes('row-level security') ? undefined : err.message);
  if (err.code === '23505') return alreadyExists();
  return null;
}

export function sendStorageError(res: ServerResponse, err: StorageError) {
  sendJson(res, err.statusCode >= 500 ? 500 : 400, { statusCode: String(err.statusCode), code: err.code, error: err.error, message: err.message });
}
