// Typing signals (issue 18, ADR 0011), shared by the widget and the dashboard: the sender's throttle (at most one
// start per TYPING_START_EVERY_MS while typing, one stop on send, blur or clear) and the receiver's expiry (a typist
// is forgotten TYPING_EXPIRES_MS after their last event). Clocks are injected so tests can drive them.

export const TYPING_START_EVERY_MS = 2_000;
export const TYPING_EXPIRES_MS = 5_000;
export const TYPING_EVENT = 'typing';
export const typingTopic = (conversationId: string) => `conversation:${conversationId}:typing`;

export interface TypingPayload {
  from: 'visitor' | 'agent';
  typing: boolean;
  name?: string;
}

export class TypingSender {
  private lastStart = Number.NEGATIVE_INFINITY;
  private active = false;

  constructor(
    /** Answers false when it could not send (channel not joined yet): the next keystroke tries again. */
    private readonly send: (typing: boolean) => boolean | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** The draft changed: a start unless one went out less than 2 s ago; an empty draft is a stop. */
  input(draft: string) {
    if (!draft.trim()) return this.stop();
    const t = this.now();
    if (t - this.lastStart < TYPING_START_EVERY_MS) return;
    if (this.send(true) === false) return;
    this.lastStart = t;
    this.active = true;
  }

  /** Sent, blurred or cleared: one stop, only if a start went out. */
  stop() {
    if (!this.active) return;
    this.active = false;
    this.lastStart = Number.NEGATIVE_INFINITY;
    this.send(false);
  }
}

/** Who is typing, as a receiver knows it: the last event's name, until a stop or 5 s of silence. */
export class TypingWatch {
  private until = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  name: string | null = null;

  constructor(
    private readonly onChange: () => void,
    private readonly now: () => number = Date.now,
  ) {}

  get typing(): boolean {
    return this.now() < this.until;
  }

  /** A broadcast arrived on the typing topic; anything not shaped like a typing event from `from` is ignored. */
  receive(payload: unknown, from: TypingPayload['from']) {
    const p = payload as Partial<TypingPayload> | null;
    if (!p || p.from !== from || typeof p.typing !== 'boolean') return;
    const was = this.typing;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (p.typing) {
      this.name = typeof p.name === 'string' ? p.name.slice(0, 60) : null;
      this.until = this.now() + TYPING_EXPIRES_MS;
      this.timer = setTimeout(() => this.clear(), TYPING_EXPIRES_MS);
    } else {
      this.until = 0;
    }
    if (was !== this.typing || p.typing) this.onChange();
  }

  /** A message from the typist arrived, or the channel ended: they are not typing any more. */
  clear() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const was = this.typing;
    this.until = 0;
    if (was) this.onChange();
  }
}
