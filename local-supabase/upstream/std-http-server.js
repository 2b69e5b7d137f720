// What functions-js's test functions import from https://deno.land/std/http/server.ts (unreachable offline): serve().
// serveAt(origin) is std's serve() behind upstream's relay: the relay forwards each request to DENO_ORIGIN (where std's
// serve listens), so the function sees that origin; the request keeps the path, query, method, headers and body the
// stand-in delivered.
export function serveAt(origin, handler) {
  Deno.serve((req, info) => {
    const url = new URL(req.url);
    return handler(new Request(new URL(`${url.pathname}${url.search}`, origin), req), info);
  });
}

export function serve(handler) {
  Deno.serve(handler);
}
