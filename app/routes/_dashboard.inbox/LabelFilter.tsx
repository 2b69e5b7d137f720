// The inbox's label filter: one select of the company's labels; choosing one reloads the list with ?label=<id>.
import { useLocation, useNavigate } from '@remix-run/react';

export function LabelFilter({ labels, current }: { labels: readonly { id: string; name: string }[]; current: string | null }) {
  const location = useLocation();
  const navigate = useNavigate();
  if (!labels.length) return null;
  return (
    <label className="label-filter">
      <span>Label</span>
      <select
        value={current ?? ''}
        data-testid="label-filter"
        onChange={(e) => {
          const sp = new URLSearchParams(location.search);
          if (e.currentTarget.value) sp.set('label', e.currentTarget.value);
          else sp.delete('label');
          sp.delete('after');
          const s = sp.toString();
          navigate(`${location.pathname}${s ? `?${s}` : ''}`);
        }}
      >
        <option value="">All labels</option>
        {labels.map((l) => (
          <option key={l.id} value={l.id}>
            {l.name}
          </option>
        ))}
      </select>
    </label>
  );
}
