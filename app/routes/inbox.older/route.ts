// GET /inbox/older?status=…&scope=…&q=…&after=<cursor> — an older page of the inbox for scroll paging (JSON).
export { loader } from './older.server.ts';
