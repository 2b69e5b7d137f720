// Issue 19 in Chromium: outside office hours the widget is away and asks for an email before the first message
// (stored on the visitor); contact-form mode stores name, email and message as a conversation; two browsers
// identified as the same verified user see the same history; a forged identify sees none of it.
import { expect, test } from '@playwright/test';
import { identify, ownWidget, userHash } from './own-widget.ts';
import { ACME_ADMIN, DASHBOARD, query, signIn } from './support.ts';

// Always closed: hours in use, no opening range.
const CLOSED = { enabled: true, time_zone: 'Europe/Berlin', weekly: '[]' };

test('outside office hours the widget is away, asks for an email first, then chats on with the away notice', async ({ page }) => {
  const w = await ownWidget({}, { hours: { ...CLOSED, away_mode: 'message', away_message: 'Back at 9 tomorrow.' } });
  await page.goto(w.url);
  await page.getByRole('button', { name: 'Chat with us' }).click();
  const form = page.getByTestId('away-form');
  await expect(form).toContainText('Back at 9 tomorrow.');
  // The form replaced the composer: focus is on its first field, inside the dialog.
  await expect(page.getByLabel('Your email, so we can answer you')).toBeFocused();
  // The normal composer is not offered until an email is known.
  await expect(page.getByLabel('How can we help?')).toHaveCount(0);
  await page.getByLabel('Your message').fill('Do you ship to Norway?');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('Required')).toBeVisible();
  await page.getByLabel('Your email, so we can answer you').fill('not-an-email');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('Enter a valid email address')).toBeVisible();
  await page.getByLabel('Your email, so we can answer you').fill('nora@example.com');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('[data-message-id][data-state="sent"]', { hasText: 'Do you ship to Norway?' })).toBeVisible();
  await expect(page.getByTestId('away')).toContainText('Back at 9 tomorrow.');
  const rows = await query<{ email: string; body: string }>(
    `select v.email, m.body from public.visitors v join public.conversations c on c.visitor_id = v.id join public.messages m on m.conversation_id = c.id where v.company_id = $1`,
    [w.companyId],
  );
  expect(rows).toEqual([{ email: 'nora@example.com', body: 'Do you ship to Norway?' }]);
  // A reload knows the email was given: the chat, not the form.
  await page.reload();
  await page.getByRole('button', { name: 'Chat with us' }).click();
  await expect(page.getByLabel('Type your message')).toBeVisible();
  await expect(page.getByTestId('away-form')).toHaveCount(0);
});

test('in contact-form mode the away widget takes name, email and message only, stored as a conversation', async ({ page }) => {
  const w = await ownWidget({}, { hours: { ...CLOSED, away_mode: 'form' } });
  await page.goto(w.url);
  await page.getByRole('button', { name: 'Chat with us' }).click();
  await page.getByLabel('Your name').fill('Fiona Form');
  await page.getByLabel('Your email').fill('fiona@example.com');
  await page.getByLabel('Your message').fill('Please call me back.');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('[data-message-id][data-state="sent"]', { hasText: 'Please call me back.' })).toBeVisible();
  const rows = await query<{ name: string; email: string; n: number }>(
    `select v.name, v.email, count(m.*)::int as n from public.visitors v join public.conversations c on c.visitor_id = v.id join public.messages m on m.conversation_id = c.id where v.company_id = $1 group by 1, 2`,
    [w.companyId],
  );
  expect(rows).toEqual([{ name: 'Fiona Form', email: 'fiona@example.com', n: 1 }]);
});

