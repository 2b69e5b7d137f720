// Issue 18 in real Chromium, an agent's and a visitor's browser side by side: typing shows and clears both ways,
// "Seen" shows both ways only once it is true (a closed panel or a hidden agent tab never marks anything seen), and
// the widget's header flips to away when the last agent signs out. A company of its own, so no other test's agent
// is online in it.
import { randomUUID } from 'node:crypto';
import { type Browser, expect, type Page, test } from '@playwright/test';
import { DASHBOARD, DEMO, query, serviceClient, signIn } from './support.ts';

test.describe.configure({ mode: 'serial' });

const suffix = randomUUID().slice(0, 8);
const company = randomUUID();
const widgetKey = `pk_live_${suffix}`;
const agent = { email: `sam-${suffix}@example.com`, password: 'live-signals-pw' };
let agentId = '';

test.beforeAll(async () => {
  const created = await serviceClient().auth.admin.createUser({ ...agent, email_confirm: true });
  expect(created.error).toBeNull();
  agentId = created.data.user!.id;
  await query(`insert into public.companies (id, name) values ($1, $2)`, [company, `Live ${suffix}`]);
  await query(`insert into public.company_members (company_id, user_id, role, display_name) values ($1, $2, 'admin', 'Sam Agent')`, [company, agentId]);
  await query(`insert into public.widget_configs (company_id, widget_key, title, allowed_origins) values ($1, $2, 'Chat with Live', $3)`, [
    company,
    widgetKey,
    [new URL(DEMO()).origin],
  ]);
});

test.afterAll(async () => {
  await query('delete from public.companies where id = $1', [company]);
  await serviceClient().auth.admin.deleteUser(agentId);
});

