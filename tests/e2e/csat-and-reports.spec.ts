// CSAT and reports in real Chromium: a visitor rates a conversation the agent resolved and the rating shows in the
// conversation and in the reports' CSV; the reports page shows, for a seeded set of conversations in a past week,
// the figures this test works out itself from the seed rows (screenshot kept under test-results/).
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { ACME_ADMIN, ACME_AGENT, DASHBOARD, query, signIn, startChat } from './support.ts';

const ACME = 'c0000000-0000-4000-8000-00000000ac3e';
const ADA = 'a0000000-0000-4000-8000-000000000001';
const SAM = 'a0000000-0000-4000-8000-000000000002';
const NAMES: Record<string, string> = { [ADA]: 'Ada (Acme)', [SAM]: 'Sam (Acme)' };
const FROM = '2026-03-02';
const TO = '2026-03-04';

interface Seed {
  start: string;
  /** Seconds after the start: the visitor's first message, the first agent reply (by whom), resolved. */
  ask: number;
  reply: number | null;
  by: string | null;
  resolved: number | null;
  assignee: string | null;
  rating: number | null;
  /** Carries the label the filter is tried with. */
  labelled?: boolean;
}

const SEED: Seed[] = [
  { start: '2026-03-02T09:15:00Z', ask: 10, reply: 70, by: SAM, resolved: 3600, assignee: SAM, rating: 5, labelled: true },
  { start: '2026-03-02T09:40:00Z', ask: 5, reply: 305, by: ADA, resolved: 7200, assignee: ADA, rating: 2, labelled: true },
  { start: '2026-03-02T14:05:00Z', ask: 0, reply: 30, by: SAM, resolved: null, assignee: SAM, rating: null },
  { start: '2026-03-03T10:00:00Z', ask: 20, reply: null, by: null, resolved: null, assignee: null, rating: null },
  { start: '2026-03-04T16:30:00Z', ask: 1, reply: 901, by: SAM, resolved: 1800, assignee: SAM, rating: 4, labelled: true },
  { start: '2026-03-04T16:45:00Z', ask: 2, reply: 122, by: ADA, resolved: 5400, assignee: null, rating: 1 },
];

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const at = p * (s.length - 1);
  const lo = Math.floor(at);
  return Math.round(s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo));
}

