// One conversation: the header (ThreadControls.tsx), the stored messages (ThreadMessages.tsx) with the outbox, an
// optimistic idempotent composer (reply or private note, / for canned replies), and the visitor's profile. The thread
// is the loader's with the company's events applied in place; reading it is an action sent while on screen (use-read.ts).
import { isRouteErrorResponse, Link, type ShouldRevalidateFunction, useLoaderData, useLocation, useRevalidator, useRouteError } from '@remix-run/react';
import { useEffect, useRef, useState } from 'react';
import { MAX_MESSAGE_LENGTH } from '../../../functions/_shared/limits.ts';
import { Avatar } from '../../components/Avatar.tsx';
import { PlatformBadge } from '../../components/PlatformBadge.tsx';
import { fillVariables } from '../../lib/canned-variables.ts';
import { type ComposerMode, composerTyping } from '../../lib/composer-typing.ts';
import { useLiveThread } from '../../lib/dashboard-context.tsx';
import { visitorDisplayName } from '../../lib/format.ts';
import { useVisitorsOnline } from '../../lib/presence-context.tsx';
import { liveShouldRevalidate } from '../../lib/revalidation.ts';
import { threadFiles } from '../../lib/thread-files.ts';
import { useTypingHub, useVisitorsTyping } from '../../lib/typing-context.tsx';
import { useRecover } from '../../lib/use-recover.ts';
import { FileList, TrayView, useAttachmentTray } from './Attachments.tsx';
import { useCannedPicker } from './CannedPicker.tsx';
import { ChannelWindowClosed } from './ChannelDelivery.tsx';
import { ComposerModeSwitch } from './ComposerMode.tsx';
import { ConversationRating } from './ConversationRating.tsx';
import { CustomerProfile } from './CustomerProfile.tsx';
import type { loader } from './conversation.server.ts';
import { type Outgoing, OutgoingMessage } from './OutgoingMessage.tsx';
import { ThreadControls } from './ThreadControls.tsx';
import { ThreadMessages } from './ThreadMessages.tsx';
import { useReadWhileShown } from './use-read.ts';
import { VisitorEmails } from './VisitorEmails.tsx';

export { sessionHeaders as headers } from '../../lib/headers.ts';
export { action, loader } from './conversation.server.ts';

// The thread depends on the conversation id only: a filter clicked beside it re-reads nothing here.
export const shouldRevalidate: ShouldRevalidateFunction = (args) => {
  if (!args.formMethod && args.currentParams.conversationId === args.nextParams.conversationId && args.currentUrl.href !== args.nextUrl.href) {
    return false;
  }
  // A Messenger/Instagram reply: its delivery row is not broadcast, so the thread is read again to show it.
  if ((args.actionResult as { channel?: unknown } | undefined)?.channel) return true;
  return liveShouldRevalidate(args);
};

