// The inbox's platform filter: every conversation, or only the website widget's, Messenger's or Instagram's.
import { Link } from '@remix-run/react';
import { PlatformBadge } from '../../components/PlatformBadge.tsx';

const PLATFORMS = [
  ['all', 'All platforms'],
  ['widget', 'Website'],
  ['facebook', 'Messenger'],
  ['instagram', 'Instagram'],
] as const;

export function PlatformFilter({ current, link }: { current: string; link: (platform: string) => string }) {
  return (
    <nav className="row" aria-label="Platform filter" data-testid="platform-filter">
      {PLATFORMS.map(([p, label]) => (
        <Link key={p} to={link(p)} aria-current={current === p ? 'true' : undefined}>
          {p === 'all' ? null : <PlatformBadge platform={p} />} {label}
        </Link>
      ))}
    </nav>
  );
}
