// POST /company: the agent switches the company they work in (a cookie, honoured only for their own companies).
import { type ActionFunctionArgs, redirect } from '@remix-run/node';
import { companyCookie, errorResponse, requireAgent } from '../../lib/auth.server.ts';
import { readFormData } from '../../lib/validation.ts';

/** Switch the company the agent works in; only companies they belong to. */
export async function action({ request, context }: ActionFunctionArgs) {
  const ctx = await requireAgent(request, context);
  const form = await readFormData(request);
  const companyId = String(form.get('companyId') ?? '');
  if (!ctx.memberships.some((m) => m.companyId === companyId)) {
    return errorResponse(403, 'not_a_member', 'You are not a member of that company.', ctx.headers, {
      fieldErrors: { companyId: 'You are not a member of that company.' },
    });
  }
  ctx.headers.append('Set-Cookie', await companyCookie.serialize(companyId));
  return redirect('/inbox', { headers: ctx.headers });
}
