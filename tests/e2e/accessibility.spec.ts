// Every screen of the dashboard and the widget against axe-core's WCAG 2.1 A and AA rules, in real Chromium.
// Each screen is reached as a user reaches it; the widget is checked inside its (open) shadow root.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';
import { identify, ownWidget, userHash } from './own-widget.ts';
import { ACME_ADMIN, ACME_AGENT, DASHBOARD, dashboardLive, openWidget, query, resolveWhileWatching, signIn, startChat } from './support.ts';

const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The violations on the page (or inside `include`), as readable lines: rule, impact, and where. */
async function violations(page: Page, include?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page }).withTags(WCAG_21_AA);
  if (include) builder = builder.include(include);
  const { violations: found } = await builder.analyze();
  return found.flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`));
}

test.describe.configure({ mode: 'serial' });

test('the dashboard’s sign-in page', async ({ page }) => {
  await page.goto(`${DASHBOARD}/login`);
  expect(await violations(page)).toEqual([]);
  // With the error the form shows after a wrong password.
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  expect(await violations(page)).toEqual([]);
});

test('the inbox, a selected conversation with the customer profile open, and the filters', async ({ browser }) => {
  const visitor = await browser.newPage();
  const name = `A11y ${Date.now().toString(36)}`;
  await startChat(visitor, name, 'Is this page accessible?');
  const { page } = await signIn(browser, ACME_AGENT);
  expect(await violations(page)).toEqual([]);
  // A selected row (its preview text on the selected background), the thread and the composer.
  await page.getByTestId('conversation-list').locator('li', { hasText: name }).getByRole('link').click();
  await expect(page.getByTestId('conversation-title')).toHaveText(name);
  await page.getByLabel('Reply').fill('Checking');
  expect(await violations(page)).toEqual([]);
  const profile = page.getByRole('button', { name: /profile/i });
  if (await profile.count()) {
    await profile.first().click();
    expect(await violations(page)).toEqual([]);
  }
  await page.goto(`${DASHBOARD}/inbox?status=resolved`);
  expect(await violations(page)).toEqual([]);
  await page.goto(`${DASHBOARD}/inbox?q=${encodeURIComponent('nothing matches this')}`);
  expect(await violations(page)).toEqual([]);
  // Search results: snippets with marked matches, and the date range fields.
  await page.goto(`${DASHBOARD}/inbox?q=accessible`);
  await expect(page.getByTestId('search-snippet').first().locator('mark')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await visitor.close();
  await page.context().close();
});

test('the conversation view’s emails to the visitor: sent, retrying and failed', async ({ browser }) => {
  const visitor = await browser.newPage();
  const conversationId = await startChat(visitor, `Mail ${Date.now().toString(36)}`, 'Email me, please');
  await visitor.close();
  await query(
    `insert into public.visitor_emails (company_id, conversation_id, kind, to_email, status, attempts, last_error, sent_at, next_attempt_at)
     select c.company_id, c.id, k, 'v@example.com', s::public.visitor_email_status, a, e, case when s = 'sent' then now() end, 'infinity'
       from public.conversations c, (values ('follow_up'::public.visitor_email_kind, 'sent', 1, null), ('follow_up', 'queued', 2, 'HTTP 503: down'), ('transcript', 'failed', 1, 'HTTP 422: bad address')) v(k, s, a, e)
      where c.id = $1`,
    [conversationId],
  );
  const { page } = await signIn(browser, ACME_AGENT);
  await page.goto(`${DASHBOARD}/inbox/${conversationId}`);
  await expect(page.getByTestId('visitor-emails').locator('li')).toHaveCount(3);
  expect(await violations(page)).toEqual([]);
  await page.context().close();
});

test('the admin’s team and widget settings pages, and what an agent sees there', async ({ browser }) => {
  const admin = await signIn(browser, ACME_ADMIN);
  await admin.page.goto(`${DASHBOARD}/settings/email`);
  expect(await violations(admin.page)).toEqual([]);
  await admin.page.getByLabel('Minutes before an unseen reply is emailed').fill('0');
  await admin.page.getByRole('button', { name: 'Save' }).click();
  await expect(admin.page.getByText('At least 1 minute.')).toBeVisible();
  expect(await violations(admin.page)).toEqual([]);
  await admin.page.goto(`${DASHBOARD}/team`);
  await expect(admin.page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(await violations(admin.page)).toEqual([]);
  await admin.page.goto(`${DASHBOARD}/settings/widget`);
  await expect(admin.page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(await violations(admin.page)).toEqual([]);
  await admin.page.goto(`${DASHBOARD}/settings/channels`);
  await expect(admin.page.getByRole('heading', { level: 1, name: 'Channels' })).toBeVisible();
  expect(await violations(admin.page)).toEqual([]);
  await admin.context.close();

  const agent = await signIn(browser, ACME_AGENT);
  await agent.page.goto(`${DASHBOARD}/settings/widget`);
  expect(await violations(agent.page)).toEqual([]);
  // The 403 screen an agent gets on an admin page, inside the dashboard layout.
  await agent.page.goto(`${DASHBOARD}/team`);
  await expect(agent.page.getByTestId('admin-required')).toBeVisible();
  expect(await violations(agent.page)).toEqual([]);
  await agent.context.close();
});

test('the agent toolkit: labels and canned settings, chips, the composer in note mode and with the / picker open', async ({ browser }) => {
  const tag = Date.now().toString(36);
  const [acme] = await query<{ id: string }>(`select company_id as id from public.widget_configs where widget_key = 'pk_demo_acme'`);
  await query(`insert into public.canned_responses (company_id, shortcut, title, body) values ($1, $2, 'A11y greeting', 'Hi {{visitor.name}}!')`, [acme!.id, `a11y-${tag}`]);
  await query(`insert into public.labels (company_id, name, color) values ($1, $2, '#fde047'), ($1, $3, '#1d4ed8')`, [acme!.id, `Light ${tag}`, `Dark ${tag}`]);
  try {
    const visitor = await browser.newPage();
    const name = `Kit ${tag}`;
    await startChat(visitor, name, 'Checking the toolkit');
    const admin = await signIn(browser, ACME_ADMIN);
    for (const path of ['/settings/labels', '/settings/canned']) {
      await admin.page.goto(`${DASHBOARD}${path}`);
      await expect(admin.page.getByRole('heading', { level: 1 })).toBeVisible();
      expect(await violations(admin.page)).toEqual([]);
    }
    await admin.page.goto(`${DASHBOARD}/inbox`);
    await admin.page.getByTestId('conversation-list').locator('li', { hasText: name }).getByRole('link').click();
    await admin.page.getByTestId('add-label').selectOption({ label: `Light ${tag}` });
    await expect(admin.page.getByTestId('conversation-labels').getByTestId('label-chip')).toHaveCount(1);
    await admin.page.getByTestId('add-label').selectOption({ label: `Dark ${tag}` });
    await expect(admin.page.getByTestId('conversation-labels').getByTestId('label-chip')).toHaveCount(2);
    expect(await violations(admin.page)).toEqual([]);
    await admin.page.getByLabel('Reply').pressSequentially(`/a11y-${tag}`);
    await expect(admin.page.getByRole('listbox', { name: 'Canned responses' })).toBeVisible();
    expect(await violations(admin.page)).toEqual([]);
    await admin.page.getByLabel('Reply').fill('');
    await admin.page.getByTestId('mode-note').click();
    await admin.page.getByLabel('Private note').fill('An internal note');
    expect(await violations(admin.page)).toEqual([]);
    await admin.page.getByLabel('Private note').press('Enter');
    await expect(admin.page.locator('[data-private="true"][data-state="sent"]')).toBeVisible();
    expect(await violations(admin.page)).toEqual([]);
    await visitor.close();
    await admin.context.close();
  } finally {
    await query(`delete from public.canned_responses where company_id = $1 and shortcut = $2`, [acme!.id, `a11y-${tag}`]);
    await query(`delete from public.labels where company_id = $1 and name in ($2, $3)`, [acme!.id, `Light ${tag}`, `Dark ${tag}`]);
  }
});

test('the help center admin pages (list, trying a question, editor with preview) and what an agent sees there', async ({ browser }) => {
  const admin = await signIn(browser, ACME_ADMIN);
  await admin.page.goto(`${DASHBOARD}/help`);
  await expect(admin.page.getByRole('heading', { level: 1, name: 'Help center' })).toBeVisible();
  expect(await violations(admin.page)).toEqual([]);
  // "Try a visitor's question": an answer the bot would give, then an empty question's error.
  await admin.page.getByRole('searchbox', { name: 'Question' }).fill('Do you ship to Norway?');
  await admin.page.getByRole('button', { name: 'Try' }).click();
  await expect(admin.page.getByTestId('try-result').getByRole('status')).toContainText('The Auto Bot would answer');
  await expect(admin.page.getByTestId('try-match').first()).toContainText('Shipping to other countries');
  expect(await violations(admin.page)).toEqual([]);
  await admin.page.getByRole('searchbox', { name: 'Question' }).fill(' ');
  await admin.page.getByRole('button', { name: 'Try' }).click();
  await expect(admin.page.getByText('Type a question.')).toBeVisible();
  expect(await violations(admin.page)).toEqual([]);
  await admin.page.goto(`${DASHBOARD}/help/new`);
  await admin.page.getByLabel(/^Body/).fill('# Heading\n\nSome **bold** text and a [link](https://example.com).');
  await expect(admin.page.getByTestId('article-preview').locator('a')).toBeVisible();
  expect(await violations(admin.page)).toEqual([]);
  await admin.context.close();
  const agent = await signIn(browser, ACME_AGENT);
  await agent.page.goto(`${DASHBOARD}/help`);
  await expect(agent.page.getByTestId('admin-required')).toBeVisible();
  expect(await violations(agent.page)).toEqual([]);
  await agent.context.close();
});

test('the invitation pages', async ({ browser }) => {
  const { page, context } = await signIn(browser, ACME_AGENT);
  await page.goto(`${DASHBOARD}/invitations`);
  expect(await violations(page)).toEqual([]);
  await page.goto(`${DASHBOARD}/auth/confirm?token_hash=${'a'.repeat(40)}&type=invite&next=/invitations`);
  expect(await violations(page)).toEqual([]);
  await context.close();
});

test('the widget: launcher, pre-chat form, chat, a failed message', async ({ page }) => {
  await page.goto(process.env.PORCHLIGHT_DEMO_URL!);
  await expect(page.getByRole('button', { name: 'Chat with Acme' })).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await openWidget(page);
  await expect(page.getByLabel('Your name')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await page.getByLabel('Your name').fill('Ada A11y');
  await page.getByLabel('How can we help?').fill('Hello');
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.getByLabel('Type your message')).toBeVisible();
  const [row] = await query<{ id: string }>(`select id from public.visitors where name = 'Ada A11y' order by first_seen_at desc limit 1`);
  expect(row).toBeTruthy();
  // A message the widget refuses (a NUL in it, as a paste can leave): shown failed, with Edit and Delete.
  const box = page.getByLabel('Type your message');
  await box.evaluate((el: HTMLTextAreaElement) => {
    el.value = 'bad\u0000text';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await box.press('Enter');
  await expect(page.locator('[data-state="failed"]')).toBeVisible();
  expect(await violations(page)).toEqual([]);
});

test('the widget’s transcript button once the conversation is resolved', async ({ page }) => {
  const conversationId = await startChat(page, 'Rita Resolved', 'Thanks, that is all');
  await resolveWhileWatching(page, conversationId);
  expect(await violations(page)).toEqual([]);
});

test('attachments: the widget\'s tray, thumbnails, file cards and full-size view; the dashboard\'s files and sidebar list', async ({ browser, page }) => {
  const conversationId = await startChat(page, 'Ali Attach', 'Files for you');
  const png = Buffer.from(
    await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 120;
      c.height = 80;
      c.getContext('2d')!.fillRect(0, 0, 120, 80);
      return c.toDataURL('image/png').split(',')[1]!;
    }),
    'base64',
  );
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  await page.route('**/storage/v1/object/upload/sign/**', async (route) => {
    await gate;
    await route.continue();
  });
  await page.getByLabel('Attach files').setInputFiles([
    { name: 'photo.png', mimeType: 'image/png', buffer: png },
    { name: 'terms.pdf', mimeType: 'application/pdf', buffer: pdf },
  ]);
  await expect(page.getByRole('progressbar', { name: 'Uploading terms.pdf' })).toBeVisible();
  expect(await violations(page)).toEqual([]);
  release();
  await expect(page.locator('[data-upload="done"]')).toHaveCount(2);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByRole('button', { name: 'Download terms.pdf' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Open photo.png' }).locator('img')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await page.getByRole('button', { name: 'Open photo.png' }).click();
  await expect(page.getByRole('dialog', { name: 'photo.png' })).toBeVisible();
  expect(await violations(page)).toEqual([]);

  const { page: agent } = await signIn(browser, ACME_AGENT);
  await agent.goto(`${DASHBOARD}/inbox/${conversationId}`);
  await expect(agent.getByRole('link', { name: 'Download terms.pdf' }).first()).toBeVisible();
  await agent.getByRole('button', { name: 'Customer Info' }).click();
  await expect(agent.getByRole('region', { name: 'Files' })).toBeVisible();
  expect(await violations(agent)).toEqual([]);
});

test('the live signals: typing, seen and the team online, in the widget and the dashboard', async ({ browser }) => {
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const name = `A11y live ${Date.now().toString(36)}`;
  await startChat(visitor, name, 'Anyone online?');
  const { page } = await signIn(browser, ACME_AGENT);
  await page.getByTestId('conversation-list').locator('li', { hasText: name }).getByRole('link').click();
  await expect(page.getByTestId('conversation-title')).toHaveText(name);
  // The visitor types: the dashboard's typing line and the row's mark.
  await visitor.getByLabel('Type your message').pressSequentially('Still there');
  await expect(page.getByTestId('visitor-typing')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  // The agent types and has read: the widget's typing line, "Seen" and the header's team online.
  await page.getByLabel('Reply').pressSequentially('Yes');
  await expect(visitor.getByTestId('typing')).toBeVisible();
  await expect(visitor.getByTestId('seen')).toBeVisible();
  await expect(visitor.getByTestId('availability')).toHaveAttribute('data-state', 'online');
  expect(await violations(visitor)).toEqual([]);
  await visitorContext.close();
  await page.context().close();
});

test('CSAT and reports: the widget\'s rating prompt after resolve, the reports page with its charts and tables', async ({ browser }) => {
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const name = `A11y rating ${Date.now().toString(36)}`;
  const conversationId = await startChat(visitor, name, 'Rate me?');
  const { page } = await signIn(browser, ACME_ADMIN);
  await page.goto(`${DASHBOARD}/inbox/${conversationId}`);
  await dashboardLive(page);
  await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('resolved');
  await expect(visitor.getByTestId('rating')).toBeVisible();
  expect(await violations(visitor)).toEqual([]);
  await visitor.getByTestId('rating').getByText('3 of 5').click();
  await visitor.getByRole('button', { name: 'Send rating' }).click();
  await expect(visitor.getByTestId('rating').getByRole('status')).toHaveText('Thank you for your rating.');
  expect(await violations(visitor)).toEqual([]);
  await page.goto(`${DASHBOARD}/reports`);
  await expect(page.getByTestId('chart-per-day')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  // With the charts' number tables open.
  for (const summary of await page.getByText('Show the numbers').all()) await summary.click();
  expect(await violations(page)).toEqual([]);
  await visitorContext.close();
  await page.context().close();
});

test('away mode: the away form with its errors, the away notice, the contact form', async ({ page }) => {
  const closed = { enabled: true, time_zone: 'Europe/Berlin', weekly: '[]' };
  const away = await ownWidget({}, { hours: { ...closed, away_mode: 'message' } });
  await page.goto(away.url);
  await page.getByRole('button', { name: 'Chat with us' }).click();
  await expect(page.getByTestId('away-form')).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByText('Required').first()).toBeVisible();
  expect(await violations(page)).toEqual([]);
  await page.getByLabel('Your email, so we can answer you').fill('ally@example.com');
  await page.getByLabel('Your message').fill('Hello while away');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByTestId('away')).toBeVisible();
  await expect(page.locator('[data-message-id][data-state="sent"]')).toBeVisible();
  expect(await violations(page)).toEqual([]);

  const form = await ownWidget({}, { hours: { ...closed, away_mode: 'form' } });
  await page.goto(form.url);
  await page.getByRole('button', { name: 'Chat with us' }).click();
  await expect(page.getByLabel('Your name')).toBeVisible();
  expect(await violations(page)).toEqual([]);

});

test('verified visitors: the earlier conversations list and an opened one; the hours settings page', async ({ browser }) => {
  const secret = 'e5'.repeat(32);
  const verified = await ownWidget({ prechat_name: 'off', prechat_email: 'off' }, { secret });
  const userId = `a11y-${Date.now().toString(36)}`;
  for (const text of [null, 'Earlier question']) {
    const context = await browser.newContext();
    const p = await context.newPage();
    await p.goto(verified.url);
    await identify(p, { userId, userHash: userHash(secret, userId) });
    const identified = p.waitForResponse((r) => r.url().includes('/widget-identify') && r.request().method() === 'POST');
    await p.getByRole('button', { name: 'Chat with us' }).click();
    expect((await identified).status()).toBe(200);
    if (text) {
      // The second browser: the first one's conversation in the list, then opened.
      await p.getByText('Earlier conversations (1)').click();
      await expect(p.getByRole('button', { name: /Earlier question/ })).toBeVisible();
      expect(await violations(p)).toEqual([]);
      await p.getByRole('button', { name: /Earlier question/ }).click();
      await expect(p.getByTestId('earlier').locator('[data-message-id]')).toHaveText(['Earlier question']);
      expect(await violations(p)).toEqual([]);
    } else {
      await p.getByLabel('Type your message').fill('Earlier question');
      await p.getByLabel('Type your message').press('Enter');
      await expect(p.locator('[data-message-id][data-state="sent"]')).toBeVisible();
    }
    await context.close();
  }

  const admin = await signIn(browser, ACME_ADMIN);
  await admin.page.goto(`${DASHBOARD}/settings/hours`);
  await expect(admin.page.getByRole('heading', { level: 1, name: 'Office hours & away' })).toBeVisible();
  expect(await violations(admin.page)).toEqual([]);
  // An invalid zone shows its error (not saved: pk_demo_acme's hours stay unset for the other specs).
  await admin.page.getByLabel('Time zone').fill('Mars/Olympus');
  await expect(admin.page.getByText(/Unknown time zone/)).toBeVisible();
  expect(await violations(admin.page)).toEqual([]);
  await admin.context.close();
});
