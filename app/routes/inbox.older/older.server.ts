// GET /inbox/older?after=<cursor>: the inbox page after the cursor, as JSON, for the list's scroll paging.
import { json, type LoaderFunctionArgs } from '@remix-run/node';
import { inboxPage } from '../_dashboard.inbox/inbox.server.ts';

/** GET /inbox/older?after=…: the next older page, fetched when the agent scrolls to the end of the list. */
export async function loader(args: LoaderFunctionArgs) {
  const { body, headers } = await inboxPage(args);
  headers.set('Cache-Control', 'private, no-store');
  return json({ nextCursor: body.nextCursor, conversations: body.conversations }, { headers });
}
