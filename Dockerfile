# The verdict service itself (not a sandbox image; those live in sandboxes/).
#
#   docker build -t verdict .
#   docker run -v /var/run/docker.sock:/var/run/docker.sock -p 8080:8080 verdict
#
# The service drives the host's Docker engine through the mounted socket (it
# runs as root to reach it). Build the sandbox images on the host first
# (`npm run verdict -- images build`): the default local base is made with
# debootstrap, which needs root and mounts that a container does not get; or
# set VERDICT_BASE_IMAGE to a registry image so the builder can pull it.
#
# Offline (no registry): pass a Node 20 image the engine already has,
#   docker build --build-arg NODE_BASE=<local node 20 base> -t verdict .
# Any Debian bookworm based image with node 20 and npm on PATH will do.
#
# npm inside the build talks to the npm registry. Behind a TLS-intercepting
# proxy it needs that proxy's CA: copy the host bundle into the context as
#   mkdir -p host-ca && cp /etc/ssl/certs/ca-certificates.crt host-ca/
# (the same host-ca/ca-certificates.crt convention the sandbox builds use).
# It is optional: the COPY below is a no-op without it, and the bundle only
# reaches the build stage, not the runtime image. Credentials (a private
# registry's .npmrc token) never belong in the context; with BuildKit, pass
# them as a secret: `--secret id=npmrc,src=$HOME/.npmrc` and
# `RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm install` (this file
# sticks to what the classic builder understands, so it does not do that).

ARG NODE_BASE=node:20-bookworm-slim

FROM ${NODE_BASE} AS build
WORKDIR /app
# Toolchain for native modules (better-sqlite3) when no prebuilt binary can
# be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Optional CA bundle (see above). package.json only keeps this COPY from having
# zero sources when host-ca/ is absent; the bundle is then an empty file, which
# NODE_EXTRA_CA_CERTS accepts silently. npm's cafile is set stage-wide so every
# npm call (ci, prune) trusts it.
COPY package.json host-ca* /tmp/host-ca/
RUN touch /tmp/host-ca/ca-certificates.crt \
 && if [ -s /tmp/host-ca/ca-certificates.crt ]; then \
      npm config set --location=global cafile /tmp/host-ca/ca-certificates.crt; \
    fi
ENV NODE_EXTRA_CA_CERTS=/tmp/host-ca/ca-certificates.crt
# Install scripts are off (as allowScripts in package.json has them on the
# host) except better-sqlite3's build: ssh2's and cpu-features' optional
# native addons, compiled here, crashed Node when dockerode loaded them.
# `npm install`, not `npm ci`: ci trips over npm's optional-dependency lockfile
# bug (npm/cli#4828); install honours the lockfile all the same.
# npm_config_nodedir: node-gyp uses the image's own Node headers instead of
# downloading them (offline).
RUN prefix="$(dirname "$(dirname "$(command -v node)")")"; \
    if [ -f "$prefix/include/node/node.h" ]; then export npm_config_nodedir="$prefix"; fi; \
    npm install --no-audit --no-fund --ignore-scripts \
 && npm_config_build_from_source=true npm rebuild better-sqlite3
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_BASE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY sandboxes ./sandboxes
# the Python (and Jest set-up) each benchmark ships into its sandbox, read from src/ at run time
COPY src/benchmarks ./src/benchmarks
# /run_code's TypeScript type stripper, put into the sandbox as a file
COPY src/rl/js/*.cjs ./src/rl/js/
# serve's default port (VERDICT_PORT / --port change it)
EXPOSE 8080
CMD ["node", "dist/cli.js", "serve", "--host", "0.0.0.0"]
