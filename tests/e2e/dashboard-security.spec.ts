// Attacks on the dashboard in real Chromium (issue 14): a visitor-chosen `javascript:` page URL, a form on another
// origin of the same site posting with the admin's cookie (CSRF), framing by another origin, and the sign-in
// throttle's message on the login page. Uses the stack, dashboard and demo pages that global-setup.ts starts.
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { ACME_ADMIN, ACME_AGENT, DASHBOARD, query, serviceClient as service, signIn } from './support.ts';

// Another origin on the same site (127.0.0.1): the SameSite=Lax session cookie goes along with its posts.
const OTHER_ORIGIN = process.env.PORCHLIGHT_BLOCKED_DEMO_URL ?? 'http://127.0.0.1:3002';

test.describe.configure({ mode: 'serial' });

/** An Acme visitor whose last page URL is `pageUrl`, with one conversation; returns the conversation id. */
async function visitorWithPage(name: string, pageUrl: string): Promise<string> {
  const { data, error } = await service().auth.admin.createUser({ email: `${randomUUID()}@visitors.test`, email_confirm: true });
  if (error || !data.user) throw new Error(`createUser: ${error?.message}`);
  const [acme] = await query<{ company_id: string }>(`select company_id from public.widget_configs where widget_key = 'pk_demo_acme'`);
  const visitorId = randomUUID();
  const conversationId = randomUUID();
  await query(
    `with v as (insert into public.visitors (id, company_id, user_id, name, last_page_url) values ($1, $2, $3, $4, $5) returning id)
     insert into public.conversations (id, company_id, visitor_id) select $6, $2, id from v`,
    [visitorId, acme!.company_id, data.user.id, name, pageUrl, conversationId],
  );
  await query(`insert into public.messages (conversation_id, sender_kind, author_id, body) values ($1, 'visitor', $2, 'Hello')`, [conversationId, data.user.id]);
  return conversationId;
}

test('a visitor’s javascript: page URL is shown as text in the customer profile, never as a link', async ({ browser }) => {
  const evil = 'javascript:alert(document.domain)';
  const evilConversation = await visitorWithPage(`Evil ${Date.now().toString(36)}`, evil);
  const fineConversation = await visitorWithPage(`Fine ${Date.now().toString(36)}`, 'https://shop.example/cart');
  const { page } = await signIn(browser, ACME_AGENT);

  await page.goto(`/inbox/${evilConversation}`);
  await expect(page.getByTestId('page-url-text')).toHaveText(evil);
  await expect(page.locator('a[href^="javascript:" i]')).toHaveCount(0);

  // An http(s) page is still a link.
  await page.goto(`/inbox/${fineConversation}`);
  await expect(page.locator('a[href="https://shop.example/cart"]')).toHaveText('https://shop.example/cart');
  await page.context().close();
});

test('a form on another origin of the same site cannot change the widget settings with the admin’s cookie', async ({ browser }) => {
  const { page } = await signIn(browser, ACME_ADMIN);
  const [before] = await query<{ title: string; allowed_origins: string[] }>(
    `select title, allowed_origins from public.widget_configs where widget_key = 'pk_demo_acme'`,
  );

  // The attacker's page: a self-submitting form aimed at the dashboard's data endpoint.
  await page.goto(OTHER_ORIGIN);
  const response = page.waitForResponse((r) => r.url().startsWith(`${DASHBOARD}/settings/widget`) && r.request().method() === 'POST');
  await page.evaluate((action) => {
    const form = document.createElement('form');
    form.method = 'POST';
    form.action = action;
    const fields: Record<string, string> = {
      enabled: 'on', title: 'Hijacked', greeting: '', launcherLabel: 'Chat', primaryColor: '#000000', accentColor: '#000000',
      position: 'bottom-right', autoOpen: 'off', locale: 'en', prechatName: 'off', prechatEmail: 'off', prechatPhone: 'off',
      allowedOrigins: 'https://attacker.example',
    };
    for (const [name, value] of Object.entries(fields)) {
      const input = document.createElement('input');
      input.name = name;
      input.value = value;
      form.append(input);
    }
    document.body.append(form);
    form.submit();
  }, `${DASHBOARD}/settings/widget.data`);
  const refused = await response;
  expect(refused.status()).toBe(403);
  expect(await refused.json()).toMatchObject({ code: 'cross_origin_request' });

  const [after] = await query<{ title: string; allowed_origins: string[] }>(
    `select title, allowed_origins from public.widget_configs where widget_key = 'pk_demo_acme'`,
  );
  expect(after).toEqual(before);
  await page.context().close();
});

test('another origin cannot frame the dashboard, while the settings page still frames its own widget preview', async ({ browser }) => {
  const { page } = await signIn(browser, ACME_ADMIN);
  await page.goto(OTHER_ORIGIN);
  await page.evaluate(
    (src) =>
      new Promise<void>((resolve) => {
        const frame = document.createElement('iframe');
        frame.onload = () => resolve();
        frame.src = src;
        document.body.append(frame);
      }),
    `${DASHBOARD}/inbox`,
  );
  // Chromium replaces a refused frame with its error page: no dashboard document is ever in it.
  expect(page.frames().filter((f) => f.url().startsWith(DASHBOARD))).toEqual([]);
  await expect(page.frameLocator('iframe').getByTestId('conversation-list')).toHaveCount(0);

  await page.goto(`${DASHBOARD}/settings/widget`);
  await expect(page.frameLocator('[data-testid="widget-preview"]').getByText('Your website · preview')).toBeVisible();
  await page.context().close();
});

test('the login page says when sign-ins are throttled, even for the right password', async ({ browser }) => {
  const email = `throttled-${randomUUID().slice(0, 8)}@acme.test`;
  const password = 'right-password-1';
  const { error } = await service().auth.admin.createUser({ email, password, email_confirm: true });
  if (error) throw new Error(`createUser: ${error.message}`);
  const context = await browser.newContext({ baseURL: DASHBOARD });
  const page = await context.newPage();
  await page.goto('/login');
  const attempt = async (pw: string) => {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(pw);
    const response = page.waitForResponse((r) => r.url().includes('/login') && r.request().method() === 'POST');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const status = (await response).status();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    return status;
  };
  // Ten wrong passwords through the real form; each is told so.
  for (let i = 0; i < 10; i++) {
    expect(await attempt(`wrong-${i}`)).toBe(400);
    await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
  }
  expect(await attempt(password)).toBe(429);
  await expect(page.getByRole('alert')).toHaveText(/^Too many failed sign-in attempts\. Try again in \d+ minutes?\.$/);
  await expect(page).toHaveURL(/\/login$/);
  await context.close();
});
