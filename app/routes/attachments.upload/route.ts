// POST /attachments/upload — a signed upload URL for a file the agent attaches (app/lib/attachments.server.ts).
import type { ActionFunctionArgs } from '@remix-run/node';
import { beginAgentUpload } from '../../lib/attachments.server.ts';
import { requireAgent } from '../../lib/auth.server.ts';

export async function action({ request, context }: ActionFunctionArgs) {
  return beginAgentUpload(await requireAgent(request, context), request);
}
