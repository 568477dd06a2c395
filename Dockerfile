# Keyledger server image. Build stage has the toolchain better-sqlite3 may need;
# the runtime stage carries only production dependencies and the compiled output.
# Node 24 LTS (supported until April 2028; Node 20 reached its end of life on
# 2026-04-30). The code itself stays Node 20 compatible (package.json engines).
FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/keyledger/package.json apps/keyledger/
COPY apps/console/package.json apps/console/
COPY libs/event-store/package.json libs/event-store/
COPY libs/ledger/package.json libs/ledger/
COPY libs/crypto/package.json libs/crypto/
COPY libs/kms-api/package.json libs/kms-api/
COPY libs/integrity/package.json libs/integrity/
COPY libs/key-store/package.json libs/key-store/
COPY libs/read-models/package.json libs/read-models/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json nest-cli.json ./
COPY apps apps
COPY libs libs
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    KEYLEDGER_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app /app
# The keyledger command (export, migrate, verify, ...) on PATH: docker exec <container> keyledger --help
RUN mkdir -p /data && chown node:node /data \
 && ln -s /app/apps/keyledger/bin/keyledger.js /usr/local/bin/keyledger
USER node
VOLUME ["/data"]
EXPOSE 8080
# HOST=0.0.0.0 needs KEYLEDGER_TLS_CERT/KEYLEDGER_TLS_KEY, or KEYLEDGER_ALLOW_PLAINTEXT_HTTP=1
# behind a proxy that terminates TLS: the server refuses to start otherwise.
# The probe speaks HTTPS when TLS is set; over loopback it need not check the certificate's name.
# Readiness, as in the compose file: healthy once the view has caught up, and while the store
# answers and takes writes; /healthz (liveness) would call a server still replaying healthy.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD node -e "const t=!!process.env.KEYLEDGER_TLS_CERT;require(t?'node:https':'node:http').get({host:'127.0.0.1',port:process.env.PORT||8080,path:'/readyz',rejectUnauthorized:false},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
CMD ["node", "apps/keyledger/dist/main.js"]
