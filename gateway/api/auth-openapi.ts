/** The token endpoints as OpenAPI 3.1, served at /api/auth/openapi.json. */
const problem = { $ref: '#/components/schemas/Problem' };
const problemResponse = (description: string) => ({ description, content: { 'application/problem+json': { schema: problem } } });
const credentials = {
  type: 'object', required: ['username', 'password'],
  properties: { username: { type: 'string', maxLength: 64 }, password: { type: 'string', maxLength: 1024, format: 'password' } },
};
const refreshBody = { type: 'object', required: ['refresh_token'], properties: { refresh_token: { type: 'string' } } };
const tokenPair = { description: 'A new token pair', content: { 'application/json': { schema: { $ref: '#/components/schemas/TokenPair' } } } };

export const AUTH_OPENAPI = {
  openapi: '3.1.0',
  info: { title: 'security-gateway token API', version: '1.0.0' },
  paths: {
    '/api/auth/login': {
      post: {
        summary: 'Exchange username and password for an access and a refresh token',
        requestBody: { required: true, content: { 'application/json': { schema: credentials }, 'application/x-www-form-urlencoded': { schema: credentials } } },
        responses: { 200: tokenPair, 401: problemResponse('Wrong username or password'), 429: problemResponse('Too many failed attempts; see Retry-After'), 503: problemResponse('Token state cannot be kept now (store unavailable)') },
      },
    },
    '/api/auth/refresh': {
      post: {
        summary: 'Rotate a refresh token: the old one stops working; reusing it revokes the whole session',
        requestBody: { required: true, content: { 'application/json': { schema: refreshBody }, 'application/x-www-form-urlencoded': { schema: refreshBody } } },
        responses: { 200: tokenPair, 401: problemResponse('Invalid, expired, revoked or reused refresh token, or its session has ended (log in again)'), 503: problemResponse('Token state cannot be kept now (store unavailable)') },
      },
    },
    '/api/auth/logout': {
      post: {
        summary: 'Revoke the presented access token and its session (and the given refresh token); without an access token, the refresh token alone ends its session',
        security: [{ bearer: [] }, {}],
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', properties: { refresh_token: { type: 'string' } } } } } },
        responses: { 204: { description: 'Revoked on every instance' }, 401: problemResponse('No valid access token, or no valid refresh token without one') },
      },
    },
    '/api/auth/me': {
      get: {
        summary: 'The caller as the gateway sees it',
        security: [{ bearer: [] }, { apiKey: [] }],
        responses: {
          200: { description: 'Principal', content: { 'application/json': { schema: { type: 'object', properties: { id: { type: 'string' }, roles: { type: 'array', items: { type: 'string' } }, auth_method: { enum: ['jwt', 'apiKey'] }, token_expires_at: { type: ['string', 'null'], format: 'date-time' } } } } } },
          401: problemResponse('No valid credentials'),
        },
      },
    },
    '/api/auth/revoke': {
      post: {
        summary: 'Revoke every token of a user at once (admin role)',
        security: [{ bearer: [] }, { apiKey: [] }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', required: ['user'], properties: { user: { type: 'string' } } } } } },
        responses: { 204: { description: 'Revoked on every instance' }, 401: problemResponse('No valid credentials'), 403: problemResponse('Not an admin') },
      },
    },
  },
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
    },
    schemas: {
      TokenPair: {
        type: 'object', required: ['access_token', 'refresh_token', 'token_type', 'expires_in'],
        properties: { access_token: { type: 'string' }, refresh_token: { type: 'string' }, token_type: { const: 'bearer' }, expires_in: { type: 'integer' } },
      },
      Problem: {
        type: 'object',
        properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' }, request_id: { type: 'string' } },
      },
    },
  },
} as const;
