# Builds every app of the monorepo into one image; docker-compose.yml picks the command per service.
FROM node:22-bookworm-slim AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH
RUN npm install -g pnpm@12
WORKDIR /app

FROM base AS build
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY apps/api/package.json apps/api/
COPY apps/worker/package.json apps/worker/
COPY apps/web/package.json apps/web/
COPY apps/sandbox/package.json apps/sandbox/
COPY apps/cli/package.json apps/cli/
COPY packages/contracts/package.json packages/contracts/
COPY packages/db/package.json packages/db/
COPY packages/model/package.json packages/model/
COPY packages/providers/package.json packages/providers/
COPY packages/jobs/package.json packages/jobs/
COPY packages/authz/package.json packages/authz/
COPY packages/kube/package.json packages/kube/
COPY e2e/package.json e2e/
COPY prisma prisma
COPY prisma.config.ts ./
RUN pnpm install --frozen-lockfile
COPY . .
RUN pnpm exec prisma generate && cd apps/web && node_modules/.bin/vite build

FROM base AS runtime
ENV NODE_ENV=production DOLLY_WEB_DIST=/app/apps/web/dist
COPY --from=build /app /app
USER node
EXPOSE 8080
# TypeScript runs through tsx: the same code path as development and tests, no separate build.
CMD ["node_modules/.bin/tsx", "apps/api/src/main.ts"]
