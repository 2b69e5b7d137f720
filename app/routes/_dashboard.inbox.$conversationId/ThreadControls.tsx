// The thread header's controls: status, assignee, Auto-bot and labels, each an optimistic fetcher form (the shown
// value is the pending one until the loader has the stored one), plus what the route adds (the profile button).
import { useFetcher } from '@remix-run/react';
import type { ReactNode } from 'react';
import type { Label } from '../../models/labels.server.ts';
import { ConversationLabels } from './ConversationLabels.tsx';

interface ControlledConversation {
  status: string;
  assignee_id: string | null;
  auto_bot: boolean;
}

export function ThreadControls({
  conversation,
  members,
  me,
  labels,
  labelIds,
  children,
}: {
  conversation: ControlledConversation;
  members: readonly { user_id: string; display_name: string | null }[];
  me: { id: string };
  labels: readonly Label[];
  labelIds: readonly string[];
  children: ReactNode;
}) {
  const statusFetcher = useFetcher();
  const assignFetcher = useFetcher();
  const botFetcher = useFetcher();
  const optimisticStatus = (statusFetcher.formData?.get('status') as string | null) ?? conversation.status;
  const optimisticAssignee = assignFetcher.formData ? String(assignFetcher.formData.get('assigneeId') ?? '') : (conversation.assignee_id ?? '');
  const optimisticBot = botFetcher.formData ? botFetcher.formData.get('autoBot') === 'true' : conversation.auto_bot;
  return (
    <div className="thread-controls">
      <statusFetcher.Form method="post">
        <input type="hidden" name="intent" value="status" />
        <label>
          <span className="sr-only">Status</span>
          <select name="status" value={optimisticStatus} onChange={(e) => statusFetcher.submit(e.currentTarget.form)} aria-label="Status">
            <option value="open">Open</option>
            <option value="pending">Pending</option>
            <option value="resolved">Resolved</option>
          </select>
        </label>
      </statusFetcher.Form>
      <assignFetcher.Form method="post">
        <input type="hidden" name="intent" value="assign" />
        <select name="assigneeId" value={optimisticAssignee} onChange={(e) => assignFetcher.submit(e.currentTarget.form)} aria-label="Assignee">
          <option value="">Unassigned</option>
          {members.map((m) => (
            <option key={m.user_id} value={m.user_id}>
              {m.display_name || 'Member'}
              {m.user_id === me.id ? ' (me)' : ''}
            </option>
          ))}
        </select>
      </assignFetcher.Form>
      <botFetcher.Form method="post">
        <input type="hidden" name="intent" value="bot" />
        <input type="hidden" name="autoBot" value={optimisticBot ? 'false' : 'true'} />
        <label title="Let the bot answer while no agent replies">
          <input type="checkbox" checked={optimisticBot} onChange={(e) => botFetcher.submit(e.currentTarget.form)} /> Auto-bot
        </label>
      </botFetcher.Form>
      <ConversationLabels labels={labels} labelIds={labelIds} />
      {children}
    </div>
  );
}
