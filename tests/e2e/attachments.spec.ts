// Attachments in real Chromium, both ways: a visitor attaches (file picker), pastes and drops files, watches the
// progress, cancels one, sends, sees thumbnails that open full size and downloads a file.
import { expect, type Page, test } from '@playwright/test';
import { ACME_AGENT, dashboardLive, query, signIn, startChat } from './support.ts';

// A minimal PDF; the PNG is drawn by the browser in the test.
let PNG: Buffer;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');

/** Dispatches a paste or drop of one PNG on the element found by `selector`, as the browser would. */
async function pasteOrDrop(page: Page, kind: 'paste' | 'drop', name: string) {
  await page.getByLabel('Type your message').evaluate(
    (el, [b64, kind, name]) => {
      const bytes = Uint8Array.from(atob(b64!), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], name!, { type: 'image/png' }));
      const init = { bubbles: true, composed: true, cancelable: true };
      el.dispatchEvent(kind === 'paste' ? new ClipboardEvent('paste', { ...init, clipboardData: dt }) : new DragEvent('drop', { ...init, dataTransfer: dt }));
    },
    [PNG.toString('base64'), kind, name],
  );
}

test('a visitor attaches, pastes and drops files with progress and cancel, then sees thumbnails and downloads', async ({ page }) => {
  const conversationId = await startChat(page, 'Pia Paste', 'Files coming');
  // A real screenshot-like PNG, drawn by the browser (so it decodes and the widget makes a thumbnail).
  PNG = Buffer.from(
    await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 640;
      c.height = 400;
      const g = c.getContext('2d')!;
      g.fillStyle = '#2563eb';
      g.fillRect(0, 0, 640, 400);
      g.fillStyle = '#fff';
      g.fillText('order #1234', 20, 40);
      return c.toDataURL('image/png').split(',')[1]!;
    }),
    'base64',
  );
  // Hold uploads until the progress bar has been seen.
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  await page.route('**/storage/v1/object/upload/sign/**', async (route) => {
    await gate;
    await route.continue();
  });
  const attach = page.getByLabel('Attach files');
  await expect(attach).toBeAttached();
  await attach.setInputFiles([
    { name: 'report.pdf', mimeType: 'application/pdf', buffer: PDF },
    { name: 'cancel-me.png', mimeType: 'image/png', buffer: PNG },
  ]);
  await expect(page.getByRole('progressbar', { name: 'Uploading report.pdf' })).toBeVisible();
  await page.getByRole('button', { name: 'Remove cancel-me.png' }).click();
  await expect(page.getByText('cancel-me.png')).toHaveCount(0);
  await pasteOrDrop(page, 'paste', 'pasted.png');
  await pasteOrDrop(page, 'drop', 'dropped.png');
  await expect(page.locator('[data-upload]')).toHaveCount(3);
  release();
  await expect(page.locator('[data-upload="done"]')).toHaveCount(3);
  await page.getByRole('button', { name: 'Send' }).click();

  const bubble = page.locator('[data-message-id][data-state="sent"]').last();
  await expect(bubble.getByRole('button', { name: 'Open pasted.png' }).locator('img')).toBeVisible();
  await expect(bubble.getByRole('button', { name: 'Open dropped.png' })).toBeVisible();
  await bubble.getByRole('button', { name: 'Open pasted.png' }).click();
  const lightbox = page.getByRole('dialog', { name: 'pasted.png' });
  await expect(lightbox.locator('img')).toBeVisible();
  await lightbox.getByRole('button', { name: 'Close' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), bubble.getByRole('button', { name: 'Download report.pdf' }).click()]);
  expect(download.suggestedFilename()).toBe('report.pdf');

  const rows = await query<{ name: string; thumbnail_path: string | null }>(
    'select name, thumbnail_path from public.attachments where conversation_id = $1 and message_id is not null order by name',
    [conversationId],
  );
  expect(rows.map((r) => [r.name, r.thumbnail_path !== null])).toEqual([
    ['dropped.png', true],
    ['pasted.png', true],
    ['report.pdf', false],
  ]);
  // Thumbnails are small JPEGs made in the browser, never the original.
  const thumbs = await query<{ type: string; size: string }>(
    `select o.metadata->>'mimetype' as type, o.metadata->>'size' as size from storage.objects o
       join public.attachments a on a.thumbnail_path = o.name where a.conversation_id = $1`,
    [conversationId],
  );
  expect(thumbs).toHaveLength(2);
  for (const t of thumbs) expect([t.type, Number(t.size) <= 100 * 1024]).toEqual(['image/jpeg', true]);
});

