// POST /company — switch the current company.
import { redirect } from '@remix-run/node';

export { action } from './company.server.ts';

export const loader = () => redirect('/inbox');
