// Email follow-up in real Chromium: the visitor writes (leaving an email) and closes the tab; the agent replies
// from the dashboard; after N minutes on the job's clock (p_now, no sleeps) exactly one email arrives at the mail
// catcher (the test double for an email provider) with the reply; the dashboard shows it sent; its link opens
// the conversation with its history in a new browser; a second run sends nothing; the used link opens nothing.
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { ACME_ADMIN, ACME_AGENT, DEMO, openWidget, query, resolveWhileWatching, signIn } from './support.ts';

const MAIL = () => process.env.PORCHLIGHT_MAIL_URL!;

async function mailsTo(to: string): Promise<{ Text: string; Subject: string }[]> {
  const list = (await (await fetch(`${MAIL()}/api/v1/messages?to=${encodeURIComponent(to)}`)).json()) as { messages: { ID: string }[] };
  return Promise.all(list.messages.map(async (m) => (await fetch(`${MAIL()}/api/v1/message/${m.ID}`)).json()));
}

/** One run of the scheduled job at `now`; returns the function's answer through pg_net, or null when nothing was due. */
async function runJob(now: string): Promise<unknown> {
  const id = (await query<{ id: string | null }>('select private.run_email_job($1) as id', [now]))[0]?.id ?? null;
  if (id === null) return null;
  await expect.poll(async () => (await query('select 1 from net._http_response where id = $1', [id])).length, { timeout: 20_000 }).toBe(1);
  const [answer] = await query<{ status_code: number; content: string }>('select status_code, content from net._http_response where id = $1', [id]);
  expect(answer!.status_code).toBe(200);
  return JSON.parse(answer!.content);
}

test('an unseen reply is emailed once, and its link reopens the conversation in another browser once', async ({ browser }) => {
  const email = `visitor-${randomUUID()}@example.com`;
  const name = `Mailed ${randomUUID().slice(0, 6)}`;
  const visitor = await browser.newContext();
  const page = await visitor.newPage();
  await openWidget(page);
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel(/^Email/).fill(email);
  await page.getByLabel('How can we help?').fill('Do you ship to Norway?');
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.locator('[data-message-id][data-state="sent"]', { hasText: 'Do you ship to Norway?' })).toBeVisible();
  const conversationId = await page.evaluate(() => localStorage.getItem('porchlight:pk_demo_acme:conversation')!);
  await visitor.close();

  const agent = await signIn(browser, ACME_AGENT);
  await agent.page.goto(`/inbox/${conversationId}`);
  await expect(agent.page.getByTestId('conversation-title')).toHaveText(name);
  await agent.page.getByLabel('Reply').fill('Yes, we ship to Norway in 3 days.');
  await agent.page.getByLabel('Reply').press('Enter');
  await expect(agent.page.getByTestId('messages').getByText('Yes, we ship to Norway in 3 days.')).toBeVisible();
  await expect.poll(async () => (await query('select 1 from public.messages where conversation_id = $1 and sender_kind = $2', [conversationId, 'agent'])).length).toBe(1);
  const [reply] = await query<{ created_at: Date }>(`select created_at from public.messages where conversation_id = $1 and sender_kind = 'agent'`, [conversationId]);
  const at = (min: number) => new Date(reply!.created_at.getTime() + min * 60_000).toISOString();

  await runJob(at(4));
  expect(await mailsTo(email)).toEqual([]);
  await runJob(at(6));
  const mails = await mailsTo(email);
  expect(mails).toHaveLength(1);
  expect(mails[0]!.Subject).toBe('New reply from Acme');
  expect(mails[0]!.Text).toContain('Yes, we ship to Norway in 3 days.');
  await runJob(at(7));
  expect(await mailsTo(email)).toHaveLength(1);

  // The agent's open page shows the email without a reload (visitor_email.changed on the company topic).
  await expect(agent.page.getByTestId('visitor-emails').locator('li[data-status="sent"]')).toContainText('Follow-up of unseen replies');
  await agent.context.close();

  const link = /(http\S+#porchlight_resume=\S+)/.exec(mails[0]!.Text)![1]!;
  expect(link.startsWith(DEMO())).toBe(true);
  const phone = await browser.newContext();
  const again = await phone.newPage();
  await again.goto(link);
  await expect(again.getByTitle('Chat with Acme')).toHaveAttribute('aria-expanded', 'true');
  await expect(again.getByText('Do you ship to Norway?')).toBeVisible();
  await expect(again.getByText('Yes, we ship to Norway in 3 days.')).toBeVisible();
  await phone.close();

  // The link was used: in yet another browser it opens nothing.
  const other = await browser.newContext();
  const third = await other.newPage();
  const refused = third.waitForResponse((r) => r.url().includes('/functions/v1/widget-resume'));
  await third.goto(link);
  expect((await refused).status()).toBe(404);
  await expect(third.getByRole('button', { name: 'Chat with Acme' })).toHaveAttribute('aria-expanded', 'false');
  await expect(third.getByLabel('Type your message')).toHaveCount(0);
  await other.close();
});

