// POST /company — switch the current company.
import { redirect } from '@remix-run/node';

export { switchCompanyAction as action } from './company.server.ts';

export const loader = () => redirect('/inbox');
