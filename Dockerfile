# Songbird operator image. Build from the repository root:
#   docker build -t songbird .
# The base images are build arguments, so that a mirror or locally assembled images can stand in:
#   --build-arg BUILD_IMAGE=<node 24 image with npm> --build-arg RUNTIME_IMAGE=<node 24 runtime>
# The runtime image has no shell and no npm; the operator runs as a numeric non-root user and writes no file,
# so it works with a read-only root filesystem. It ships only the modules the `songbird` bin imports
# (scripts/bundle.ts): no test code and no embedded development cluster.
ARG BUILD_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${BUILD_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY loadtester/src ./loadtester/src
COPY scripts/bundle.ts scripts/bundle-imports.ts ./scripts/
RUN npx tsc -p tsconfig.build.json && npx tsx scripts/bundle.ts /bundle --no-install

# Production dependencies only, installed where npm exists.
FROM ${BUILD_IMAGE} AS production
WORKDIR /app
COPY --from=build /bundle ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=production /app ./
# node is /nodejs/bin/node in the distroless images and /usr/local/bin/node in the official node images.
ENV NODE_ENV=production PATH=/nodejs/bin:/usr/local/bin:/usr/bin:/bin
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["node", "/app/dist/src/main.js"]
