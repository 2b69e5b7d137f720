-- Local demo data (npm run db:reset re-applies it). Demo logins are listed in the README; never use them in production.
-- Company Acme (admin + agent, a widget allowed on the local demo page and dashboard preview, a few conversations)
-- and company Globex (one agent), so tenant isolation can be tried by hand.

insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, raw_app_meta_data, raw_user_meta_data, created_at, updated_at, is_anonymous)
values
  ('00000000-0000-0000-0000-000000000000', 'a0000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', 'admin@acme.test',
   extensions.crypt('porchlight-admin', extensions.gen_salt('bf', 10)), now(), '{"provider":"email","providers":["email"]}', '{"email_verified":true}', now(), now(), false),
  ('00000000-0000-0000-0000-000000000000', 'a0000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', 'agent@acme.test',
   extensions.crypt('porchlight-agent', extensions.gen_salt('bf', 10)), now(), '{"provider":"email","providers":["email"]}', '{"email_verified":true}', now(), now(), false),
  ('00000000-0000-0000-0000-000000000000', 'a0000000-0000-4000-8000-000000000003', 'authenticated', 'authenticated', 'agent@globex.test',
   extensions.crypt('porchlight-agent', extensions.gen_salt('bf', 10)), now(), '{"provider":"email","providers":["email"]}', '{"email_verified":true}', now(), now(), false),
  ('00000000-0000-0000-0000-000000000000', 'b0000000-0000-4000-8000-000000000001', 'authenticated', 'authenticated', null, '', null, '{}', '{}', now() - interval '2 days', now(), true),
  ('00000000-0000-0000-0000-000000000000', 'b0000000-0000-4000-8000-000000000002', 'authenticated', 'authenticated', null, '', null, '{}', '{}', now() - interval '1 hour', now(), true);

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select u.id::text, u.id, jsonb_build_object('sub', u.id::text, 'email', u.email, 'email_verified', true, 'phone_verified', false), 'email', now(), now(), now()
from auth.users u where u.email in ('admin@acme.test', 'agent@acme.test', 'agent@globex.test');

insert into public.companies (id, name) values
  ('c0000000-0000-4000-8000-00000000ac3e', 'Acme'),
  ('c0000000-0000-4000-8000-000000000b0b', 'Globex');

insert into public.company_members (company_id, user_id, role, display_name) values
  ('c0000000-0000-4000-8000-00000000ac3e', 'a0000000-0000-4000-8000-000000000001', 'admin', 'Ada (Acme)'),
  ('c0000000-0000-4000-8000-00000000ac3e', 'a0000000-0000-4000-8000-000000000002', 'agent', 'Sam (Acme)'),
  ('c0000000-0000-4000-8000-000000000b0b', 'a0000000-0000-4000-8000-000000000003', 'agent', 'Gus (Globex)');

insert into public.widget_configs (company_id, widget_key, title, greeting, launcher_label, allowed_origins, prechat_name, prechat_email) values
  ('c0000000-0000-4000-8000-00000000ac3e', 'pk_demo_acme', 'Chat with Acme', 'Hi! Ask us anything about Acme.', 'Chat with Acme',
   array['http://127.0.0.1:3001', 'http://localhost:3001', 'http://127.0.0.1:3000', 'http://localhost:3000'], 'required', 'optional'),
  ('c0000000-0000-4000-8000-000000000b0b', 'pk_demo_globex', 'Globex support', 'Hello from Globex.', 'Help',
   array['http://127.0.0.1:3002', 'http://localhost:3002'], 'optional', 'optional');

insert into public.visitors (id, company_id, user_id, name, email, first_seen_at, last_seen_at, last_page_url, last_page_title, user_agent, locale) values
  ('d0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-00000000ac3e', 'b0000000-0000-4000-8000-000000000001', 'Maria Lopez', 'maria@example.com',
   now() - interval '2 days', now() - interval '2 hours', 'http://127.0.0.1:3001/pricing', 'Pricing – Acme', 'Mozilla/5.0 (X11; Linux x86_64) Chrome/156', 'es'),
  ('d0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-00000000ac3e', 'b0000000-0000-4000-8000-000000000002', 'Tom Becker', null,
   now() - interval '1 hour', now() - interval '10 minutes', 'http://127.0.0.1:3001/', 'Acme – Home', 'Mozilla/5.0 (Macintosh) Safari/18', 'de');

insert into public.conversations (id, company_id, visitor_id, status, created_at, last_message_at) values
  ('e0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-00000000ac3e', 'd0000000-0000-4000-8000-000000000001', 'open', now() - interval '2 days', now() - interval '2 days'),
  ('e0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-00000000ac3e', 'd0000000-0000-4000-8000-000000000002', 'open', now() - interval '1 hour', now() - interval '1 hour');

insert into public.messages (id, conversation_id, company_id, sender_kind, author_id, author_name, body, created_at) values
  ('f0000000-0000-4000-8000-000000000001', 'e0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-00000000ac3e', 'visitor', 'b0000000-0000-4000-8000-000000000001', 'Maria Lopez',
   'Hi, do you ship to Spain?', now() - interval '2 days'),
  ('f0000000-0000-4000-8000-000000000002', 'e0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-00000000ac3e', 'agent', 'a0000000-0000-4000-8000-000000000002', 'Sam (Acme)',
   'We do! Shipping takes 3–5 days.', now() - interval '2 days' + interval '3 minutes'),
  ('f0000000-0000-4000-8000-000000000003', 'e0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-00000000ac3e', 'visitor', 'b0000000-0000-4000-8000-000000000001', 'Maria Lopez',
   'Great, and can I pay by invoice?', now() - interval '2 hours'),
  ('f0000000-0000-4000-8000-000000000004', 'e0000000-0000-4000-8000-000000000002', 'c0000000-0000-4000-8000-00000000ac3e', 'visitor', 'b0000000-0000-4000-8000-000000000002', 'Tom Becker',
   'Is there a student discount?', now() - interval '10 minutes');

-- A few help-center articles for the demo (the Auto Bot stays off until an admin turns it on in the Help center).
insert into public.help_articles (company_id, title, body, locale, category, published) values
  ('c0000000-0000-4000-8000-00000000ac3e', 'Shipping to other countries',
   E'We ship to every EU country, the UK, Switzerland and Norway.\n\n- **EU:** 3–5 working days\n- **UK, Switzerland, Norway:** 5–8 working days, customs paid by the recipient', 'en', 'Shipping', true),
  ('c0000000-0000-4000-8000-00000000ac3e', 'Student discount',
   E'Students get **15 % off** every order. Verify your student status once under *Account → Discounts* and the discount applies at checkout.', 'en', 'Payment', true),
  ('c0000000-0000-4000-8000-00000000ac3e', 'Versand ins Ausland',
   E'Wir liefern in alle EU-Länder, nach Großbritannien, in die Schweiz und nach Norwegen.\n\n- **EU:** 3–5 Werktage\n- **Großbritannien, Schweiz, Norwegen:** 5–8 Werktage, Zoll zahlt der Empfänger', 'de', 'Versand', true),
  ('c0000000-0000-4000-8000-00000000ac3e', 'Gift wrapping (draft)',
   'We are testing gift wrapping for 3 €. Not available yet.', 'en', 'Orders', false);
