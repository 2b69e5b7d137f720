// Issue 21 in real Chromium, an agent's and a visitor's browser side by side: a canned reply picked with `/` and
// its variables filled, a private note that never shows on the visitor's page (live, after a reload, and no typing
// while it is written), and labels an admin defines, an agent puts on, another agent sees live, the inbox filters by.
// A company of its own, so no other test's data is in its inbox.
import { randomUUID } from 'node:crypto';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { DASHBOARD, DEMO, query, serviceClient, signIn } from './support.ts';

test.describe.configure({ mode: 'serial' });

const suffix = randomUUID().slice(0, 8);
const company = randomUUID();
const widgetKey = `pk_kit_${suffix}`;
const admin = { email: `kit-admin-${suffix}@example.com`, password: 'toolkit-admin-pw' };
const agent = { email: `kit-agent-${suffix}@example.com`, password: 'toolkit-agent-pw' };
const userIds: string[] = [];

test.beforeAll(async () => {
  await query(`insert into public.companies (id, name) values ($1, $2)`, [company, `Toolkit ${suffix}`]);
  for (const [who, role, name] of [
    [admin, 'admin', 'Ada Admin'],
    [agent, 'agent', 'Sam Agent'],
  ] as const) {
    const created = await serviceClient().auth.admin.createUser({ ...who, email_confirm: true });
    expect(created.error).toBeNull();
    userIds.push(created.data.user!.id);
    await query(`insert into public.company_members (company_id, user_id, role, display_name) values ($1, $2, $3, $4)`, [company, created.data.user!.id, role, name]);
  }
  await query(`insert into public.widget_configs (company_id, widget_key, title, allowed_origins) values ($1, $2, 'Chat with Toolkit', $3)`, [
    company,
    widgetKey,
    [new URL(DEMO()).origin],
  ]);
});

test.afterAll(async () => {
  await query('delete from public.companies where id = $1', [company]);
  for (const id of userIds) await serviceClient().auth.admin.deleteUser(id);
});

