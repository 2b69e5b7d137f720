-- Files in Messenger/Instagram replies (issue 23): a reply goes out as its text, then one Send API message per file
-- (Meta fetches each from a signed URL). The delivery row counts the parts Meta accepted, so a retry after a failure
-- part-way goes on from the next part and never sends the text or a file twice.

alter table public.meta_deliveries add column parts_sent int not null default 0 check (parts_sent >= 0);
comment on column public.meta_deliveries.parts_sent is 'Parts of the reply (its text, then each file) the Send API has accepted; a retry goes on from the next one.';
