// GET /attachments/:attachmentId[?thumbnail=1] — a file of the agent's company, read through RLS as the agent.
import type { LoaderFunctionArgs } from '@remix-run/node';
import { downloadAttachment } from '../../lib/attachments.server.ts';
import { requireAgent } from '../../lib/auth.server.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const { supabase, headers } = await requireAgent(request, context);
  const id = params.attachmentId ?? '';
  if (!UUID.test(id)) return Response.json({ code: 'not_found', message: 'No such file.' }, { status: 404, headers });
  return downloadAttachment(supabase, headers, id, new URL(request.url).searchParams.has('thumbnail'));
}
