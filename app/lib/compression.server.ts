// Compresses the dashboard's responses (documents, data, the build's JS and CSS) with brotli or gzip, as Remix's own
// server does: without it the custom server (app/server.ts) sends its ~258 KB shared chunk as it is on disk.
import { createRequire } from 'node:module';
import type { RequestHandler } from 'express';

// `compression` (expressjs) ships no types; this is the one option used.
const compression = createRequire(import.meta.url)('compression') as (options?: { threshold?: number }) => RequestHandler;

/** Express middleware: compresses every response the browser accepts compressed, from 1 KB up. */
export const compressResponses = (): RequestHandler => compression({ threshold: 1024 });
