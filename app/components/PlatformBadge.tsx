// Where a conversation comes from, as a small inline SVG icon named for screen readers (an emoji glyph renders as
// an empty box on machines without an emoji font). The icons are drawn here, not taken from the brands' kits.
import type { ReactNode } from 'react';

const PLATFORMS: Record<string, { label: string; icon: ReactNode }> = {
  widget: {
    label: 'Website',
    icon: <path d="M3 2.5h10A1.5 1.5 0 0 1 14.5 4v6a1.5 1.5 0 0 1-1.5 1.5H7.2L4 14.2v-2.7H3A1.5 1.5 0 0 1 1.5 10V4A1.5 1.5 0 0 1 3 2.5z" />,
  },
  facebook: {
    label: 'Facebook',
    icon: (
      <>
        <circle cx="8" cy="8" r="7" />
        <path fill="#fff" d="M8.9 14.9V9.2h1.7l.3-2H8.9V5.9c0-.6.2-1 1-1h1V3.1a13 13 0 0 0-1.5-.1c-1.5 0-2.6.9-2.6 2.6v1.6H5.1v2h1.7v5.7z" />
      </>
    ),
  },
  instagram: {
    label: 'Instagram',
    icon: (
      <>
        <rect x="2" y="2" width="12" height="12" rx="3.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <circle cx="8" cy="8" r="2.8" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <circle cx="11.4" cy="4.6" r="0.9" />
      </>
    ),
  },
};

export function platformLabel(platform: string): string {
  return PLATFORMS[platform]?.label ?? platform;
}

export function PlatformBadge({ platform }: { platform: string }) {
  const known = PLATFORMS[platform];
  const label = platformLabel(platform);
  return (
    <span className={`platform platform-${platform}`} title={label} data-platform={platform}>
      <svg viewBox="0 0 16 16" width="12" height="12" fill="currentColor" role="img" aria-label={label} focusable="false">
        {known?.icon ?? <circle cx="8" cy="8" r="3" />}
      </svg>
    </span>
  );
}
