export { RedirectPolicy, parseOrigin, type RedirectPolicyOptions } from './redirect-policy.ts';
export { CookieSealer, MIN_SECRET_LENGTH } from './cookie-sealer.ts';
