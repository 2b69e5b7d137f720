// What functions-js's test functions import from https://deno.land/std/http/server.ts (unreachable offline): serve().
export function serve(handler) {
  Deno.serve(handler);
}
