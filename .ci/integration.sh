#!/usr/bin/env bash
# The integration stage: real servers on loopback, then tests/integration against them.
#   etcd + kube-apiserver + kube-controller-manager (built from Debian's `kubernetes` source
#   package by .ci/kube-build.sh, cached by source version), and a Backstage catalog backend
#   (npm, pinned by tests/integration/backstage/package-lock.json, node_modules cached by the
#   lock's hash). Everything lives under $PLATFORMCTL_CI_CACHE (default ~/.cache/platformctl-ci)
#   and a temporary run folder; the servers are stopped by PID on exit, whatever happens.
# Usage: bash .ci/integration.sh [pytest args...]     (see docs/testing.md)
#   IT_SERVERS="kube" or "backstage" starts only those (tests of the others are skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE="${PLATFORMCTL_CI_CACHE:-$HOME/.cache/platformctl-ci}"
RUN=$(mktemp -d "${TMPDIR:-/tmp}/platformctl-it.XXXXXX")
PY="${PYTHON:-$ROOT/.venv/bin/python}"
ETCD_PORT="${IT_ETCD_PORT:-23790}" KUBE_PORT="${IT_KUBE_PORT:-16443}"
BACKSTAGE_PORT="${IT_BACKSTAGE_PORT:-17007}" FILES_PORT="${IT_FILES_PORT:-17080}"
PIDS=() STEP=""
log() { printf '[integration %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

teardown() {
  local rc=$?
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do  # last started first: etcd goes last
    kill "${PIDS[i]}" 2>/dev/null || true
    wait "${PIDS[i]}" 2>/dev/null || true
  done
  if [ "$rc" -ne 0 ]; then
    log "failed during: ${STEP:-?} (exit $rc); server logs follow"
    for f in "$RUN"/*.log; do [ -f "$f" ] && { echo "----- $(basename "$f") (last 60 lines)"; tail -n 60 "$f"; }; done
  fi
  rm -rf "$RUN"
  exit "$rc"
}
trap teardown EXIT
trap 'exit 130' INT TERM

# step NAME SECONDS COMMAND...: run one step with a deadline.
step() {
  STEP=$1; local limit=$2; shift 2
  log "$STEP (limit ${limit}s)"
  local start=$SECONDS
  timeout --foreground "$limit" "$@"
  log "$STEP: done in $((SECONDS - start)) s"
}

# wait_for NAME SECONDS PID COMMAND...: poll COMMAND until it succeeds; fail when PID died.
wait_for() {
  local name=$1 limit=$2 pid=$3; shift 3
  STEP="wait for $name"
  local deadline=$((SECONDS + limit)) start=$SECONDS
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { log "$name exited before it was ready"; return 1; }
    [ "$SECONDS" -lt "$deadline" ] || { log "$name not ready after ${limit}s"; return 1; }
    sleep 1
  done
  log "$name ready in $((SECONDS - start)) s"
}

certificates() {
  local d="$RUN/pki"
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=platformctl-it-ca" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$d/server.key" \
    -out "$d/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$d/san.ext"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/san.ext" -out "$d/server.crt" 2>/dev/null
  openssl genrsa -out "$d/sa.key" 2048 2>/dev/null
  openssl rsa -in "$d/sa.key" -pubout -out "$d/sa.pub" 2>/dev/null
}

start_kube() {
  local bin=$1 d="$RUN/pki"
  ADMIN_TOKEN=$(openssl rand -hex 24) LIMITED_TOKEN=$(openssl rand -hex 24) NOBODY_TOKEN=$(openssl rand -hex 24)
  # token,user,uid,"groups": the admin is in system:masters; platformctl-limited gets only the
  # RBAC docs/environments.md documents (bound by tests/integration/conftest.py); nobody, none.
  printf '%s,it-admin,1,"system:masters"\n%s,platformctl-limited,2\n%s,nobody,3\n' \
    "$ADMIN_TOKEN" "$LIMITED_TOKEN" "$NOBODY_TOKEN" >"$d/tokens.csv"
  etcd --data-dir "$RUN/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
    --initial-cluster "default=http://127.0.0.1:$((ETCD_PORT + 1))" >"$RUN/etcd.log" 2>&1 &
  PIDS+=($!)
  wait_for etcd 60 "$!" curl -fsS "http://127.0.0.1:$ETCD_PORT/health"
  "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$ETCD_PORT" --bind-address 127.0.0.1 \
    --secure-port "$KUBE_PORT" --insecure-port 0 --tls-cert-file "$d/server.crt" \
    --tls-private-key-file "$d/server.key" --token-auth-file "$d/tokens.csv" \
    --authorization-mode RBAC --service-account-issuer https://kubernetes.default.svc \
    --service-account-key-file "$d/sa.pub" --service-account-signing-key-file "$d/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 --advertise-address 127.0.0.1 \
    >"$RUN/kube-apiserver.log" 2>&1 &
  PIDS+=($!)
  wait_for kube-apiserver 240 "$!" curl -fsS --cacert "$d/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" \
    "https://127.0.0.1:$KUBE_PORT/readyz"
  KUBECONFIG_ADMIN="$RUN/admin.kubeconfig"
  kubeconfig "$ADMIN_TOKEN" >"$KUBECONFIG_ADMIN"
  kubeconfig "$LIMITED_TOKEN" >"$RUN/limited.kubeconfig"
  "$bin/kube-controller-manager" --kubeconfig "$KUBECONFIG_ADMIN" --leader-elect=false \
    --controllers namespace,garbagecollector,resourcequota --port 0 --secure-port 0 \
    --use-service-account-credentials=false >"$RUN/kube-controller-manager.log" 2>&1 &
  PIDS+=($!)
}

kubeconfig() {
  cat <<YAML
apiVersion: v1
kind: Config
current-context: it
clusters: [{name: it, cluster: {server: "https://127.0.0.1:$KUBE_PORT", certificate-authority: "$RUN/pki/ca.crt"}}]
contexts: [{name: it, context: {cluster: it, user: it}}]
users: [{name: it, user: {token: "$1"}}]
YAML
}

start_backstage() {
  local modules=$1
  BACKSTAGE_TOKEN=$(openssl rand -hex 24)
  cp "$ROOT/tests/integration/backstage/backend.js" "$modules/"
  # In-memory SQLite; catalog files are read only from the tests' loopback file server;
  # one static token for external callers (platformctl and the tests).
  cat >"$RUN/backstage.yaml" <<YAML
app: {baseUrl: "http://127.0.0.1:3000"}
backend:
  baseUrl: "http://127.0.0.1:$BACKSTAGE_PORT"
  listen: "127.0.0.1:$BACKSTAGE_PORT"
  database: {client: better-sqlite3, connection: ":memory:"}
  reading: {allow: [{host: "127.0.0.1:$FILES_PORT"}]}
  auth:
    externalAccess:
      - type: static
        options: {token: "$BACKSTAGE_TOKEN", subject: platformctl-integration}
catalog:
  processingInterval: {seconds: 2}
  rules: [{allow: [Component, System, API, Resource, Location, Group, User, Domain]}]
YAML
  (cd "$modules" && exec node backend.js --config "$RUN/backstage.yaml") >"$RUN/backstage.log" 2>&1 &
  PIDS+=($!)
  wait_for backstage 300 "$!" curl -fsS -H "Authorization: Bearer $BACKSTAGE_TOKEN" \
    "http://127.0.0.1:$BACKSTAGE_PORT/api/catalog/entities?limit=1"
}

main() {
  local start=$SECONDS servers="${IT_SERVERS:-kube backstage}"
  export PLATFORMCTL_IT=1
  STEP="certificates"; certificates
  local npm_pid=""
  if [[ " $servers " == *" backstage "* ]]; then  # npm ci (a C++ build) alongside the Go build
    timeout 1800 bash "$ROOT/.ci/backstage-modules.sh" >"$RUN/modules.path" 2>"$RUN/modules.log" &
    npm_pid=$!
  fi
  if [[ " $servers " == *" kube "* ]]; then
    local kube_bin
    STEP="build kube-apiserver"; kube_bin=$(timeout 5400 bash "$ROOT/.ci/kube-build.sh")
    log "kube binaries: $kube_bin ($((SECONDS - start)) s)"
    start_kube "$kube_bin"
    export PLATFORMCTL_IT_KUBECONFIG="$KUBECONFIG_ADMIN" PLATFORMCTL_IT_NOBODY_TOKEN="$NOBODY_TOKEN" \
      PLATFORMCTL_IT_LIMITED_KUBECONFIG="$RUN/limited.kubeconfig"
  fi
  if [[ " $servers " == *" backstage "* ]]; then
    local modules
    STEP="npm ci (Backstage)"
    wait "$npm_pid" || { cat "$RUN/modules.log" >&2; return 1; }
    cat "$RUN/modules.log" >&2
    modules=$(cat "$RUN/modules.path")
    log "backstage modules: $modules ($((SECONDS - start)) s)"
    start_backstage "$modules"
    export PLATFORMCTL_IT_BACKSTAGE_URL="http://127.0.0.1:$BACKSTAGE_PORT" \
      PLATFORMCTL_IT_BACKSTAGE_TOKEN="$BACKSTAGE_TOKEN" PLATFORMCTL_IT_FILES_PORT="$FILES_PORT"
  fi
  step "pytest tests/integration" 1800 "$PY" -m pytest -p no:xdist -q -p no:cacheprovider tests/integration "$@"
  log "integration stage: $((SECONDS - start)) s in all"
}

main "$@"
