// GET /inbox/older?status=…&scope=…&q=…&after=<cursor> — an older page of the inbox for scroll paging (JSON).
export { olderInboxLoader as loader } from '../_dashboard.inbox/inbox.server.ts';
