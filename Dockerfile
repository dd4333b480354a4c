# One image for every dynopulse role: `node dist/src/main.js [all|api|worker]`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY test ./test
COPY bench ./bench
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
# The admin console's static scripts and styles are served from the source tree (no build step).
COPY --from=build /app/src/api/console/assets ./src/api/console/assets
USER node
EXPOSE 3000
ENTRYPOINT ["node", "--enable-source-maps", "dist/src/main.js"]
CMD ["all"]
