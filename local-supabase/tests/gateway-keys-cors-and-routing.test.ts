// Conformance: the gateway's part of Kong — an apikey on every route, CORS preflights, 404 for unknown paths.
import { describe, expect, it } from 'vitest';
import { stack } from '../../tests/support/stack.ts';

describe('gateway (Kong stand-in)', () => {
  it('refuses a request without an apikey with 401 and Kong\'s message', async () => {
    const res = await fetch(`${stack().apiUrl}/rest/v1/anything`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'No API key found in request' });
  });

  it('refuses an unknown apikey', async () => {
    const res = await fetch(`${stack().apiUrl}/rest/v1/anything`, { headers: { apikey: 'not-a-key' } });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Invalid authentication credentials' });
  });

  it('answers CORS preflight for rest and auth with a wildcard origin', async () => {
    const res = await fetch(`${stack().apiUrl}/rest/v1/companies`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://example.test', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'apikey,authorization' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toBe('apikey,authorization');
  });

  it('answers 404 for a path no service owns', async () => {
    const res = await fetch(`${stack().apiUrl}/storage/v2/x`);
    expect(res.status).toBe(404);
  });
});
