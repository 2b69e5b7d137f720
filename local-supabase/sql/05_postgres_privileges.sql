-- What Supabase's image lets `postgres` do to the API roles, so hosted-valid migrations apply here (issue 17).
-- Postgres 16+ asks for ADMIN OPTION before a CREATEROLE user may ALTER ROLE another role; hosted projects have it
-- for the API roles. Hosted projects let `postgres` set PostgREST's in-database settings (via supautils); without
-- that extension, SET on each named parameter is granted instead.
grant anon, authenticated, service_role, authenticator to postgres with admin option;

do $$
declare
  setting text;
begin
  foreach setting in array array[
    'db_aggregates_enabled', 'db_anon_role', 'db_extra_search_path', 'db_hoisted_tx_settings', 'db_max_rows',
    'db_plan_enabled', 'db_pre_config', 'db_pre_request', 'db_prepared_statements', 'db_root_spec', 'db_schemas',
    'db_tx_end', 'jwt_aud', 'jwt_cache_max_lifetime', 'jwt_role_claim_key', 'jwt_secret', 'jwt_secret_is_base64',
    'openapi_mode', 'openapi_security_active', 'openapi_server_proxy_uri', 'server_cors_allowed_origins',
    'server_timing_enabled', 'server_trace_header']
  loop
    execute format('grant set on parameter %I to postgres', 'pgrst.' || setting);
  end loop;
end $$;
