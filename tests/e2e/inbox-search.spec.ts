// Inbox search in real Chromium (issue 24): the search box finds a visitor's message, shows its snippet with the
// match marked and a `<script>` in it as text, and the results stay put while that conversation gets new messages.
import { expect, test } from '@playwright/test';
import { ACME_AGENT, send, signIn, startChat } from './support.ts';

test('a search shows the matching message as text with the match marked, and keeps its rows as messages arrive', async ({ browser }) => {
  const word = `zq${Date.now().toString(36)}`;
  const visitor = await browser.newPage();
  const name = `Searcher ${word.slice(-4)}`;
  await startChat(visitor, name, `<script>window.__searchPwned = 1</script> my ${word} parcel is late <img src=x onerror="window.__searchPwned = 2">`);
  const { page } = await signIn(browser, ACME_AGENT);

  const box = page.getByRole('searchbox', { name: 'Search' });
  await box.fill(word);
  await box.press('Enter');
  await expect(page).toHaveURL(new RegExp(`[?&]q=${word}`));
  const rows = page.getByTestId('conversation-list').locator('li');
  await expect(rows).toHaveCount(1);
  const row = rows.first();
  await expect(row.getByTestId('visitor-name')).toHaveText(name);
  const snippet = row.getByTestId('search-snippet');
  await expect(snippet).toHaveText(`<script>window.__searchPwned = 1</script> my ${word} parcel is late <img src=x onerror="window.__searchPwned = 2">`);
  await expect(snippet.locator('mark')).toHaveText(word);
  await expect(row.locator('script, img[src="x"]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { __searchPwned?: number }).__searchPwned)).toBeUndefined();

  // A live message to the result: the row stays (with its unread count and snippet), no other row joins.
  await send(visitor, 'Any update?');
  await expect(row.getByTestId('unread-badge')).toHaveText('2');
  await expect(rows).toHaveCount(1);
  await expect(snippet.locator('mark')).toHaveText(word);
  // The next search still answers (the box keeps working with live events arriving).
  await box.fill(`${word} parcel`);
  await box.press('Enter');
  await expect(page).toHaveURL(/parcel/);
  await expect(rows).toHaveCount(1);
  await expect(row.getByTestId('search-snippet').locator('mark')).toHaveText([word, 'parcel']);
  await box.fill(`${word}nothing`);
  await box.press('Enter');
  await expect(page.getByText('No conversations match your search.')).toBeVisible();
  await visitor.close();
  await page.context().close();
});
