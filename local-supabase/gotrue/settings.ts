// The open routes describing the server: GET /health, GET /settings (which providers exist), the JWKS (public signing keys).
import type { AuthConfig } from '../config.ts';
import type { JwtKeys } from '../project-keys.ts';
import { sendAuthJson } from './errors.ts';
import type { AuthHandler } from './service-context.ts';

export function createSettingsRoutes(a: AuthConfig, keys: JwtKeys): Record<string, AuthHandler> {
  const settings: AuthHandler = ({ req, res }) =>
    sendAuthJson(req, res, 200, {
      external: {
        anonymous_users: a.enableAnonymousSignIns,
        apple: false, azure: false, bitbucket: false, discord: false, facebook: false, figma: false, fly: false,
        github: false, gitlab: false, google: false, keycloak: false, kakao: false, linkedin: false, linkedin_oidc: false,
        notion: false, spotify: false, slack: false, slack_oidc: false, workos: false, twitch: false, twitter: false, zoom: false,
        email: a.emailSignup,
        phone: false,
      },
      disable_signup: !a.enableSignup,
      mailer_autoconfirm: !a.emailConfirmations,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
      saml_private_key_next_configured: false,
      passkeys_enabled: false,
    });
  return {
    'GET /health': ({ req, res }) =>
      sendAuthJson(req, res, 200, { version: 'v2.189.0', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' }),
    'GET /settings': settings,
    'GET /.well-known/jwks.json': ({ req, res }) => sendAuthJson(req, res, 200, { keys: keys.signing.map((k) => k.publicJwk) }, { 'Cache-Control': 'public, max-age=600' }),
  };
}