/** The page's duration words (app/models/reports.ts), written out again here. */
function words(seconds: number | null): string {
  if (seconds == null) return '—';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ${seconds % 60}s`;
  return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
}

const satisfied = (score: number) => score >= 4;
const pct = (n: number, of: number) => (of ? `${(Math.round((1000 * n) / of) / 10).toFixed(1)}%` : '—');

function expected(seed: Seed[] = SEED) {
  const SEED = seed;
  const firsts = SEED.filter((s) => s.reply != null).map((s) => s.reply! - s.ask);
  const resolutions = SEED.filter((s) => s.resolved != null).map((s) => s.resolved!);
  const ratings = SEED.filter((s) => s.rating != null).map((s) => s.rating!);
  const cells = new Map<string, number>();
  for (const s of SEED) {
    const d = new Date(s.start);
    const key = `${((d.getUTCDay() + 6) % 7) + 1}-${d.getUTCHours()}`;
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const agents = [ADA, SAM].map((id) => {
    const assigned = SEED.filter((s) => s.assignee === id);
    const rated = assigned.filter((s) => s.rating != null);
    return {
      name: NAMES[id]!,
      cells: [
        assigned.length,
        assigned.filter((s) => s.resolved != null).length,
        SEED.filter((s) => s.by === id).length,
        words(percentile(SEED.filter((s) => s.by === id).map((s) => s.reply! - s.ask), 0.5)),
        rated.length,
        rated.length ? `${(Math.round((1000 * rated.filter((s) => satisfied(s.rating!)).length) / rated.length) / 10).toFixed(1)}%` : '—',
      ].map(String),
    };
  });
  return {
    conversations: SEED.length,
    median: words(percentile(firsts, 0.5)),
    p90: words(percentile(firsts, 0.9)),
    resolution: words(percentile(resolutions, 0.5)),
    csat: pct(ratings.filter(satisfied).length, ratings.length),
    ratings: ratings.length,
    cells,
    agents,
  };
}

const LABEL = 'Reports seed';

async function seed(): Promise<string> {
  await query(`delete from public.conversations where company_id = $1 and created_at >= $2 and created_at < ($3::date + 1)`, [ACME, FROM, TO]);
  await query('delete from public.labels where company_id = $1 and name = $2', [ACME, LABEL]);
  const [label] = await query<{ id: string }>(`insert into public.labels (company_id, name, color) values ($1, $2, '#7c3aed') returning id`, [ACME, LABEL]);
  for (const [i, s] of SEED.entries()) {
    const user = randomUUID();
    const visitor = randomUUID();
    const conversation = randomUUID();
    const at = (secs: number) => new Date(Date.parse(s.start) + secs * 1000).toISOString();
    await query(`insert into auth.users (instance_id, id, aud, role, created_at, updated_at, is_anonymous) values ('00000000-0000-0000-0000-000000000000', $1, 'authenticated', 'authenticated', now(), now(), true)`, [user]);
    await query('insert into public.visitors (id, company_id, user_id, name) values ($1, $2, $3, $4)', [visitor, ACME, user, `Seeded ${i + 1}`]);
    await query(`insert into public.conversations (id, company_id, visitor_id, assignee_id, created_at, last_message_at) values ($1, $2, $3, $4, $5, $5)`, [conversation, ACME, visitor, s.assignee, s.start]);
    await query(`insert into public.messages (conversation_id, sender_kind, author_id, body, created_at) values ($1, 'visitor', $2, 'Seeded question', $3)`, [conversation, user, at(s.ask)]);
    if (s.reply != null) {
      await query(`insert into public.messages (conversation_id, sender_kind, author_id, body, created_at) values ($1, 'agent', $2, 'Seeded answer', $3)`, [conversation, s.by, at(s.reply)]);
    }
    if (s.resolved != null) {
      await query(`update public.conversations set status = 'resolved' where id = $1`, [conversation]);
      // The trigger stamps the time of the update; the seed's own resolution time stands in for it.
      await query('update public.conversation_timings set resolved_at = $2 where conversation_id = $1', [conversation, at(s.resolved)]);
    }
    if (s.rating != null) {
      await query(`insert into public.conversation_ratings (conversation_id, company_id, visitor_id, scale, score) values ($1, $2, $3, 'five', $4)`, [conversation, ACME, visitor, s.rating]);
    }
    if (s.labelled) await query('insert into public.conversation_labels (conversation_id, label_id) values ($1, $2)', [conversation, label!.id]);
  }
  return label!.id;
}

test('a rating given in the widget after the agent resolves shows in the conversation and in the reports', async ({ browser }) => {
  const visitorContext = await browser.newContext();
  const visitor = await visitorContext.newPage();
  const name = `Rater ${Date.now().toString(36)}`;
  const conversationId = await startChat(visitor, name, 'Can you help me with an order?');
  const { page } = await signIn(browser, ACME_AGENT);
  await page.goto(`/inbox/${conversationId}`);
  await expect(page.getByTestId('conversation-title')).toHaveText(name);
  await page.getByLabel('Reply').fill('Done, it ships today.');
  await page.getByLabel('Reply').press('Enter');
  await expect(visitor.getByText('Done, it ships today.')).toBeVisible();
  await page.getByRole('combobox', { name: 'Status', exact: true }).selectOption('resolved');

  // The prompt arrives with the conversation.updated broadcast (its chunk loads only now).
  const prompt = visitor.getByTestId('rating');
  await expect(prompt.getByRole('group', { name: 'How was this conversation?' })).toBeVisible();
  await prompt.getByText('4 of 5').click();
  await prompt.getByLabel('Anything to add? (optional)').fill('Quick and friendly');
  await prompt.getByRole('button', { name: 'Send rating' }).click();
  await expect(prompt.getByRole('status')).toHaveText('Thank you for your rating.');
  // A second submit changes the one rating.
  await prompt.getByText('5 of 5').click();
  await prompt.getByRole('button', { name: 'Change rating' }).click();
  await expect.poll(async () => (await query<{ score: number }>('select score from public.conversation_ratings where conversation_id = $1', [conversationId])).map((r) => r.score)).toEqual([5]);
  // After a reload the catch-up says resolved, and the prompt shows the rating given.
  await visitor.reload();
  await visitor.getByRole('button', { name: 'Chat with Acme' }).click();
  await expect(visitor.getByTestId('rating').getByRole('radio', { name: /5 of 5/ })).toBeChecked();

  await page.reload();
  await page.getByRole('button', { name: 'Customer Info' }).click();
  const shown = page.getByTestId('conversation-rating');
  await expect(shown).toContainText('5 of 5 stars');
  await expect(shown).toContainText('Quick and friendly');

  const today = new Date().toISOString().slice(0, 10);
  const csv = await page.request.get(`${DASHBOARD}/reports.csv?from=${today}&to=${today}`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()['content-type']).toContain('text/csv');
  const line = (await csv.text()).split('\r\n').find((l) => l.startsWith(conversationId));
  expect(line).toContain(',resolved,widget,');
  expect(line).toMatch(/,five,5,Quick and friendly$/);
  await page.goto(`/reports?from=${today}&to=${today}`);
  await expect(page.getByTestId('stat-csat')).not.toContainText('—');
  await visitorContext.close();
  await page.context().close();
});

test('the reports page shows the figures of a seeded week, worked out here from the seed rows', async ({ browser }) => {
  const labelId = await seed();
  const want = expected();
  const { page } = await signIn(browser, ACME_ADMIN);
  await page.goto(`/reports?from=${FROM}&to=${TO}`);
  await expect(page.getByRole('heading', { name: 'Reports', level: 1 })).toBeVisible();
  await expect(page.getByTestId('stat-conversations')).toContainText(String(want.conversations));
  await expect(page.getByTestId('stat-first-response-median')).toContainText(want.median);
  await expect(page.getByTestId('stat-first-response-p90')).toContainText(want.p90);
  await expect(page.getByTestId('stat-resolution-median')).toContainText(want.resolution);
  await expect(page.getByTestId('stat-csat')).toContainText(`${want.csat} ${want.ratings} ratings`);
  for (let weekday = 1; weekday <= 7; weekday++) {
    for (const hour of [9, 10, 14, 16]) {
      await expect(page.locator(`[data-cell="${weekday}-${hour}"]`)).toHaveText(String(want.cells.get(`${weekday}-${hour}`) ?? 0));
    }
  }
  for (const a of want.agents) {
    await expect(page.getByTestId('agent-table').locator(`tr[data-agent="${a.name}"] td`)).toHaveText(a.cells);
  }
  // The chart is drawn on the server: its bars are in the page before any script runs.
  await expect(page.getByTestId('chart-per-day').locator('.recharts-bar-rectangle')).not.toHaveCount(0);
  await page.screenshot({ path: 'test-results/reports-seeded-week.png', fullPage: true });

  const csv = await page.request.get(`${DASHBOARD}/reports.csv?from=${FROM}&to=${TO}`);
  const lines = (await csv.text()).trim().split('\r\n');
  expect(lines.length).toBe(SEED.length + 1);
  expect(lines[0]).toBe('conversation_id,started_at,status,platform,visitor_name,visitor_email,assignee,first_response_seconds,resolution_seconds,rating_scale,rating_score,rating_comment');
  expect(lines[1]).toMatch(/,2026-03-02T09:15:00\.000Z,resolved,widget,Seeded 1,,Sam \(Acme\),60,3600,five,5,$/);

  // The label filter: only the labelled conversations count, in the tiles and in the export.
  const labelled = expected(SEED.filter((x) => x.labelled));
  await page.getByLabel('Label').selectOption({ label: LABEL });
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page).toHaveURL(new RegExp(`label=${labelId}`));
  await expect(page.getByTestId('stat-conversations')).toContainText(String(labelled.conversations));
  await expect(page.getByTestId('stat-first-response-median')).toContainText(labelled.median);
  await expect(page.getByTestId('stat-resolution-median')).toContainText(labelled.resolution);
  await expect(page.getByTestId('stat-csat')).toContainText(`${labelled.csat} ${labelled.ratings} ratings`);
  const labelledCsv = await page.request.get(`${DASHBOARD}/reports.csv?from=${FROM}&to=${TO}&label=${labelId}`);
  expect((await labelledCsv.text()).trim().split('\r\n')).toHaveLength(labelled.conversations + 1);

  const bad = await page.request.get(`${DASHBOARD}/reports.csv?from=2026-03-05&to=2026-03-01`);
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toMatchObject({ code: 'invalid_range' });
  await page.context().close();
});

test('another company’s agent sees none of these figures', async ({ browser }) => {
  const { page } = await signIn(browser, { email: 'agent@globex.test', password: 'porchlight-agent' });
  await page.goto(`/reports?from=${FROM}&to=${TO}`);
  await expect(page.getByTestId('stat-conversations')).toContainText('0');
  const csv = await page.request.get(`${DASHBOARD}/reports.csv?from=${FROM}&to=${TO}`);
  expect((await csv.text()).trim().split('\r\n')).toHaveLength(1);
  await page.context().close();
});
