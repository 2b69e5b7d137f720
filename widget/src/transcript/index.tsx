/** @jsxImportSource preact */
// The transcript button (in the attachments chunk, shown once the conversation is resolved; ADR 0014): asks
// widget-transcript to email the conversation to the address the visitor left, and says how it went.
import { useState } from 'preact/hooks';
import { transcript as de } from '../../locales/de-transcript.ts';
import { transcript as en } from '../../locales/en-transcript.ts';
import type { WidgetClient } from '../client.ts';

export function Transcript({ client, id, locale }: { client: WidgetClient; id: string; locale: string }) {
  const t = locale === 'de' ? de : en;
  const [state, setState] = useState<'idle' | 'busy' | 'sent' | 'failed'>('idle');
  const ask = () => {
    setState('busy');
    client.call('widget-transcript', { body: { conversationId: id } }).then(
      () => setState('sent'),
      () => setState('failed'),
    );
  };
  if (state === 'sent' || state === 'failed') return <p role="status">{t[state]}</p>;
  return (
    <button type="button" class="ab" disabled={state === 'busy'} onClick={ask}>
      {t.ask}
    </button>
  );
}
