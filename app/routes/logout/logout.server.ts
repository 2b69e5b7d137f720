import { type ActionFunctionArgs, redirect } from '@remix-run/node';
import { companyCookie } from '../../lib/auth.server.ts';
import { createSupabase } from '../../lib/supabase.server.ts';

// Sign-out is a POST (a GET link could be triggered by any page); GET just goes back to the inbox.
export async function loader() {
  return redirect('/inbox');
}

export async function action({ request }: ActionFunctionArgs) {
  const { supabase, headers } = createSupabase(request);
  // Revokes the refresh token server-side and clears the session cookies via setAll.
  await supabase.auth.signOut({ scope: 'local' });
  headers.append('Set-Cookie', await companyCookie.serialize('', { maxAge: 0 }));
  return redirect('/login', { headers });
}
