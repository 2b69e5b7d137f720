// Runs one Edge Function under Deno for the local stand-in: captures the handler passed to Deno.serve
// (or the default export's fetch), serves it on a free port, reports that port on stdout, and turns a thrown
// error into the edge runtime's 500 WORKER_ERROR instead of a dead worker.
// Usage: deno run bootstrap.ts <entrypoint path>
// biome-ignore-all lint/suspicious/noExplicitAny: Deno's types are not available to the Node type-checker.
declare const Deno: any;

export {};

const [entrypoint] = Deno.args as [string];
const originalServe = Deno.serve.bind(Deno);
let serving = false;

// The stand-in holds our stdin open; when it goes away (even killed with SIGKILL) stdin ends, and so do we:
// no orphaned Deno processes.
(async () => {
  try {
    for await (const _ of Deno.stdin.readable) {
      // nothing is ever written; we only wait for the end
    }
  } catch {
    // a broken pipe means the same
  }
  Deno.exit(0);
})();

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
  if (serving) throw new Error('Deno.serve was called twice; an Edge Function serves one handler');
  serving = true;
  return originalServe(
    { port: 0, hostname: '127.0.0.1', onListen: ({ port }: { port: number }) => console.log(`LOCAL_SUPABASE_FUNCTION_READY ${port}`) },
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
