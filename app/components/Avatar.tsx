// A person's avatar: initials under their Gravatar, with an optional presence dot.
import { useEffect, useState } from 'react';
import { initials } from '../lib/format.ts';

/** Initials, covered by the Gravatar when one exists (the image hides itself if it fails to load). */
export function Avatar({ name, email, gravatar, online }: { name: string; email?: string | null; gravatar?: string | null; online?: boolean }) {
  const [failed, setFailed] = useState(false);
  // Client-only: a server-rendered <img> can fail before hydration, when onError is not attached yet.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return (
    <span className="avatar-wrap">
      <span className="avatar" aria-hidden="true">
        {initials(name, email)}
        {mounted && gravatar && !failed ? <img src={gravatar} alt="" loading="lazy" onError={() => setFailed(true)} /> : null}
      </span>
      {online === undefined ? null : (
        <span className={`dot${online ? ' online' : ''}`} data-testid="presence-dot" data-online={online ? 'true' : 'false'} title={online ? 'Online' : 'Offline'} />
      )}
    </span>
  );
}