async function visitor(browser: Browser, name: string, email: string, text: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${DEMO()}/?key=${widgetKey}`);
  await page.getByRole('button', { name: /chat/i }).first().click();
  await page.getByLabel('Your name').fill(name);
  const emailField = page.getByLabel(/email/i);
  if (await emailField.count()) await emailField.first().fill(email);
  await page.getByLabel('How can we help?').fill(text);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.locator('[data-message-id][data-state="sent"]', { hasText: text })).toBeVisible();
  return { context, page };
}

async function openConversation(page: Page, name: string) {
  await page.getByTestId('conversation-list').locator('li', { hasText: name }).click();
  await expect(page.getByTestId('conversation-title')).toHaveText(name);
}

test('an admin saves a canned reply; an agent picks it with / and the keyboard, variables filled', async ({ browser }) => {
  const a = await signIn(browser, admin);
  await a.page.goto(`${DASHBOARD}/settings/canned`);
  await a.page.getByLabel('Shortcut').fill('greet');
  await a.page.getByLabel('Title').fill('Greeting');
  await a.page.getByLabel('Reply').fill('Hi {{visitor.name}}, {{agent.name}} from {{company.name}} here.');
  await a.page.getByRole('button', { name: 'Add canned response' }).click();
  await expect(a.page.getByText('Saved as /greet.')).toBeVisible();
  await query(`insert into public.canned_responses (company_id, shortcut, title, body) values ($1, 'bye', 'Goodbye', 'Bye!')`, [company]);
  await a.context.close();

  const name = `Nora ${suffix}`;
  const v = await visitor(browser, name, `nora-${suffix}@example.com`, 'Hello, anyone?');
  const dash = await signIn(browser, agent);
  await openConversation(dash.page, name);
  const box = dash.page.getByLabel('Reply');
  await box.click();
  await box.pressSequentially('/');
  const picker = dash.page.getByRole('listbox', { name: 'Canned responses' });
  await expect(picker.getByRole('option')).toHaveCount(2);
  await box.pressSequentially('gr');
  await expect(picker.getByRole('option')).toHaveCount(1);
  await expect(picker.getByRole('option', { selected: true })).toContainText('/greet');
  await expect(box).toHaveAttribute('aria-activedescendant', /canned-/);
  // Escape closes it and keeps the draft; typing opens it again; arrows then Enter insert.
  await box.press('Escape');
  await expect(picker).toHaveCount(0);
  await expect(box).toHaveValue('/gr');
  await box.press('Backspace');
  await box.press('Backspace');
  await expect(picker.getByRole('option')).toHaveCount(2);
  await box.press('ArrowDown');
  await box.press('ArrowDown');
  await expect(picker.getByRole('option', { selected: true })).toContainText('/bye');
  await box.press('ArrowUp');
  await expect(picker.getByRole('option', { selected: true })).toContainText('/greet');
  await box.press('Enter');
  const filled = `Hi ${name}, Sam Agent from Toolkit ${suffix} here.`;
  await expect(box).toHaveValue(filled);
  await box.press('Enter');
  await expect(v.page.locator('[data-message-id]', { hasText: filled })).toBeVisible();
  await v.context.close();
  await dash.context.close();
});

test('a private note stays with the agents: never on the visitor page, live or after a reload, and no typing', async ({ browser }) => {
  const name = `Vera ${suffix}`;
  const secret = `Internal: refund approved ${suffix}`;
  const v = await visitor(browser, name, `vera-${suffix}@example.com`, 'Where is my refund?');
  const dash = await signIn(browser, agent);
  await openConversation(dash.page, name);
  await dash.page.getByTestId('mode-note').click();
  await expect(dash.page.locator('form.composer')).toHaveAttribute('data-mode', 'note');
  await expect(dash.page.getByTestId('note-hint')).toBeVisible();
  const noteBox = dash.page.getByLabel('Private note');
  // At a person's pace: in reply mode this makes the visitor's "is typing" show (live-signals.spec.ts).
  await noteBox.pressSequentially(secret, { delay: 60 });
  await expect(v.page.getByTestId('typing')).toHaveCount(0);
  await noteBox.press('Enter');
  const note = dash.page.locator('[data-testid="message"][data-private="true"][data-state="sent"]', { hasText: secret });
  await expect(note).toBeVisible();
  await expect(note).toContainText('Private note');

  // A public reply after it: once it shows on the visitor's page, the note would have too.
  await dash.page.getByTestId('mode-reply').click();
  await dash.page.getByLabel('Reply').fill('We are on it.');
  await dash.page.getByLabel('Reply').press('Enter');
  await expect(v.page.locator('[data-message-id]', { hasText: 'We are on it.' })).toBeVisible();
  await expect(v.page.getByText(secret)).toHaveCount(0);
  expect(await v.page.content()).not.toContain(secret);
  // The widget's catch-up after a reload does not bring it either.
  await v.page.reload();
  await v.page.getByRole('button', { name: /chat/i }).first().click();
  await expect(v.page.locator('[data-message-id]', { hasText: 'We are on it.' })).toBeVisible();
  await expect(v.page.locator('[data-message-id]', { hasText: secret })).toHaveCount(0);
  // The inbox's preview is the public reply, not the note.
  await expect(dash.page.getByTestId('conversation-list').locator('li', { hasText: name }).getByTestId('preview')).toHaveText('We are on it.');
  await v.context.close();
  await dash.context.close();
});

test('labels: an admin defines one, an agent puts it on, another agent sees it live, the inbox filters by it', async ({ browser }) => {
  const a = await signIn(browser, admin);
  await a.page.goto(`${DASHBOARD}/settings/labels`);
  await a.page.getByLabel('Name', { exact: true }).fill('Billing');
  await a.page.getByLabel('Colour', { exact: true }).fill('#fde047');
  await a.page.getByRole('button', { name: 'Add label' }).click();
  await expect(a.page.getByTestId('label-row')).toHaveCount(1);
  // A light colour gets black text.
  await expect(a.page.getByTestId('label-row').getByTestId('label-chip')).toHaveCSS('color', 'rgb(0, 0, 0)');

  const labelled = `Lena ${suffix}`;
  const other = `Otto ${suffix}`;
  const v1 = await visitor(browser, labelled, `lena-${suffix}@example.com`, 'My invoice is wrong');
  const v2 = await visitor(browser, other, `otto-${suffix}@example.com`, 'Just saying hi');
  await a.page.goto(`${DASHBOARD}/inbox`);
  await openConversation(a.page, labelled);

  const dash = await signIn(browser, agent);
  await openConversation(dash.page, labelled);
  await dash.page.getByTestId('add-label').selectOption({ label: 'Billing' });
  await expect(dash.page.getByTestId('conversation-labels').getByTestId('label-chip')).toHaveText(/Billing/);
  // The admin's open page follows live (the database's conversation.labeled).
  await expect(a.page.getByTestId('conversation-labels').getByTestId('label-chip')).toHaveText(/Billing/);
  await expect(a.page.getByTestId('conversation-list').locator('li', { hasText: labelled }).getByTestId('label-chip')).toHaveText('Billing');

  await dash.page.getByTestId('label-filter').selectOption({ label: 'Billing' });
  await expect(dash.page).toHaveURL(/label=/);
  await expect(dash.page.getByTestId('conversation-list').locator('li')).toHaveCount(1);
  await expect(dash.page.getByTestId('conversation-list')).toContainText(labelled);
  await expect(dash.page.getByTestId('conversation-list')).not.toContainText(other);

  // Removed again: live for the admin too.
  await dash.page.getByRole('button', { name: 'Remove label Billing' }).click();
  await expect(a.page.getByTestId('conversation-labels').getByTestId('label-chip')).toHaveCount(0);
  for (const c of [v1, v2, a, dash]) await c.context.close();
});
