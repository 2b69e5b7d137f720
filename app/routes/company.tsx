// POST /company — switch the current company.
import { redirect } from '@remix-run/node';

export { switchCompanyAction as action } from '../lib/dashboard.server.ts';

export const loader = () => redirect('/inbox');