test('an agent attaches in the dashboard with progress; the visitor sees it; the agent sees the visitor\'s thumbnail and downloads', async ({ browser, page }) => {
  const conversationId = await startChat(page, 'Dora Dash', 'Screenshot coming');
  const png = Buffer.from(
    await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 300;
      c.height = 200;
      c.getContext('2d')!.fillRect(0, 0, 300, 200);
      return c.toDataURL('image/png').split(',')[1]!;
    }),
    'base64',
  );
  await page.getByLabel('Attach files').setInputFiles([{ name: 'error.png', mimeType: 'image/png', buffer: png }]);
  await expect(page.locator('[data-upload="done"]')).toHaveCount(1);
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('[data-message-id][data-state="sent"]').last().getByRole('button', { name: 'Open error.png' })).toBeVisible();

  const { page: agent } = await signIn(browser, ACME_AGENT);
  await agent.goto(`/inbox/${conversationId}`);
  await expect(agent.getByRole('link', { name: 'Open error.png' }).locator('img')).toBeVisible();
  await dashboardLive(agent);
  // The agent's reply: a PDF dropped on the composer, with progress held until seen.
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  await agent.route('**/storage/v1/object/upload/sign/**', async (route) => {
    await gate;
    await route.continue();
  });
  await agent.getByLabel('Reply').evaluate((el, b64) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'invoice.pdf', { type: 'application/pdf' }));
    el.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, PDF.toString('base64'));
  await expect(agent.getByRole('progressbar', { name: 'Uploading invoice.pdf' })).toBeVisible();
  release();
  await expect(agent.locator('[data-upload="done"]')).toHaveCount(1);
  await agent.getByLabel('Reply').fill('Here is your invoice');
  await agent.getByRole('button', { name: 'Send' }).click();
  const card = agent.getByRole('link', { name: 'Download invoice.pdf' }).first();
  await expect(card).toBeVisible();
  const [download] = await Promise.all([agent.waitForEvent('download'), card.click()]);
  expect(download.suggestedFilename()).toBe('invoice.pdf');

  // The visitor sees the agent's file live and downloads it.
  const visitorCard = page.getByRole('button', { name: 'Download invoice.pdf' });
  await expect(visitorCard).toBeVisible();
  const [visitorDownload] = await Promise.all([page.waitForEvent('download'), visitorCard.click()]);
  expect(visitorDownload.suggestedFilename()).toBe('invoice.pdf');
});

test('a visitor’s files appear in the agent’s open conversation live, without a re-read', async ({ browser, page }) => {
  const conversationId = await startChat(page, 'Lena Live', 'Sending files now');
  const png = Buffer.from(
    await page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 200;
      c.height = 120;
      c.getContext('2d')!.fillRect(0, 0, 200, 120);
      return c.toDataURL('image/png').split(',')[1]!;
    }),
    'base64',
  );
  const { page: agent, context } = await signIn(browser, ACME_AGENT);
  await agent.goto(`/inbox/${conversationId}`);
  await expect(agent.getByTestId('live-status')).toHaveAttribute('data-status', 'live');
  await expect(agent.getByTestId('messages').getByText('Sending files now')).toBeVisible();
  await agent.waitForLoadState('networkidle');
  // From here the agent's page only listens: the files must come with the broadcast, not a loader re-read.
  const reReads: string[] = [];
  context.on('request', (r) => {
    if (r.method() === 'GET' && new URL(r.url()).pathname.endsWith('.data')) reReads.push(r.url());
  });

  await page.getByLabel('Attach files').setInputFiles([
    { name: 'live.pdf', mimeType: 'application/pdf', buffer: PDF },
    { name: 'live.png', mimeType: 'image/png', buffer: png },
  ]);
  await expect(page.locator('[data-upload="done"]')).toHaveCount(2);
  await page.getByRole('button', { name: 'Send' }).click();
  const sent = agent.getByTestId('message').filter({ has: agent.getByRole('link', { name: 'Download live.pdf' }) });
  await expect(sent).toBeVisible();
  await expect(sent.getByRole('link', { name: 'Open live.png' }).locator('img')).toBeVisible();
  await expect(sent).toHaveAttribute('data-sender', 'visitor');
  expect(reReads).toEqual([]);
});