test('two browsers identified as the same verified user see the same history; an unsigned replay sees nothing', async ({ browser }) => {
  const secret = 'c3'.repeat(32);
  const w = await ownWidget({ prechat_name: 'off', prechat_email: 'off' }, { secret });
  const userId = `customer-${Date.now().toString(36)}`;
  const laptop = await browser.newContext();
  const first = await laptop.newPage();
  await first.goto(w.url);
  await identify(first, { userId, userHash: userHash(secret, userId), name: 'Vera Verified', email: 'vera@example.com' });
  const identified = first.waitForResponse((r) => r.url().includes('/widget-identify') && r.request().method() === 'POST');
  await first.getByRole('button', { name: 'Chat with us' }).click();
  expect((await identified).status()).toBe(200);
  await first.getByLabel('Type your message').fill('Started on my laptop');
  await first.getByLabel('Type your message').press('Enter');
  await expect(first.locator('[data-message-id][data-state="sent"]', { hasText: 'Started on my laptop' })).toBeVisible();

  const phone = await browser.newContext();
  const second = await phone.newPage();
  await second.goto(w.url);
  await identify(second, { userId, userHash: userHash(secret, userId) });
  await second.getByRole('button', { name: 'Chat with us' }).click();
  await second.getByText('Earlier conversations (1)').click();
  await second.getByRole('button', { name: /Started on my laptop/ }).click();
  await expect(second.getByTestId('earlier').locator('[data-message-id]')).toHaveText(['Started on my laptop']);
  const people = await query<{ n: number }>(`select count(distinct v.verified_visitor_id)::int as n from public.visitors v where v.company_id = $1 and v.verified_visitor_id is not null`, [w.companyId]);
  expect(people).toEqual([{ n: 1 }]);

  // A third browser replays the userId without its hash: no list, and the person stays as signed.
  const other = await browser.newContext();
  const third = await other.newPage();
  const errors: string[] = [];
  third.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await third.goto(w.url);
  await identify(third, { userId, name: 'Mallory', email: 'mallory@example.com' });
  await third.getByRole('button', { name: 'Chat with us' }).click();
  await third.getByLabel('Type your message').fill('Let me in');
  await third.getByLabel('Type your message').press('Enter');
  await expect(third.locator('[data-message-id][data-state="sent"]', { hasText: 'Let me in' })).toBeVisible();
  await expect(third.getByTestId('earlier')).toHaveCount(0);
  const person = await query(`select name, email from public.verified_visitors where company_id = $1`, [w.companyId]);
  expect(person).toEqual([{ name: 'Vera Verified', email: 'vera@example.com' }]);
  for (const c of [laptop, phone, other]) await c.close();
});

test('with verification required, an unsigned identify() is refused with a clear console error', async ({ page }) => {
  const w = await ownWidget({ require_verification: true }, { secret: 'd4'.repeat(32) });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(w.url);
  await identify(page, { userId: 'someone', name: 'Unsigned' });
  await page.getByRole('button', { name: 'Chat with us' }).click();
  await expect.poll(() => errors.join('\n')).toContain('identify() refused: this chat requires verified visitors');
  expect(await query(`select 1 from public.verified_visitors where company_id = $1`, [w.companyId])).toEqual([]);
});

test('the hours settings preview says open or closed for the hours as typed, before saving', async ({ browser }) => {
  const admin = await signIn(browser, ACME_ADMIN);
  await admin.page.goto(`${DASHBOARD}/settings/hours`);
  const now = admin.page.getByTestId('open-now');
  // Not set up: always open.
  await expect(now).toHaveAttribute('data-open', 'true');
  await admin.page.getByLabel('Use office hours (off: always open)').check();
  await admin.page.getByLabel('Time zone').fill('Pacific/Kiritimati');
  for (const day of ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday']) await admin.page.getByLabel(`${day} open`, { exact: true }).uncheck();
  await expect(now).toHaveAttribute('data-open', 'false');
  await expect(now).toContainText('closed');
  // Hours not in use: always open.
  await admin.page.getByLabel('Use office hours (off: always open)').uncheck();
  await expect(now).toHaveAttribute('data-open', 'true');
  // A bad zone: the field says so, and the preview keeps the last good answer.
  await admin.page.getByLabel('Time zone').fill('Mars/Olympus');
  await expect(admin.page.getByText(/Unknown time zone/)).toBeVisible();
  expect(await query(`select 1 from public.office_hours o join public.widget_configs w using (company_id) where w.widget_key = 'pk_demo_acme'`)).toEqual([]);
  await admin.context.close();
});
