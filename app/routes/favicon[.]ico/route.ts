// Browsers ask for /favicon.ico whatever the page links; send them to the SVG icon instead of a 404.
import { redirect } from '@remix-run/node';

export const loader = () => redirect('/favicon.svg', { status: 301 });
