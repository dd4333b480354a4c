# One image for every dynopulse role: `node dist/src/main.js api|worker|all` (docker-compose.yml
# runs `api` and `worker`). It needs DATABASE_URL, TEMPORAL_ADDRESS and ENCRYPTION_KEY: the
# embedded PostgreSQL and Temporal dev server of `npm start` are for laptops, not for this image.
ARG NODE_VERSION=20.20
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
# npm 11 honours package.json "allowScripts" (only the packages listed there run install
# scripts); the npm 10 bundled with Node 20 would run every package's scripts.
RUN npm install --global --no-audit --no-fund npm@11.19.1
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# tsconfig compiles src, test, bench and scripts together; only dist/src ships.
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# The admin console's static scripts and styles are served from the source tree (no build step).
COPY --from=build /app/src/api/console/assets ./src/api/console/assets
# Read-only for the process: everything it keeps lives in PostgreSQL and Temporal.
USER node
EXPOSE 3000
# main.ts handles SIGTERM itself (API drains, worker lets activities heartbeat-cancel); compose
# adds `init: true` so a PID 1 that reaps zombies sits in front.
ENTRYPOINT ["node", "--enable-source-maps", "dist/src/main.js"]
CMD ["all"]
