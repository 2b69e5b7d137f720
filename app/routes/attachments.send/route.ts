// POST /attachments/send — the agent's reply with uploaded files (app/lib/attachments.server.ts).
import type { ActionFunctionArgs } from '@remix-run/node';
import { sendAgentFiles } from '../../lib/attachments.server.ts';
import { requireAgent } from '../../lib/auth.server.ts';

export async function action({ request, context }: ActionFunctionArgs) {
  return sendAgentFiles(await requireAgent(request, context), request);
}
