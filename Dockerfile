# syntax=docker/dockerfile:1
# Multi-stage: compile with dev dependencies, ship production dependencies only, run as non-root.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY gateway ./gateway
RUN npx tsc -p tsconfig.build.json && npm prune --omit=dev --no-audit --no-fund

# The upstream mock as a backend for docker-compose.yml (`docker build --target mock`): the same
# production dependencies (it needs `ws`), its own compiled folder, nothing of the gateway.
FROM node:20-bookworm-slim AS mock-build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.mock.json ./
COPY upstream-mock ./upstream-mock
RUN npx tsc -p tsconfig.mock.json && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS mock
ENV NODE_ENV=production
WORKDIR /app
COPY --from=mock-build --chown=root:root /app/node_modules ./node_modules
COPY --from=mock-build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
USER node
EXPOSE 8000
ENTRYPOINT ["node", "dist/upstream-mock/main.js", "--host", "0.0.0.0", "--port", "8000"]

# The gateway: the last stage, what `docker build .` makes.
FROM node:20-bookworm-slim AS gateway
ENV NODE_ENV=production \
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_HTTPS_PORT=8443 \
    GATEWAY_HTTP_PORT=8080
WORKDIR /app
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root config ./config
# certs/ is the only place the gateway writes (self-signed dev certs, ACME state): mount a volume there.
RUN mkdir -p certs && chown node:node certs
USER node
EXPOSE 8443 8080
# /healthz is exempt from the hosts list, so probing by loopback address always works.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "require('https').get({host:'127.0.0.1',port:process.env.GATEWAY_HTTPS_PORT,path:'/healthz',rejectUnauthorized:false,timeout:2000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/gateway/main.js"]
CMD ["serve", "--config", "config/gateway.yaml"]
