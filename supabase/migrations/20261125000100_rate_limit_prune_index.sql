-- Rate-limit pruning that stays cheap as the table grows.
--
-- widget_rate_limit() deletes hits older than a day on about 1 % of calls. With only the (bucket, hit_at)
-- index and a cutoff written with clock_timestamp() (volatile, so never an index condition), that delete read
-- the whole table: on a busy site (two hits per message, a day of them) one message in a hundred paid for a
-- sequential scan of hundreds of thousands of rows, inside the sender's transaction. Now the cutoff is computed
-- once into a variable (a plain parameter to the planner) and an index on hit_at serves the delete.
-- Behaviour is otherwise unchanged (same limits, same Retry-After).

create index widget_rate_limit_hits_hit_at_idx on public.widget_rate_limit_hits (hit_at);
comment on index public.widget_rate_limit_hits_hit_at_idx is 'Serves the pruning of hits older than a day in widget_rate_limit().';

create or replace function public.widget_rate_limit(p_bucket text, p_max int, p_window_seconds int) returns int
language plpgsql security definer set search_path = '' as $$
declare
  oldest timestamptz;
  hits int;
  cutoff timestamptz;
begin
  perform pg_advisory_xact_lock(hashtext(p_bucket));
  select count(*), min(hit_at) into hits, oldest
    from (select hit_at from public.widget_rate_limit_hits
          where bucket = p_bucket and hit_at > clock_timestamp() - make_interval(secs => p_window_seconds)
          order by hit_at desc limit p_max) recent;
  if hits >= p_max then
    return greatest(1, ceil(extract(epoch from (oldest + make_interval(secs => p_window_seconds) - clock_timestamp())))::int);
  end if;
  insert into public.widget_rate_limit_hits (bucket) values (p_bucket);
  if random() < 0.01 then
    cutoff := clock_timestamp() - interval '1 day';
    delete from public.widget_rate_limit_hits where hit_at < cutoff;
  end if;
  return 0;
end;
$$;
comment on function public.widget_rate_limit(text, int, int) is 'Rate limit check-and-record for the widget Edge Functions (service role only).';
