// Runs one Edge Function under Deno for the local stand-in: captures the handler passed to Deno.serve
// (or the default export's fetch), serves it on the port the stand-in chose, and turns a thrown error into
// the edge runtime's 500 WORKER_ERROR instead of a dead worker.
// Usage: deno run bootstrap.ts <entrypoint path> <port>
// biome-ignore-all lint/suspicious/noExplicitAny: Deno's types are not available to the Node type-checker.
declare const Deno: any;
export {};

const [entrypoint, port] = Deno.args as [string, string];
const originalServe = Deno.serve.bind(Deno);
let serving = false;

type Handler = (req: Request, info?: unknown) => Response | Promise<Response>;

function guarded(handler: Handler): Handler {
  return async (req, info) => {
    try {
      return await handler(req, info);
    } catch (err) {
      console.error(err);
      return new Response(JSON.stringify({ code: 'WORKER_ERROR', message: 'Function exited due to an error (please check logs)' }), {
        status: 500,
        headers: { 'Content-Type': 'application/json' },
      });
    }
  };
}

function serve(handler: Handler) {
  serving = true;
  return originalServe(
    { port: Number(port), hostname: '127.0.0.1', onListen: () => console.log('PORCHLIGHT_FUNCTION_READY') },
    guarded(handler),
  );
}

Deno.serve = (...args: any[]) => {
  const handler: Handler | undefined = typeof args[0] === 'function' ? args[0] : typeof args[1] === 'function' ? args[1] : args[0]?.handler;
  if (!handler) throw new Error('Deno.serve needs a handler');
  return serve(handler);
};

const mod = await import(new URL(`file://${entrypoint}`).href);
if (!serving && typeof mod.default?.fetch === 'function') serve(mod.default.fetch.bind(mod.default));
if (!serving) {
  console.error('The function neither called Deno.serve nor exported default { fetch }');
  Deno.exit(1);
}
