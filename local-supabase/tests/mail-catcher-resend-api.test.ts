// Conformance of the mail catcher's Resend-compatible sending API (reference §10): bearer key required, Resend's
// validation and error bodies, the Idempotency-Key (same body: the first answer and no second mail; other body:
// 409), one stored mail per recipient with From and Reply-To, and Mailpit's chaos switch failing sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningMailCatcher, startMailCatcher } from '../mail/index.ts';

let mail: RunningMailCatcher;
beforeAll(async () => {
  mail = await startMailCatcher({ port: 0 });
});
afterAll(async () => {
  await mail.stop();
});

const send = (body: unknown, headers: Record<string, string> = { Authorization: 'Bearer re_test' }) =>
  fetch(`${mail.url}/emails`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }));
const mailBody = { from: 'Acme <support@acme.test>', to: ['a@example.com', 'B@example.com'], subject: 'Hi', text: 'Hello', reply_to: 'help@acme.test' };

describe('mail catcher: Resend-compatible API', () => {
  it('stores an accepted email once per recipient with its sender and Reply-To, listed like Auth mails', async () => {
    const sent = await send(mailBody);
    expect(sent.status).toBe(200);
    expect(sent.body.id).toMatch(/^[0-9a-f-]{36}$/);
    const list = await (await fetch(`${mail.url}/api/v1/messages?to=b@example.com`)).json();
    expect(list.messages).toHaveLength(1);
    const one = await (await fetch(`${mail.url}/api/v1/message/${list.messages[0].ID}`)).json();
    expect(one).toMatchObject({ From: { Name: 'Acme', Address: 'support@acme.test' }, ReplyTo: [{ Address: 'help@acme.test' }], Subject: 'Hi', Text: 'Hello' });
    expect(await (await fetch(`${mail.url}/`)).text()).toContain('Acme &#60;support@acme.test&#62;');
  });

  it('answers a repeated Idempotency-Key with the first send and no second mail; another body under it is a 409', async () => {
    const key = { Authorization: 'Bearer re_test', 'Idempotency-Key': `k-${Date.now()}` };
    const body = { ...mailBody, to: 'idem@example.com' };
    const first = await send(body, key);
    const again = await send(body, key);
    expect(again).toEqual(first);
    expect(mail.messages().filter((m) => m.to === 'idem@example.com')).toHaveLength(1);
    const other = await send({ ...body, subject: 'Changed' }, key);
    expect([other.status, other.body.name]).toEqual([409, 'invalid_idempotent_request']);
  });

  it("refuses a missing key and invalid mails with Resend's error bodies", async () => {
    expect(await send(mailBody, {})).toEqual({ status: 401, body: { statusCode: 401, name: 'missing_api_key', message: 'Missing API key in the authorization header' } });
    for (const bad of [{ ...mailBody, from: undefined }, { ...mailBody, to: [] }, { ...mailBody, subject: '' }, { from: 'a@b.c', to: 'x@y.z', subject: 's' }]) {
      const r = await send(bad);
      expect([r.status, r.body.name]).toEqual([422, 'validation_error']);
    }
  });

  it('fails every send while a chaos trigger is set, and sends again once it is cleared', async () => {
    const chaos = (body: unknown) => fetch(`${mail.url}/api/v1/chaos`, { method: 'PUT', body: JSON.stringify(body) });
    await chaos({ Sender: { ErrorCode: 503, Probability: 100 } });
    const down = await send({ ...mailBody, to: 'chaos@example.com' });
    expect([down.status, down.body.statusCode]).toEqual([503, 503]);
    await chaos({});
    expect((await send({ ...mailBody, to: 'chaos@example.com' })).status).toBe(200);
    expect(mail.messages().filter((m) => m.to === 'chaos@example.com')).toHaveLength(1);
  });
});
