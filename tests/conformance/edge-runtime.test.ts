// Conformance: supabase-js functions.invoke against the local /functions/v1, running real Deno.
// The functions used here are test fixtures in tests/fixtures/functions.
import { FunctionsHttpError } from '@supabase/supabase-js';
import { describe, expect, it } from 'vitest';
import { client, serviceClient, stack } from '../support/stack.ts';

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
});
