// The dashboard's server entry: Remix's streaming render, plus an error handler that keeps unknown URLs and
// aborted requests out of the log (they are answered with a 404 page or nothing; only real failures are logged).
import { PassThrough } from 'node:stream';
import type { ActionFunctionArgs, EntryContext, LoaderFunctionArgs } from '@remix-run/node';
import { createReadableStreamFromReadable } from '@remix-run/node';
import { isRouteErrorResponse, RemixServer } from '@remix-run/react';
import { isbot } from 'isbot';
import { renderToPipeableStream } from 'react-dom/server';

/** How long a streamed render may wait for deferred data before it is cut. */
const STREAM_TIMEOUT_MS = 5_000;

export function handleError(error: unknown, { request }: LoaderFunctionArgs | ActionFunctionArgs): void {
  if (request.signal.aborted) return; // the browser went away: nothing failed
  if (isRouteErrorResponse(error) && error.status < 500) return; // a 404 for an unknown URL, a 405: answered, not broken
  console.error(error);
}

export default function handleRequest(request: Request, status: number, headers: Headers, context: EntryContext): Promise<Response> {
  // Crawlers get the whole document at once; browsers get the shell as soon as it is ready.
  const readyEvent = isbot(request.headers.get('user-agent') ?? '') ? 'onAllReady' : 'onShellReady';
  return new Promise((resolve, reject) => {
    let shellFailed = false;
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={context} url={request.url} abortDelay={STREAM_TIMEOUT_MS} />, {
      [readyEvent]() {
        const body = new PassThrough();
        headers.set('Content-Type', 'text/html');
        resolve(new Response(createReadableStreamFromReadable(body), { headers, status: shellFailed ? 500 : status }));
        pipe(body);
      },
      onShellError: reject,
      onError(error: unknown) {
        shellFailed = true;
        if (!request.signal.aborted) console.error(error);
      },
    });
    setTimeout(abort, STREAM_TIMEOUT_MS + 1_000);
  });
}