/** A visitor on the demo page with this company's widget, chat started. */
async function visitor(browser: Browser, name: string, text: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${DEMO()}/?key=${widgetKey}`);
  await page.getByRole('button', { name: /chat/i }).first().click();
  await page.getByLabel('Your name').fill(name);
  await page.getByLabel('How can we help?').fill(text);
  await page.getByRole('button', { name: 'Start chat' }).click();
  await expect(page.locator('[data-message-id][data-state="sent"]', { hasText: text })).toBeVisible();
  return { context, page };
}

async function openConversation(page: Page, name: string) {
  await page.getByTestId('conversation-list').locator('li', { hasText: name }).click();
  await expect(page.getByTestId('conversation-title')).toHaveText(name);
}

/** Makes a tab look hidden to the page (as a background tab is), or visible again. */
async function setHidden(page: Page, hidden: boolean) {
  await page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test('typing shows and clears both ways', async ({ browser }) => {
  const name = `Nora ${suffix}`;
  const dash = await signIn(browser, agent);
  const v = await visitor(browser, name, 'Is anyone there?');
  await openConversation(dash.page, name);

  const box = v.page.getByLabel('Type your message');
  // Typed at a person's pace (a start goes out every 2 s while typing).
  await box.pressSequentially('My order number is', { delay: 150 });
  await expect(dash.page.getByTestId('visitor-typing')).toHaveText(`${name} is typing…`);
  // The inbox beside the conversation marks the row too.
  await expect(dash.page.getByTestId('conversation-list').locator('li', { hasText: name }).getByTestId('row-typing')).toBeVisible();
  await box.fill('');
  await expect(dash.page.getByTestId('conversation-list').locator('li', { hasText: name }).getByTestId('row-typing')).toHaveCount(0);
  await openConversation(dash.page, name);
  await expect(dash.page.getByTestId('visitor-typing')).toHaveCount(0);

  const reply = dash.page.getByLabel('Reply');
  await reply.pressSequentially('Let me check that', { delay: 150 });
  await expect(v.page.getByTestId('typing')).toHaveText('Sam Agent is typing…');
  await reply.fill('');
  await expect(v.page.getByTestId('typing')).toHaveCount(0);
  await v.context.close();
  await dash.context.close();
});

test('seen shows both ways only after it is true', async ({ browser }) => {
  const name = `Vera ${suffix}`;
  const dash = await signIn(browser, agent);
  const v = await visitor(browser, name, 'Where is my parcel?');
  await openConversation(dash.page, name);
  // The agent's open, visible tab read the visitor's message: the widget says so under it.
  await expect(v.page.getByTestId('seen')).toBeVisible();

  // The panel closed: an agent reply is not seen, whatever the visitor's page does.
  await v.page.getByRole('button', { name: 'Close chat' }).first().click();
  await dash.page.getByLabel('Reply').fill('It left our warehouse today.');
  await dash.page.getByLabel('Reply').press('Enter');
  const lastAgent = dash.page.getByTestId('message').filter({ hasText: 'It left our warehouse today.' });
  await expect(lastAgent).toBeVisible();
  await v.page.waitForTimeout(1500); // a wrong mark would have gone out by now
  await expect(lastAgent.getByTestId('seen-mark')).toHaveCount(0);
  const [conv] = await query<{ id: string; v: string | null }>(
    'select c.id, c.visitor_last_read_message_id v from public.conversations c join public.visitors vi on vi.id = c.visitor_id where vi.name = $1',
    [name],
  );
  const replyId = await lastAgent.getAttribute('data-message-id');
  expect(conv!.v).not.toBe(replyId);
  // Opened again and visible: seen, and the agent sees it with the time on hover.
  await v.page.getByRole('button', { name: /chat/i }).first().click();
  await expect(lastAgent.getByTestId('seen-mark')).toBeVisible();
  await expect(lastAgent.getByTestId('seen-mark')).toHaveAttribute('title', /\d/);

  // A hidden agent tab reads nothing: the visitor's next message shows no "Seen" until the tab is visible.
  await setHidden(dash.page, true);
  await v.page.getByLabel('Type your message').fill('Thanks! Can you send the tracking link?');
  await v.page.getByLabel('Type your message').press('Enter');
  const question = v.page.locator('[data-message-id][data-state="sent"]', { hasText: 'tracking link' });
  await expect(question).toBeVisible();
  await expect(dash.page.getByTestId('message').filter({ hasText: 'tracking link' })).toBeVisible();
  await v.page.waitForTimeout(1500);
  await expect(question.getByTestId('seen')).toHaveCount(0);
  await setHidden(dash.page, false);
  await dash.page.bringToFront();
  await expect(question.getByTestId('seen')).toBeVisible();
  await v.context.close();
  await dash.context.close();
});

test('the widget header shows who is online and flips to away when the last agent signs out', async ({ browser }) => {
  const dash = await signIn(browser, agent);
  const v = await visitor(browser, `Ida ${suffix}`, 'Hello');
  await expect(v.page.getByTestId('availability')).toHaveAttribute('data-state', 'online');
  await expect(v.page.getByTestId('availability')).toContainText('SA');
  await expect(v.page.getByText(/Typically replies/)).toHaveCount(0); // too little data in a new company
  await dash.page.getByRole('button', { name: 'Sign out' }).click();
  await expect(dash.page).toHaveURL(/\/login/);
  await expect(v.page.getByTestId('availability')).toHaveAttribute('data-state', 'away');
  await expect(v.page.getByTestId('availability')).toContainText("We're away");
  await v.context.close();
  await dash.context.close();
});

test('when Realtime ends the typing, presence or availability channel, the dashboard joins it again', async ({ browser }) => {
  // The dashboard's real websocket, watched at the network so the test can speak to the server on it.
  const context = await browser.newContext({ baseURL: DASHBOARD });
  const joins: { joinRef: string; topic: string; server: { send(frame: string): void } }[] = [];
  await context.routeWebSocket(/\/realtime\/v1\/websocket/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => {
      if (typeof frame === 'string' && frame.includes('"phx_join"')) {
        const [joinRef, , topic] = JSON.parse(frame) as [string, string, string];
        joins.push({ joinRef, topic, server });
      }
      server.send(frame);
    });
    server.onMessage((frame) => {
      if (typeof frame === 'string' && frame.includes('"phx_reply"') && frame.includes('"ok"')) {
        const [joinRef, ref] = JSON.parse(frame) as [string, string];
        if (joinRef === ref) joined.add(joinRef);
      }
      ws.send(frame);
    });
  });
  const joined = new Set<string>();
  /** The newest join of a topic, once the server has accepted it (and not `before`). */
  const joinedNow = async (topic: RegExp, before?: string) => {
    const accepted = () => {
      const j = lastJoin(topic);
      return j && joined.has(j.joinRef) && j.joinRef !== before ? j : undefined;
    };
    await expect.poll(() => accepted() !== undefined).toBe(true);
    return accepted()!;
  };
  const lastJoin = (suffixOrPrefix: RegExp) => joins.filter((j) => suffixOrPrefix.test(j.topic)).at(-1);
  /** A token the server rejects, sent on one channel: Realtime ends that channel (system error, phx_close). */
  const endChannel = (j: { joinRef: string; topic: string; server: { send(frame: string): void } }) =>
    j.server.send(JSON.stringify([j.joinRef, 'test-1', j.topic, 'access_token', { access_token: 'not.a.token' }]));

  const name = `Rita ${suffix}`;
  const dash = await signIn(browser, agent, { context });
  const v = await visitor(browser, name, 'Typing after an outage');
  await openConversation(dash.page, name);
  const typing = /^realtime:conversation:.*:typing$/;
  const ended = await joinedNow(typing);
  endChannel(ended);
  await joinedNow(typing, ended.joinRef);
  // Both ways again on the new channel.
  await v.page.getByLabel('Type your message').pressSequentially('Still there', { delay: 150 });
  await expect(dash.page.getByTestId('visitor-typing')).toHaveText(`${name} is typing…`);
  await dash.page.getByLabel('Reply').pressSequentially('Yes, here', { delay: 150 });
  await expect(v.page.getByTestId('typing')).toHaveText('Sam Agent is typing…');

  // The conversation's presence channel too: after its new join the visitor shows online again.
  const presence = /^realtime:conversation:[^:]+$/;
  await expect(dash.page.getByTestId('presence-label')).toHaveText('Online');
  const watched = await joinedNow(presence);
  endChannel(watched);
  await joinedNow(presence, watched.joinRef);
  await expect(dash.page.getByTestId('presence-label')).toHaveText('Online');
  await v.context.close();

  // The availability channel ended and joined again: a visitor arriving now sees the agent online.
  const availability = /^realtime:availability:/;
  const present = await joinedNow(availability);
  endChannel(present);
  await joinedNow(availability, present.joinRef);
  const late = await visitor(browser, `Ivo ${suffix}`, 'Anyone online?');
  await expect(late.page.getByTestId('availability')).toHaveAttribute('data-state', 'online');
  await late.context.close();
  await context.close();
});
