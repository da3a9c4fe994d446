# One image for the API and the workers: COLIS_ROLE (all, api, worker) picks what a container runs.
#   docker build -t colis .
#   docker run -e REDIS_URL=redis://redis:6379 -e COLIS_ROLE=api -p 3000:3000 colis

# deps: every dependency, from the lock file.
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund

# build: TypeScript → dist/.
FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src src
COPY adapters adapters
COPY workers workers
RUN npm run build

# prod-deps: the same node_modules without the dev dependencies.
FROM deps AS prod-deps
RUN npm prune --omit=dev --no-audit --no-fund

# runtime: node, the production dependencies and the compiled code; files owned by root, run as `node`.
FROM node:24-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    COLIS_ROLE=all
WORKDIR /app
COPY package.json ./
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY bin bin
USER node
EXPOSE 3000
# Every role answers /healthz on PORT (a worker serves only /healthz and /readyz). No curl in slim
# images: node's own fetch does the check.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`, { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# colis handles SIGTERM itself (in-flight polls finish within COLIS_SHUTDOWN_GRACE, 25 s by default),
# and spawns no child process when REDIS_URL is set: no init needed, `docker run --init` does no harm.
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=32", "bin/colis.js", "serve"]
