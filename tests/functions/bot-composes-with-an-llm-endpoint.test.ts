// The Auto Bot's optional composition through an OpenAI-compatible chat endpoint (functions/_shared/bot.ts).
// A test double stands in for the provider's server only (a real HTTP server here: no provider can exist in these
// tests); the request our code sends and what it makes of each answer are real.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeAnswer } from '../../functions/_shared/bot.ts';
import { quoteAnswer } from '../../functions/_shared/help.ts';

let server: http.Server;
let reply: { status: number; content: string } = { status: 200, content: '' };
const requests: { auth: string | undefined; body: Record<string, unknown> }[] = [];
const env: Record<string, string> = {};

const MATCHES = [{ id: 'a', title: 'Reset your password', body: 'Choose **Forgot password** and follow the link.', score: 0.9 }];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      requests.push({ auth: req.headers.authorization, body: JSON.parse(raw) });
      res.writeHead(reply.status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: reply.content } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  // The function reads its secrets from Deno.env; under Node the same getter stands in for it.
  (globalThis as { Deno?: unknown }).Deno = { env: { get: (k: string) => env[k] } };
  Object.assign(env, { BOT_LLM_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, BOT_LLM_MODEL: 'small-model', BOT_LLM_API_KEY: 'sk-test' });
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  delete (globalThis as { Deno?: unknown }).Deno;
});

describe('bot answers composed by a chat endpoint', () => {
  it('sends the question and the articles to /chat/completions and cites the articles under the answer', async () => {
    reply = { status: 200, content: 'Choose Forgot password on the sign-in page and follow the link we email you.' };
    const answer = await composeAnswer('how do i reset my pasword', MATCHES, 'en');
    expect(answer).toContain('Choose Forgot password on the sign-in page');
    expect(answer).toContain('“Reset your password”');
    expect(answer).toContain('Talk to a person');
    const sent = requests.at(-1)!;
    expect(sent.auth).toBe('Bearer sk-test');
    expect(sent.body.model).toBe('small-model');
    const messages = sent.body.messages as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages[1]!.content).toContain('how do i reset my pasword');
    expect(messages[1]!.content).toContain('Choose Forgot password and follow the link.');
  });

  it('gives up (the bot then quotes the article) when the model finds no answer, the endpoint fails or none is configured', async () => {
    reply = { status: 200, content: 'NO_ANSWER' };
    expect(await composeAnswer('q', MATCHES, 'en')).toBeNull();
    reply = { status: 500, content: '' };
    expect(await composeAnswer('q', MATCHES, 'en')).toBeNull();
    const url = env.BOT_LLM_URL!;
    delete env.BOT_LLM_URL;
    try {
      const before = requests.length;
      expect(await composeAnswer('q', MATCHES, 'en')).toBeNull();
      expect(requests.length).toBe(before);
    } finally {
      env.BOT_LLM_URL = url;
    }
    expect(quoteAnswer(MATCHES, 'de')).toMatch(/^Dieser Artikel hilft vielleicht: “Reset your password”\n\nChoose Forgot password/);
  });
});
