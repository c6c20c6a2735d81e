import { z } from 'zod';
import { bool, duration, headerValue, oneOf } from './fields.js';

/** The headers added to every response; each can be turned off with `false`, globally or per route. */

const orFalse = <T extends z.ZodType>(value: T, expected = 'false or a header value') => oneOf(expected, [z.literal(false), value]);

const fields = {
  hsts: orFalse(z.strictObject({
    maxAge: duration.default(365 * 86_400_000),
    includeSubDomains: bool.default(true),
    preload: bool.default(false),
  }), 'false or { maxAge, includeSubDomains, preload }'),
  contentSecurityPolicy: orFalse(headerValue),
  frameOptions: orFalse(z.enum(['DENY', 'SAMEORIGIN']), 'false, "DENY" or "SAMEORIGIN"'),
  referrerPolicy: orFalse(headerValue),
  permissionsPolicy: orFalse(headerValue),
  crossOriginOpenerPolicy: orFalse(headerValue),
  crossOriginResourcePolicy: orFalse(headerValue),
};

export const SECURITY_HEADER_DEFAULTS = {
  hsts: { maxAge: 365 * 86_400_000, includeSubDomains: true, preload: false },
  contentSecurityPolicy: "default-src 'none'; frame-ancestors 'none'",
  frameOptions: 'DENY',
  referrerPolicy: 'no-referrer',
  permissionsPolicy: 'accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=()',
  crossOriginOpenerPolicy: 'same-origin',
  crossOriginResourcePolicy: 'same-origin',
} as const;

const securityHeaders = z.strictObject({
  hsts: fields.hsts.default(SECURITY_HEADER_DEFAULTS.hsts),
  contentSecurityPolicy: fields.contentSecurityPolicy.default(SECURITY_HEADER_DEFAULTS.contentSecurityPolicy),
  frameOptions: fields.frameOptions.default(SECURITY_HEADER_DEFAULTS.frameOptions),
  referrerPolicy: fields.referrerPolicy.default(SECURITY_HEADER_DEFAULTS.referrerPolicy),
  permissionsPolicy: fields.permissionsPolicy.default(SECURITY_HEADER_DEFAULTS.permissionsPolicy),
  crossOriginOpenerPolicy: fields.crossOriginOpenerPolicy.default(SECURITY_HEADER_DEFAULTS.crossOriginOpenerPolicy),
  crossOriginResourcePolicy: fields.crossOriginResourcePolicy.default(SECURITY_HEADER_DEFAULTS.crossOriginResourcePolicy),
});
export const securityHeadersSchema = securityHeaders.default(securityHeaders.parse({}));

/** A route's changes to the global set: only the keys it names. */
export const securityHeadersOverrideSchema = z.strictObject({
  hsts: fields.hsts.optional(),
  contentSecurityPolicy: fields.contentSecurityPolicy.optional(),
  frameOptions: fields.frameOptions.optional(),
  referrerPolicy: fields.referrerPolicy.optional(),
  permissionsPolicy: fields.permissionsPolicy.optional(),
  crossOriginOpenerPolicy: fields.crossOriginOpenerPolicy.optional(),
  crossOriginResourcePolicy: fields.crossOriginResourcePolicy.optional(),
});

export type SecurityHeadersConfig = z.output<typeof securityHeaders>;
export type SecurityHeadersOverride = z.output<typeof securityHeadersOverrideSchema>;