test('after the agents resolve it, the visitor gets the transcript by email from the widget, once', async ({ page }) => {
  const email = `transcript-${randomUUID()}@example.com`;
  await openWidget(page);
  await page.getByLabel('Your name').fill('Tess Transcript');
  await page.getByLabel(/^Email/).fill(email);
  await page.getByLabel('How can we help?').fill('Can I get this in writing?');
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.locator('[data-message-id][data-state="sent"]', { hasText: 'Can I get this in writing?' })).toBeVisible();
  const conversationId = await page.evaluate(() => localStorage.getItem('porchlight:pk_demo_acme:conversation')!);
  await expect(page.getByRole('button', { name: 'Email me the transcript' })).toHaveCount(0);
  await resolveWhileWatching(page, conversationId);
  const ask = page.getByRole('button', { name: 'Email me the transcript' });
  await ask.click();
  await expect(page.getByRole('status').filter({ hasText: 'We are emailing you the transcript.' })).toBeVisible();
  await expect.poll(async () => (await mailsTo(email)).length, { timeout: 20_000 }).toBe(1);
  const [mail] = await mailsTo(email);
  expect(mail!.Subject).toBe('Your conversation with Acme');
  expect(mail!.Text).toContain('Can I get this in writing?');
});

test('an admin sets the minutes and the Reply-To; bad values are refused with the field named; agents may not', async ({ browser }) => {
  const admin = await signIn(browser, ACME_ADMIN);
  await admin.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Email', exact: true }).click();
  await expect(admin.page.getByRole('heading', { name: 'Email follow-up' })).toBeVisible();
  const minutes = admin.page.getByLabel('Minutes before an unseen reply is emailed');
  const replyTo = admin.page.getByLabel('Reply-To address (optional)');
  await minutes.fill('0');
  await replyTo.fill('not an email');
  await admin.page.getByRole('button', { name: 'Save' }).click();
  await expect(admin.page.getByText('At least 1 minute.')).toBeVisible();
  await expect(admin.page.getByText('Enter an email address, or leave it empty.')).toBeVisible();
  expect(await query(`select follow_up_minutes, email_reply_to from public.companies where id = 'c0000000-0000-4000-8000-00000000ac3e'`)).toEqual([{ follow_up_minutes: 5, email_reply_to: null }]);
  await minutes.fill('10');
  await replyTo.fill('help@acme.test');
  await admin.page.getByRole('button', { name: 'Save' }).click();
  await expect(admin.page.getByRole('status')).toHaveText('Saved.');
  expect(await query(`select follow_up_minutes, email_reply_to from public.companies where id = 'c0000000-0000-4000-8000-00000000ac3e'`)).toEqual([{ follow_up_minutes: 10, email_reply_to: 'help@acme.test' }]);
  await query(`update public.companies set follow_up_minutes = 5, email_reply_to = null where id = 'c0000000-0000-4000-8000-00000000ac3e'`);
  await admin.context.close();

  const agent = await signIn(browser, ACME_AGENT);
  await agent.page.goto('/settings/email');
  await expect(agent.page.getByTestId('admin-required')).toBeVisible();
  await agent.context.close();
});
