// Tests' handle on the fake Graph API (dev/fake-graph/, a test double for Meta's servers) and Meta channel helpers.
import { inject } from 'vitest';
import { messagePayload, postWebhook, receiptPayload } from '../../dev/fake-graph/server.ts';
import { stack } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    fakeGraphUrl: string;
  }
}

export const fakeGraphUrl = () => inject('fakeGraphUrl');

export async function fake(path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${fakeGraphUrl()}/_fake/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

export const webhookUrl = (channelId: string) => `${stack().apiUrl}/functions/v1/meta-webhook?channel=${channelId}`;

export { messagePayload, postWebhook, receiptPayload };
