-- Roles, schemas and default privileges as the Supabase Postgres image creates them (reference §7).
-- Runs once, as the cluster superuser `supabase_admin`, before any migration.

create role postgres login password 'postgres' createdb createrole replication bypassrls;
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
alter role anon inherit;
alter role authenticated inherit;
alter role service_role inherit;
create role authenticator login password 'postgres' noinherit;
grant anon, authenticated, service_role to authenticator;
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';

create role supabase_auth_admin login password 'postgres' noinherit createrole;
create role supabase_storage_admin login password 'postgres' noinherit createrole;
create role supabase_realtime_admin nologin noinherit;
create role supabase_replication_admin login password 'postgres' replication;
create role supabase_read_only_user login password 'postgres' bypassrls;
grant pg_read_all_data to supabase_read_only_user;
create role dashboard_user nologin createdb createrole replication;
create role pgbouncer login password 'postgres';
create role supabase_functions_admin nologin noinherit createrole;

grant anon, authenticated, service_role, supabase_auth_admin, supabase_storage_admin to postgres;
-- Lets migrations owned by `postgres` add policies on realtime.messages, as on hosted projects.
grant supabase_realtime_admin to postgres;
alter role postgres set search_path = "$user", public, extensions;
alter role supabase_auth_admin set search_path = auth;

grant all on database postgres to postgres, dashboard_user;
grant connect on database postgres to authenticator, supabase_auth_admin, supabase_storage_admin;

-- public: owned by postgres, reachable by the API roles subject to grants and RLS.
alter schema public owner to postgres;
grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to postgres, anon, authenticated, service_role;
-- New cloud projects no longer auto-grant on public (reference §7): behave like them so migrations must GRANT explicitly.
alter default privileges for role postgres in schema public revoke select, insert, update, delete on tables from anon, authenticated, service_role;
alter default privileges for role postgres in schema public revoke usage, select on sequences from anon, authenticated, service_role;
alter default privileges for role postgres in schema public revoke execute on functions from anon, authenticated, service_role;

create schema extensions authorization postgres;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
alter default privileges in schema extensions grant all on functions to postgres, anon, authenticated, service_role;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;

create schema graphql_public;
grant usage on schema graphql_public to postgres, anon, authenticated, service_role;
create schema storage authorization supabase_storage_admin;
grant usage on schema storage to postgres, anon, authenticated, service_role;
create schema vault;
create schema _realtime;

-- Realtime publishes nothing by default; migrations may `alter publication supabase_realtime add table ...`.
create publication supabase_realtime;
