-- pg_cron 1.6's SQL surface without its C worker (reference §9): cron.job, cron.job_run_details, schedule,
-- unschedule and alter_job, each job seen only by its owner. local-supabase/scheduler/cron.ts runs due jobs.
create schema cron;
create sequence cron.jobid_seq;
create sequence cron.runid_seq;

create table cron.job (
  jobid bigint primary key default pg_catalog.nextval('cron.jobid_seq'),
  schedule text not null,
  command text not null,
  nodename text not null default 'localhost',
  nodeport int not null default pg_catalog.inet_server_port(),
  database text not null default pg_catalog.current_database(),
  username text not null default current_user,
  active boolean not null default true,
  jobname text,
  unique (jobname, username)
);
grant select, insert, update, delete on cron.job to public;
grant usage on sequence cron.jobid_seq, cron.runid_seq to public;
alter table cron.job enable row level security;
create policy cron_job_policy on cron.job using (username operator(pg_catalog.=) current_user);

create table cron.job_run_details (
  jobid bigint,
  runid bigint primary key default pg_catalog.nextval('cron.runid_seq'),
  job_pid integer,
  database text,
  username text,
  command text,
  status text,
  return_message text,
  start_time timestamptz,
  end_time timestamptz
);
grant select, delete on cron.job_run_details to public;
alter table cron.job_run_details enable row level security;
create policy cron_job_run_details_policy on cron.job_run_details using (username operator(pg_catalog.=) current_user);

-- The schedule forms pg_cron accepts: five cron fields, '@hourly'-style names, or '[1-59] seconds'.
create function cron._valid_schedule(p text) returns boolean language sql immutable as $$
  select p ~ '^\s*([1-9]|[1-5][0-9])\s+seconds?\s*$'
      or p ~ '^@(yearly|annually|monthly|weekly|daily|hourly|reboot)$'
      or p ~ '^\s*([0-9*,/\-]+|[0-9*,/\-a-zA-Z]+)(\s+([0-9*,/\-a-zA-Z]+)){4}\s*$'
$$;

create function cron.schedule(job_name text, schedule text, command text) returns bigint
language plpgsql as $$
declare
  id bigint;
begin
  if not cron._valid_schedule(schedule) then
    raise exception 'invalid schedule: %', schedule;
  end if;
  insert into cron.job (schedule, command, jobname, username) values (schedule, command, job_name, current_user)
  on conflict (jobname, username) do update set schedule = excluded.schedule, command = excluded.command
  returning jobid into id;
  return id;
end;
$$;
create function cron.schedule(schedule text, command text) returns bigint
language sql as $$ select cron.schedule(null::text, schedule, command) $$;

create function cron.unschedule(job_id bigint) returns boolean
language plpgsql as $$
begin
  delete from cron.job where jobid = job_id;
  if not found then raise exception 'could not find valid entry for job %', job_id; end if;
  return true;
end;
$$;
create function cron.unschedule(job_name text) returns boolean
language plpgsql as $$
begin
  delete from cron.job where jobname = job_name;
  if not found then raise exception 'could not find valid entry for job ''%''', job_name; end if;
  return true;
end;
$$;

create function cron.alter_job(job_id bigint, schedule text default null, command text default null,
  database text default null, username text default null, active boolean default null) returns void
language plpgsql as $$
begin
  if schedule is not null and not cron._valid_schedule(schedule) then
    raise exception 'invalid schedule: %', schedule;
  end if;
  update cron.job j set schedule = coalesce(alter_job.schedule, j.schedule), command = coalesce(alter_job.command, j.command),
    database = coalesce(alter_job.database, j.database), username = coalesce(alter_job.username, j.username),
    active = coalesce(alter_job.active, j.active)
   where j.jobid = job_id;
  if not found then raise exception 'could not find valid entry for job %', job_id; end if;
end;
$$;
grant usage on schema cron to public;
