// Joining a company by invitation in real Chromium: the admin invites, Auth mails the link to the local mail catcher, the invitee opens it and accepts.
import { randomUUID } from 'node:crypto';
import { expect, type Page, test } from '@playwright/test';
import { ACME_ADMIN, DASHBOARD, query, serviceClient, signIn } from './support.ts';

const MAIL = process.env.PORCHLIGHT_MAIL_URL ?? 'http://127.0.0.1:54324';
const GLOBEX_ID = 'c0000000-0000-4000-8000-000000000b0b';
const ACME_ID = 'c0000000-0000-4000-8000-00000000ac3e';

test.describe.configure({ mode: 'serial' });

async function invite(admin: Page, who: { email: string; name: string }) {
  await admin.goto('/team');
  await admin.getByLabel('Name').fill(who.name);
  await admin.getByLabel('Email').fill(who.email);
  await admin.getByRole('button', { name: 'Send invitation' }).click();
}

/** Messages the mail catcher holds for `to` (its Mailpit-style JSON API). */
async function mailsTo(to: string): Promise<{ ID: string; Subject: string }[]> {
  const res = await fetch(`${MAIL}/api/v1/messages?to=${encodeURIComponent(to)}`);
  return ((await res.json()) as { messages: { ID: string; Subject: string }[] }).messages;
}

test('an admin invites a new email; the invitee opens the mailed link, chooses a password, accepts and sees the inbox', async ({ browser }) => {
  const email = `invitee-${randomUUID().slice(0, 8)}@example.com`;
  const admin = (await signIn(browser, ACME_ADMIN)).page;
  await invite(admin, { email, name: 'Ivy Invitee' });
  await expect(admin.getByText(`Invitation sent to ${email}.`)).toBeVisible();
  await expect(admin.getByTestId('invitation-row').filter({ hasText: email })).toBeVisible();

  await expect.poll(async () => (await mailsTo(email)).map((m) => m.Subject)).toEqual(['You have been invited to Porchlight']);

  // The invitee reads it in the mail catcher's web page and follows the link.
  const context = await browser.newContext({ baseURL: DASHBOARD });
  const inbox = await context.newPage();
  await inbox.goto(MAIL);
  await inbox.getByRole('link', { name: 'You have been invited to Porchlight' }).first().click();
  await inbox.getByRole('link', { name: 'Accept the invitation' }).click();
  await expect(inbox).toHaveURL(/\/auth\/confirm\?/);
  await inbox.getByRole('button', { name: 'Continue' }).click();
  await expect(inbox).toHaveURL(`${DASHBOARD}/invitations`);
  await expect(inbox.getByRole('heading', { name: 'Join Acme' })).toBeVisible();
  await inbox.getByLabel('Choose a password').fill('ivy-password-1');
  await inbox.getByRole('button', { name: 'Accept and join Acme' }).click();
  await expect(inbox).toHaveURL(/\/inbox$/);
  await expect(inbox.getByTestId('conversation-list')).toBeVisible();

  // The invitation is used up and the password works.
  await admin.reload();
  await expect(admin.getByTestId('invitation-row').filter({ hasText: email })).toHaveCount(0);
  await expect(admin.getByTestId('member-row').filter({ hasText: 'Ivy Invitee' })).toBeVisible();
  const again = (await signIn(browser, { email, password: 'ivy-password-1' })).page;
  await expect(again.getByTestId('conversation-list')).toBeVisible();
});

test('an existing agent of Globex invited to Acme sees the invitation after signing in and accepts it', async ({ browser }) => {
  // A fresh Globex agent (the seeded one stays out of Acme for the other specs).
  const email = `globex-${randomUUID().slice(0, 8)}@example.com`;
  const made = await serviceClient().auth.admin.createUser({ email, password: 'globex-password-1', email_confirm: true });
  expect(made.error).toBeNull();
  await query(`insert into public.company_members (company_id, user_id, role, display_name) values ($1, $2, 'agent', 'Gia (Globex)')`, [GLOBEX_ID, made.data.user!.id]);

  const admin = (await signIn(browser, ACME_ADMIN)).page;
  await invite(admin, { email, name: 'Gia at Acme' });
  await expect(admin.getByText(`${email} already has an account`)).toBeVisible();
  expect(await mailsTo(email)).toEqual([]);

  const agent = (await signIn(browser, { email, password: 'globex-password-1' })).page;
  await agent.goto('/invitations');
  await expect(agent.getByRole('heading', { name: 'Join Acme' })).toBeVisible();
  await expect(agent.getByLabel('Choose a password')).toHaveCount(0);
  await agent.getByRole('button', { name: 'Accept and join Acme' }).click();
  await expect(agent).toHaveURL(/\/inbox$/);
  await expect(agent.getByTestId('conversation-list')).toBeVisible();
  // Now in both companies, working in Acme under the invited name.
  await expect(agent.getByLabel('Company')).toHaveValue(ACME_ID);
  await expect(agent.getByText('Gia at Acme')).toBeVisible();
});