export default function ConversationView() {
  const data = useLoaderData<typeof loader>();
  const { visitor, members, earlier, me } = data;
  const thread = useLiveThread(data, () => ({ conversation: data.conversation, messages: data.messages, gap: false }));
  const { conversation, messages } = thread;
  useReadWhileShown(conversation.id, conversation.unread_count);
  // An event showed that this tab's thread is stale (a message never reached it, a delivery or an email moved):
  // read the conversation again, once per read: a signal that arrived while that read was under way is replayed
  // over its data (live-store.ts) and flags the new thread again, so it gets a read of its own.
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new `data` is a new read, which may need one more
  useEffect(() => {
    if (thread.gap) revalidate.current();
  }, [thread.gap, data]);
  const location = useLocation();
  const online = useVisitorsOnline([conversation.id]).has(conversation.id);
  const visitorTyping = useVisitorsTyping([conversation.id]).has(conversation.id);
  const typingHub = useTypingHub();
  const [outbox, setOutbox] = useState<Outgoing[]>([]);
  const [draft, setDraft] = useState('');
  const [mode, setMode] = useState<ComposerMode>('reply');
  const [showProfile, setShowProfile] = useState(false);
  const listRef = useRef<HTMLDivElement>(null);
  const name = visitorDisplayName(visitor);
  const formRef = useRef<HTMLFormElement>(null);
  const tray = useAttachmentTray(conversation.id, formRef);
  const files = threadFiles(data.files, messages);
  // Meta's 24-hour window: outside it the composer stays, disabled, under the notice saying why.
  const windowClosed = Boolean(data.channel && !data.channel.windowOpen);
  // A canned response replaces the `/` draft with its text, variables filled; the agent may edit it before sending.
  const picker = useCannedPicker(draft, data.canned, (c) => {
    const text = fillVariables(c.body, { visitorName: visitor?.name ?? null, visitorEmail: visitor?.email ?? null, agentName: me.name, companyName: data.companyName });
    setDraft(text);
    composerTyping(typingHub, conversation.id, mode, text);
  });
  const changeMode = (next: ComposerMode) => {
    setMode(next);
    composerTyping(typingHub, conversation.id, next, draft);
    document.getElementById('composer')?.focus();
  };

  // Sent messages leave the outbox once the loader has them (the database is the truth).
  const stored = new Set(messages.map((m) => m.id));
  const pending = outbox.filter((m) => !stored.has(m.id));
  useEffect(() => {
    if (outbox.some((m) => stored.has(m.id))) setOutbox((o) => o.filter((m) => !stored.has(m.id)));
  });

  // Keep the newest message in view when messages arrive or another conversation opens.
  const scrollKey = `${conversation.id}:${messages.length}:${pending.length}`;
  useEffect(() => {
    const el = listRef.current;
    if (el && scrollKey) el.scrollTop = el.scrollHeight;
  }, [scrollKey]);

  // A different conversation starts with an empty composer and outbox.
  const [shownId, setShownId] = useState(conversation.id);
  if (shownId !== conversation.id) {
    setShownId(conversation.id);
    setOutbox([]);
    setDraft('');
    setMode('reply');
  }

  const submitDraft = () => {
    const body = draft.trim();
    if (mode === 'note') {
      // A note is text only (the database refuses files on one) and never sets off the typing signal.
      if (!body) return;
      setOutbox((o) => [...o, { id: crypto.randomUUID(), body, createdAt: new Date().toISOString(), isPrivate: true }]);
      setDraft('');
      return;
    }
    if (tray.busy) return; // the reply waits for its uploads
    if (tray.ready.length) {
      // A reply with files goes through /attachments/send (checked bytes, one transaction), then the thread is read.
      const files = tray.ready;
      tray.clear();
      setDraft('');
      void fetch('/attachments/send', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ conversationId: conversation.id, id: crypto.randomUUID(), body, attachments: files }),
      }).finally(() => revalidate.current());
      return;
    }
    if (!body) return;
    setOutbox((o) => [...o, { id: crypto.randomUUID(), body, createdAt: new Date().toISOString() }]);
    setDraft('');
    typingHub?.stop(conversation.id);
  };

  return (
    <div className="conversation" data-testid="conversation" data-conversation-id={conversation.id}>
      <div className="thread">
        <header className="thread-header">
          <Link to={`/inbox${location.search}`} className="back-link" aria-label="Back to the inbox">
            ←
          </Link>
          <Avatar name={name} email={visitor?.email} gravatar={data.gravatar} online={online} />
          <div>
            <h2 data-testid="conversation-title">{name}</h2>
            <span className={`presence-label ${online ? 'online' : 'offline'}`} data-testid="presence-label">
              {online ? 'Online' : 'Offline'}
            </span>{' '}
            <PlatformBadge platform={conversation.platform} />
          </div>
          <ThreadControls conversation={conversation} members={members} me={me} labels={data.labels} labelIds={data.labelIds}>
            <button type="button" onClick={() => setShowProfile((s) => !s)} aria-expanded={showProfile}>
              Customer Info
            </button>
          </ThreadControls>
        </header>

        <div className="messages" ref={listRef} data-testid="messages" aria-live="polite">
          <ThreadMessages conversation={conversation} messages={messages} files={files} channel={data.channel} />
          {pending.map((m) => (
            <OutgoingMessage key={m.id} message={m} />
          ))}
        </div>
        {visitorTyping ? (
          <p className="typing-line" data-testid="visitor-typing" role="status">
            {`${name} is typing…`}
          </p>
        ) : null}

        {windowClosed ? <ChannelWindowClosed platform={conversation.platform} /> : null}
        <form
          ref={formRef}
          className={`composer${mode === 'note' ? ' note-mode' : ''}`}
          data-mode={mode}
          onSubmit={(e) => {
            e.preventDefault();
            submitDraft();
          }}
        >
          <ComposerModeSwitch mode={mode} onChange={changeMode} />
          {picker.view}
          <label className="sr-only" htmlFor="composer">
            {mode === 'note' ? 'Private note' : 'Reply'}
          </label>
          <textarea
            id="composer"
            name="body"
            rows={2}
            maxLength={MAX_MESSAGE_LENGTH}
            disabled={windowClosed}
            aria-describedby={windowClosed ? 'window-closed' : undefined}
            value={draft}
            placeholder={
              mode === 'note' ? 'Write a private note for your team… (Enter adds it)' : 'Write a reply… (/ for canned replies, Enter sends, Shift+Enter new line)'
            }
            {...picker.inputProps}
            onChange={(e) => {
              setDraft(e.target.value);
              composerTyping(typingHub, conversation.id, mode, e.target.value);
            }}
            onBlur={() => typingHub?.stop(conversation.id)}
            onKeyDown={(e) => {
              if (picker.onKeyDown(e)) return;
              if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
                e.preventDefault();
                submitDraft();
              } else if (e.key === 'Escape') {
                e.currentTarget.blur();
              }
            }}
          />
          {mode === 'reply' ? <TrayView tray={tray} /> : null}
          <button type="submit" className="primary" disabled={mode === 'note' ? !draft.trim() : windowClosed || tray.busy || (!draft.trim() && !tray.ready.length)}>
            {mode === 'note' ? 'Add note' : 'Send'}
          </button>
        </form>
      </div>

      <CustomerProfile visitor={visitor} platform={conversation.platform} earlier={earlier} open={showProfile} onClose={() => setShowProfile(false)}>
        <FileList files={files.all} />
        <ConversationRating rating={data.rating} />
        <VisitorEmails emails={data.emails} />
      </CustomerProfile>
    </div>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const retrying = useRecover(error);
  const message = isRouteErrorResponse(error)
    ? ((error.data as { message?: string } | undefined)?.message ?? error.statusText)
    : 'This conversation could not be loaded.';
  return (
    <div className="empty" role="alert" data-testid="route-error">
      <p>{message}</p>
      {retrying ? <p className="muted">Reconnecting…</p> : null}
      <p>
        <Link to="/inbox">Back to the inbox</Link>
      </p>
    </div>
  );
}
