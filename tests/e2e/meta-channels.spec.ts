// Messenger in the inbox, in real Chromium against the whole local stack and the fake Graph API (a test double:
// Meta's servers cannot exist here): an admin connects a page, a Messenger user writes through the fake, the agent
// answers in the dashboard and the double receives the reply; the platform filter; a photo from the user; a refusal
// and a Meta outage (sent by the background job once it is over); a reply with a file; replacing a channel's
// secrets; axe on every new screen.
import { randomInt, randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { ACME_ADMIN, DASHBOARD, query, signIn } from './support.ts';

const FAKE = () => process.env.PORCHLIGHT_FAKE_GRAPH_URL!;
const ONE_PIXEL_PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201e0d3b1a40000000049454e44ae426082',
  'hex',
).toString('base64');

async function fake(path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${FAKE()}/_fake/${path}`, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return res.json();
}

async function violations(page: Page): Promise<string[]> {
  const { violations: found } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return found.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

test('a Messenger user writes, the agent answers in the dashboard, and the fake Graph API receives the reply', async ({ browser }) => {
  const page = { id: String(randomInt(1e9, 9e9)), name: `E2E Page ${randomInt(1000)}`, token: `token-${randomUUID()}` };
  const senderId = String(randomInt(1e9, 9e9));
  await fake('pages', page);
  await fake('users', { id: senderId, name: 'Mia Messenger', profilePic: 'https://example.com/mia.png' });
  const appSecret = `app-${randomUUID()}`;

  const admin = await signIn(browser, ACME_ADMIN);
  const p = admin.page;
  await p.getByRole('link', { name: 'Channels' }).click();
  await expect(p.getByRole('heading', { level: 1, name: 'Channels' })).toBeVisible();
  expect(await violations(p)).toEqual([]);
  await p.getByLabel('Page id').fill(page.id);
  await p.getByLabel('Page access token', { exact: true }).fill('wrong-token');
  await p.getByLabel('App secret', { exact: true }).fill(appSecret);
  await p.getByLabel('Verify token', { exact: true }).fill('verify-e2e-token');
  await p.getByRole('button', { name: 'Test and connect' }).click();
  await expect(p.getByTestId('channel-result')).toContainText('Invalid OAuth access token');
  expect(await violations(p)).toEqual([]);
  await p.getByLabel('Page access token', { exact: true }).fill(page.token);
  await p.getByLabel('App secret', { exact: true }).fill(appSecret);
  await p.getByLabel('Verify token', { exact: true }).fill('verify-e2e-token');
  await p.getByRole('button', { name: 'Test and connect' }).click();
  await expect(p.getByTestId('channel-result')).toContainText('Connected');
  const item = p.getByTestId('channel-list').locator('li', { hasText: page.name });
  const webhookUrl = (await item.getByTestId('webhook-url').textContent())!;
  expect(await p.content()).not.toContain(page.token);
  expect(await p.content()).not.toContain(appSecret);

  // The Messenger user writes, through the fake's own page (it signs and posts the webhook).
  const user = await browser.newPage();
  await user.goto(FAKE());
  await user.getByLabel('Webhook URL').fill(webhookUrl);
  await user.getByLabel('App secret').fill(appSecret);
  await user.getByLabel('Page or Instagram account id').fill(page.id);
  await user.getByLabel('Sender id').fill(senderId);
  await user.getByLabel('Message').fill('Hi, is my order on its way?');
  await user.getByRole('button', { name: 'Send as this user' }).click();
  await expect(user.getByRole('status')).toContainText('"stored":1');

  await p.goto(`${DASHBOARD}/inbox?platform=facebook`);
  const row = p.getByTestId('conversation-list').locator('li', { hasText: 'Hi, is my order on its way?' });
  await expect(row).toContainText('Mia Messenger');
  await expect(row.locator('[data-platform="facebook"]')).toBeVisible();
  await p.goto(`${DASHBOARD}/inbox?platform=widget`);
  await expect(p.getByText('Hi, is my order on its way?')).toHaveCount(0);

  await p.goto(`${DASHBOARD}/inbox?platform=facebook`);
  await row.getByRole('link').click();
  await expect(p.getByTestId('conversation-title')).toHaveText('Mia Messenger');
  await p.getByLabel('Reply').fill('Yes, it ships today!');
  await p.getByLabel('Reply').press('Enter');
  await expect(p.getByTestId('channel-delivery').last()).toHaveAttribute('data-status', 'sent');
  await expect.poll(async () => (await fake('calls')).calls.filter((c: { recipientId: string }) => c.recipientId === senderId).map((c: { text: string }) => c.text)).toEqual([
    'Yes, it ships today!',
  ]);
  expect(await violations(p)).toEqual([]);

  // The user sends a photo: the webhook fetches it from the fake's "CDN", checks its bytes and links it; the open
  // conversation shows it live (message.files).
  const photo = (await fake('files', { name: 'broken-box.png', contentType: 'image/png', base64: ONE_PIXEL_PNG })).url;
  await fake('message', { webhookUrl, appSecret, object: 'page', accountId: page.id, senderId, files: [{ type: 'image', url: photo }] });
  await expect(p.getByRole('link', { name: 'Open broken-box.png' }).locator('img')).toBeVisible();
  expect(await violations(p)).toEqual([]);

  // A Send API refusal is shown with the platform's reason; Retry sends it.
  await fake('fail', { count: 1, status: 400, message: "(#551) This person isn't available right now.", code: 551 });
  await p.getByLabel('Reply').fill('Tracking number follows');
  await p.getByLabel('Reply').press('Enter');
  const failed = p.getByTestId('message').filter({ hasText: 'Tracking number follows' }).getByTestId('channel-delivery');
  await expect(failed).toHaveAttribute('data-status', 'failed');
  await expect(failed.getByTestId('delivery-error')).toContainText("(#551) This person isn't available right now.");
  expect(await violations(p)).toEqual([]);
  await failed.getByRole('button', { name: 'Retry' }).click();
  await expect(failed).toHaveAttribute('data-status', 'sent');
  expect((await fake('calls')).calls.filter((c: { recipientId: string }) => c.recipientId === senderId).map((c: { answered: number }) => c.answered)).toEqual([200, 400, 200]);

  // A Meta outage outlasts the quick tries: the reply says it will go by itself, and the scheduled job (run here
  // at a clock two minutes on, as pg_cron would) sends it once Meta is back; the open page shows it live.
  await fake('fail', { count: 3, status: 503, message: 'Service temporarily unavailable', code: 2 });
  await p.getByLabel('Reply').fill('Back in a minute');
  await p.getByLabel('Reply').press('Enter');
  const waiting = p.getByTestId('message').filter({ hasText: 'Back in a minute' }).getByTestId('channel-delivery');
  await expect(waiting).toHaveAttribute('data-status', 'retrying');
  await expect(waiting).toContainText('trying again automatically');
  await expect(waiting.getByRole('button', { name: 'Retry now' })).toBeVisible();
  expect(await violations(p)).toEqual([]);
  const [run] = await query<{ id: string | null }>(`select private.run_meta_delivery_job(now() + interval '2 minutes') as id`);
  expect(run!.id).not.toBeNull();
  await expect.poll(async () => (await query('select 1 from net._http_response where id = $1', [run!.id])).length, { timeout: 20_000 }).toBe(1);
  // The open page follows without a reload (message.delivery on the company topic, then a re-read).
  await expect(waiting).toHaveAttribute('data-status', 'sent');
  expect((await fake('calls')).calls.filter((c: { recipientId: string }) => c.recipientId === senderId).map((c: { answered: number }) => c.answered)).toEqual([200, 400, 200, 503, 503, 503, 200]);

  // A reply with a file: the text, then the file by a signed link the fake fetches, as Meta does.
  await p.getByLabel('Reply').evaluate((el) => {
    const dt = new DataTransfer();
    dt.items.add(new File(['%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'], 'label.pdf', { type: 'application/pdf' }));
    el.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  });
  await expect(p.locator('[data-upload="done"]')).toHaveCount(1);
  await p.getByLabel('Reply').fill('Your return label');
  await p.getByRole('button', { name: 'Send' }).click();
  const withFile = p.getByTestId('message').filter({ hasText: 'Your return label' }).getByTestId('channel-delivery');
  await expect(withFile).toHaveAttribute('data-status', 'sent');
  const lastTwo = (await fake('calls')).calls.filter((c: { recipientId: string }) => c.recipientId === senderId).slice(-2);
  expect(lastTwo.map((c: { text?: string; attachment?: { type: string; fetched: number; contentType: string } }) => c.text ?? [c.attachment!.type, c.attachment!.fetched, c.attachment!.contentType])).toEqual([
    'Your return label',
    ['file', 200, 'application/pdf'],
  ]);

  // The app secret is rotated in Meta's app: the admin replaces the channel's token and secrets. A token the Graph
  // API refuses is answered in that channel's form; once saved, webhooks verify with the new secret only.
  const rotated = `app-${randomUUID()}`;
  await p.goto(`${DASHBOARD}/settings/channels`);
  const replace = p.getByTestId('channel-list').locator('li', { hasText: page.name }).locator('details');
  await replace.getByText('Replace token and secrets').click();
  await replace.getByLabel('New page access token').fill('wrong-token');
  await replace.getByLabel('New app secret').fill(rotated);
  await replace.getByLabel('New verify token').fill('verify-e2e-token-2');
  await replace.getByRole('button', { name: 'Test and save' }).click();
  await expect(replace.getByTestId('channel-replace-result')).toContainText('Invalid OAuth access token');
  expect(await violations(p)).toEqual([]);
  const sendAsUser = async (secret: string, text: string) => {
    await user.getByLabel('App secret').fill(secret);
    await user.getByLabel('Message').fill(text);
    await user.getByRole('button', { name: 'Send as this user' }).click();
  };
  await replace.getByLabel('New page access token').fill(page.token);
  await replace.getByLabel('New app secret').fill(rotated);
  await replace.getByLabel('New verify token').fill('verify-e2e-token-2');
  await replace.getByRole('button', { name: 'Test and save' }).click();
  await expect(replace.getByTestId('channel-replace-result')).toContainText('Saved');
  expect(await p.content()).not.toContain(rotated);
  await sendAsUser(appSecret, 'The old secret after the rotation');
  await expect(user.getByRole('status')).toContainText('Webhook answered 403');
  await sendAsUser(rotated, 'The new secret');
  await expect(user.getByRole('status')).toContainText('"stored":1');
  await user.close();
  await admin.context.close();
});
