// The lazy live-signals chunk (typing, who is there, read marks) and what the engine heard before it loaded: the
// conversation whose topics it is to join and the newest agent read mark, handed over on arrival so none is lost.
import type { LiveSignals } from '../live.ts';
import type { RealtimeLike } from './ports.ts';

export class LiveHandover {
  live: LiveSignals | null = null;
  private joined?: string;
  private lastRead?: unknown;
  private loading: Promise<void> | undefined;

  join(realtime: RealtimeLike, conversationId: string) {
    this.joined = conversationId;
    this.live?.join(realtime as never, conversationId);
  }

  read(messageId: unknown) {
    if (messageId != null) this.lastRead = messageId;
    this.live?.read(messageId);
  }

  /** Loads the chunk once; a failed load is tried again on the next call. `arrived` runs once it is handed over. */
  load(chunk: (() => Promise<LiveSignals>) | undefined, realtime: RealtimeLike | null, arrived: (live: LiveSignals) => void) {
    this.loading ??= chunk?.().then(
      (live) => {
        this.live = live;
        if (this.joined && realtime) live.join(realtime as never, this.joined);
        live.read(this.lastRead);
        arrived(live);
      },
      () => void (this.loading = undefined),
    );
  }
}
