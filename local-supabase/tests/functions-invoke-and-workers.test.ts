// Conformance: supabase-js functions.invoke against the local /functions/v1, running real Deno.
// The functions used here are test fixtures in tests/fixtures/functions.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { FunctionsHttpError } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { client, serviceClient, stack } from '../../tests/support/stack.ts';

/** Writes a function into the stand-in's scratch functions folder (and its .env, if given); returns its name. */
function writeFunction(source: string, name = `fn-${randomUUID().slice(0, 8)}`): string {
  mkdirSync(path.join(stack().scratchFunctionsDir, name), { recursive: true });
  writeFileSync(path.join(stack().scratchFunctionsDir, name, 'index.ts'), source);
  return name;
}

describe('edge runtime', () => {
  it('invokes a function with a JSON body by POST and passes the path, headers and env', async () => {
    const { data, error } = await client().functions.invoke('echo', { body: { hello: 'world' }, headers: { 'x-custom': 'yes' } });
    expect(error).toBeNull();
    expect(data).toMatchObject({
      method: 'POST',
      path: '/echo',
      body: '{"hello":"world"}',
      custom: 'yes',
      authorization: `Bearer ${stack().anonKey}`,
      env: { url: stack().apiUrl, anon: true, service: true, db: stack().dbUrl },
    });
  });

  it('supports GET with a sub-path and query, and text and binary responses', async () => {
    const res = await fetch(`${stack().apiUrl}/functions/v1/echo/sub/path?x=1`, { headers: { Authorization: `Bearer ${stack().anonKey}` } });
    expect(await res.json()).toMatchObject({ method: 'GET', path: '/echo/sub/path', query: { x: '1' } });
    const text = await client().functions.invoke('echo?as=text', { method: 'GET' });
    expect(text.data).toBe('plain text');
    const bin = await client().functions.invoke('echo?as=binary', { method: 'GET' });
    expect(bin.data).toBeInstanceOf(Blob);
    expect([...new Uint8Array(await (bin.data as Blob).arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it('maps the sb_ secret key to the service_role JWT for the function', async () => {
    const { data } = await client(stack().secretKey).functions.invoke('echo', { body: {} });
    expect((data as { authorization: string }).authorization).toBe(`Bearer ${stack().serviceRoleKey}`);
  });

  it('refuses a missing or invalid JWT with 401 when verify_jwt is on', async () => {
    const missing = await fetch(`${stack().apiUrl}/functions/v1/echo`, { method: 'POST' });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ msg: 'Error: Missing authorization header' });
    const forged = await client(stack().anonKey, { global: { headers: { Authorization: 'Bearer not.a.jwt' } } }).functions.invoke('echo', { body: {} });
    expect(forged.error).toBeInstanceOf(FunctionsHttpError);
    const resp = (forged.error as FunctionsHttpError).context as Response;
    expect(resp.status).toBe(401);
    expect(await resp.json()).toEqual({ msg: 'Invalid JWT' });
  });

  it('lets OPTIONS through without a JWT and skips verification for verify_jwt = false', async () => {
    const pre = await fetch(`${stack().apiUrl}/functions/v1/echo`, { method: 'OPTIONS' });
    expect(pre.status).toBe(200);
    const open = await fetch(`${stack().apiUrl}/functions/v1/open`, { method: 'POST' });
    expect(open.status).toBe(200);
    expect(await open.json()).toEqual({ open: true });
    const preOpen = await fetch(`${stack().apiUrl}/functions/v1/open`, { method: 'OPTIONS' });
    expect(preOpen.headers.get('x-handled-by')).toBe('function');
  });

  it('answers 500 WORKER_ERROR for a thrown error and keeps serving', async () => {
    const { error } = await serviceClient().functions.invoke('crash?throw=1', { method: 'GET' });
    expect(error).toBeInstanceOf(FunctionsHttpError);
    const resp = (error as FunctionsHttpError).context as Response;
    expect(resp.status).toBe(500);
    expect(await resp.json()).toMatchObject({ code: 'WORKER_ERROR' });
    const ok = await serviceClient().functions.invoke('crash', { method: 'GET' });
    expect(ok.data).toMatchObject({ alive: true });
  });

  it('restarts a function whose process exited, on the next request', async () => {
    const before = await serviceClient().functions.invoke('crash', { method: 'GET' });
    const died = await fetch(`${stack().apiUrl}/functions/v1/crash?exit=1`, { headers: { Authorization: `Bearer ${stack().serviceRoleKey}` } });
    expect(died.status).toBe(500);
    const after = await serviceClient().functions.invoke('crash', { method: 'GET' });
    expect(after.error).toBeNull();
    expect((after.data as { pid: number }).pid).not.toBe((before.data as { pid: number }).pid);
  });

  it('answers 404 text for an unknown function and 503 BOOT_ERROR for one that cannot boot', async () => {
    const unknown = await fetch(`${stack().apiUrl}/functions/v1/does-not-exist`, { headers: { Authorization: `Bearer ${stack().anonKey}` } });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('Function not found');
    const boot = await fetch(`${stack().apiUrl}/functions/v1/no-serve`, { headers: { Authorization: `Bearer ${stack().anonKey}` } });
    expect(boot.status).toBe(503);
    expect(await boot.json()).toEqual({ code: 'BOOT_ERROR', message: 'Worker failed to boot (please check logs)' });
  });

  it('starts one process for concurrent first requests', async () => {
    // Each process that boots leaves a file named by its pid (outside the functions folder).
    const boots = path.join(path.dirname(stack().scratchFunctionsDir), `boots-${randomUUID()}`);
    const name = writeFunction(`
      Deno.mkdirSync(${JSON.stringify(boots)}, { recursive: true });
      Deno.writeTextFileSync(${JSON.stringify(boots)} + '/' + Deno.pid, '');
      Deno.serve(() => Response.json({ pid: Deno.pid }));`);
    const results = await Promise.all([1, 2, 3, 4].map(() => serviceClient().functions.invoke(name, { method: 'GET' })));
    for (const r of results) expect(r.error).toBeNull();
    expect(new Set(results.map((r) => (r.data as { pid: number }).pid)).size).toBe(1);
    expect(readdirSync(boots)).toHaveLength(1);
  });

  it('serves the new code after a function file changes, without a restart of the stack', async () => {
    const name = writeFunction(`Deno.serve(() => new Response('version 1'));`);
    expect((await serviceClient().functions.invoke(name, { method: 'GET' })).data).toBe('version 1');
    writeFunction(`Deno.serve(() => new Response('version 2'));`, name);
    expect((await serviceClient().functions.invoke(name, { method: 'GET' })).data).toBe('version 2');
  });

  it('passes secrets from the folder .env and the key maps to the function', async () => {
    writeFileSync(path.join(stack().scratchFunctionsDir, '.env'), 'LOCAL_SUPABASE_TEST_SECRET="from .env"\n');
    const name = writeFunction(`Deno.serve(() => Response.json({
      secret: Deno.env.get('LOCAL_SUPABASE_TEST_SECRET'),
      publishable: JSON.parse(Deno.env.get('SUPABASE_PUBLISHABLE_KEYS') ?? '{}'),
      secret_keys: JSON.parse(Deno.env.get('SUPABASE_SECRET_KEYS') ?? '{}'),
    }));`);
    const { data, error } = await serviceClient().functions.invoke(name, { method: 'GET' });
    expect(error).toBeNull();
    expect(data).toEqual({
      secret: 'from .env',
      publishable: { default: stack().publishableKey },
      secret_keys: { default: stack().secretKey },
    });
  });

  it("resolves npm packages through the function's deno.json from node_modules, with an empty Deno cache (no download)", async () => {
    const { data, error } = await serviceClient().functions.invoke('npm-imports', { body: { email: 'not an email' } });
    expect(error).toBeNull();
    expect(data).toEqual({ valid: false, listed: true, error: null });
  });

  it('streams a text/event-stream response through to supabase-js as a raw Response', async () => {
    const name = writeFunction(`Deno.serve(() => {
      const enc = new TextEncoder();
      const body = new ReadableStream({ async start(c) {
        for (const n of [1, 2, 3]) { c.enqueue(enc.encode('data: ' + n + '\\n\\n')); await new Promise((r) => setTimeout(r, 20)); }
        c.close();
      } });
      return new Response(body, { headers: { 'Content-Type': 'text/event-stream' } });
    });`);
    const { data, error } = await serviceClient().functions.invoke(name, { method: 'GET' });
    expect(error).toBeNull();
    expect(data).toBeInstanceOf(Response);
    expect(await (data as Response).text()).toBe('data: 1\n\ndata: 2\n\ndata: 3\n\n');
  });

  it('stops a function process when the stand-in that started it goes away (its stdin closes)', async () => {
    const deno = path.resolve('node_modules/.bin/deno');
    const bootstrap = path.resolve('local-supabase/edge-runtime/bootstrap.ts');
    const proc = spawn(deno, ['run', '--allow-all', '--cached-only', '--node-modules-dir=manual', bootstrap, path.resolve('tests/fixtures/functions/echo/index.ts')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const port = await new Promise<number>((resolve, reject) => {
      proc.stdout.on('data', (chunk: Buffer) => {
        const m = /LOCAL_SUPABASE_FUNCTION_READY (\d+)/.exec(chunk.toString());
        if (m) resolve(Number(m[1]));
      });
      proc.on('exit', (code) => reject(new Error(`exited early (${code})`)));
    });
    expect((await fetch(`http://127.0.0.1:${port}/echo`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    proc.stdin.end();
    expect(await exited).toBe(0);
  });
});
