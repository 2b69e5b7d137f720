// Removing a member in real Chromium: the removed agent's open dashboard is signed out and hears nothing more,
// while the admin's dashboard follows the company's new Realtime topic and stays live.
import { randomUUID } from 'node:crypto';
import { type Browser, expect, test } from '@playwright/test';
import pg from 'pg';
import { ACME_ADMIN, serviceClient, signIn, visitorStartsChat } from './support.ts';

const ACME = 'c0000000-0000-4000-8000-00000000ac3e';

/** Signs in and records every frame the page's sockets receive; returns once its live updates have joined. */
async function signInRecording(browser: Browser, who: { email: string; password: string }) {
  const { context, page } = await signIn(browser, who);
  const frames: string[] = [];
  page.on('websocket', (ws) => ws.on('framereceived', (f) => frames.push(String(f.payload))));
  await page.reload();
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-status', 'live');
  return { context, page, frames };
}

test('a removed agent’s open dashboard is signed out and hears nothing more; the admin’s stays live', async ({ browser }) => {
  const db = new pg.Client({ connectionString: process.env.PORCHLIGHT_DB_URL });
  await db.connect();
  const service = serviceClient();
  const leaver = { email: `leaver-${randomUUID().slice(0, 8)}@example.com`, password: 'leaver-password' };
  const created = await service.auth.admin.createUser({ ...leaver, email_confirm: true });
  expect(created.error).toBeNull();
  await db.query(`insert into public.company_members (company_id, user_id, role, display_name) values ($1, $2, 'agent', 'Leaver')`, [
    ACME,
    created.data.user!.id,
  ]);
  try {
    const admin = await signInRecording(browser, ACME_ADMIN);
    const removed = await signInRecording(browser, leaver);

    // The removal (as the team page does it, through the database): the topic moves, the leaver's sessions end.
    await db.query('delete from public.company_members where company_id = $1 and user_id = $2', [ACME, created.data.user!.id]);

    // The leaver's dashboard re-reads on the move and is sent to sign in.
    await expect(removed.page).toHaveURL(/\/login/);

    // The admin's dashboard joined the new topic: a new conversation still appears without a reload.
    await expect(admin.page.getByTestId('live-status')).toHaveAttribute('data-status', 'live');
    const name = `After removal ${Date.now().toString(36)}`;
    const visitor = await visitorStartsChat(browser, name, 'A question nobody removed may read');
    await expect(admin.page.getByTestId('conversation-list').locator('li', { hasText: name })).toBeVisible();

    // Nothing of it reached the removed agent's browser, on any socket frame.
    expect(removed.frames.join('\n')).not.toContain('nobody removed may read');
    expect(removed.frames.join('\n')).not.toContain(name);
    await visitor.context.close();
    await admin.context.close();
    await removed.context.close();
  } finally {
    await service.auth.admin.deleteUser(created.data.user!.id);
    await db.end();
  }
});
