-- private.is_company_admin(uuid) has had no caller since the policies moved to private.my_admin_company_ids():
-- an unused security definer function is surface without a purpose, so it goes.
drop function if exists private.is_company_admin(uuid);
