// Conformance: `[auth] signing_keys_path` and `jwt_secret` are read as the CLI reads them (issue 17): the anon key
// and Auth's access tokens are signed with the project's RS256 key, the JWKS lists it, and REST accepts the tokens.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningStack, startStack } from '../stack.ts';
import { freePort } from '../temporary-stack.ts';

let tmp: string;
let stack: RunningStack;
const kid = randomUUID();
const header = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString());

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'local-supabase-keys-'));
  await chmod(tmp, 0o755);
  mkdirSync(path.join(tmp, 'supabase', 'migrations'), { recursive: true });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  writeFileSync(path.join(tmp, 'supabase', 'signing_keys.json'), JSON.stringify([{ ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256' }]));
  writeFileSync(
    path.join(tmp, 'supabase', 'config.toml'),
    `project_id = "keys"\n[auth]\njwt_secret = "another-secret-of-at-least-thirty-two-chars"\nsigning_keys_path = "./signing_keys.json"\n`,
  );
  writeFileSync(
    path.join(tmp, 'supabase', 'migrations', '20260101000000_mine.sql'),
    `create function public.whoami() returns uuid language sql as $$ select auth.uid() $$;
     grant execute on function public.whoami to authenticated;`,
  );
  stack = await startStack({ workdir: tmp, apiPort: await freePort(), dbPort: await freePort(), dataDir: path.join(tmp, 'db'), quiet: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await rm(tmp, { recursive: true, force: true });
});

it('signs the anon key and session tokens with the configured key, lists it in the JWKS, and REST accepts them', async () => {
  expect(header(stack.cfg.anonKey)).toEqual({ alg: 'RS256', typ: 'JWT', kid });
  expect(stack.cfg.jwtSecret).toBe('another-secret-of-at-least-thirty-two-chars');
  const supabase = createClient(stack.cfg.apiUrl, stack.cfg.anonKey, { auth: { persistSession: false }, realtime: { transport: WebSocket as never } });
  const { data, error } = await supabase.auth.signUp({ email: `keys-${randomUUID()}@example.com`, password: 'a-long-password' });
  expect(error).toBeNull();
  expect(header(data.session!.access_token)).toMatchObject({ alg: 'RS256', kid });
  const jwks = await (await fetch(`${stack.cfg.apiUrl}/auth/v1/.well-known/jwks.json`)).json();
  expect(jwks.keys.map((k: { kid: string }) => k.kid)).toEqual([kid]);
  expect(jwks.keys[0]).not.toHaveProperty('d');
  const me = await supabase.rpc('whoami');
  expect(me.error).toBeNull();
  expect(me.data).toBe(data.user!.id);
});

it('refuses an HS256 token signed with the demo secret once the project has its own secret', async () => {
  const demoAnon = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';
  const res = await fetch(`${stack.cfg.apiUrl}/rest/v1/rpc/whoami`, { method: 'POST', headers: { apikey: demoAnon } });
  expect(res.status).toBe(401);
});
