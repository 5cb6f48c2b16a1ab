#!/usr/bin/env bash
# Builds kube-apiserver and kube-controller-manager from Debian's `kubernetes` source package
# (no registry ships the binaries) and caches them by source version, so a second run on the
# same machine only checks the cache. Prints the directory holding the two binaries.
# Needs root for apt-get (CI machines run as root). See docs/testing.md.
set -euo pipefail

CACHE="${PLATFORMCTL_CI_CACHE:-$HOME/.cache/platformctl-ci}"
APT_DIR="$CACHE/apt"
# Bumped whenever the build recipe changes what the binaries do (2: both version files stamped, so /version says v1.20.2), so a
# cache filled by an older recipe is rebuilt rather than trusted.
RECIPE=2
log() { printf '[kube-build] %s\n' "$*" >&2; }

# A private source list with deb-src for bookworm main, so the system's lists stay untouched.
apt_private() {
  mkdir -p "$APT_DIR/lists/partial"
  local mirror
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -n1)
  mirror="${mirror:-http://deb.debian.org/debian}"
  printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s bookworm main\n' \
    "$mirror" >"$APT_DIR/sources.list"
  APT_OPTS=(-o "Dir::Etc::SourceList=$APT_DIR/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$APT_DIR/lists")
  apt-get "${APT_OPTS[@]}" update -qq >/dev/null 2>&1
}

install_tools() {
  local need=()
  command -v go >/dev/null 2>&1 || need+=(golang-go)
  command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
  [ -d /usr/share/gocode/src/github.com/modern-go/reflect2 ] || need+=(golang-github-modern-go-reflect2-dev)
  if [ "${#need[@]}" -gt 0 ]; then
    log "apt-get install ${need[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
}

source_version() {
  apt-cache "${APT_OPTS[@]}" showsrc kubernetes | sed -n 's/^Version: *//p' | head -n1
}

build() {
  local version="$1" out="$2" work="$CACHE/kube-build"
  rm -rf "$work" && mkdir -p "$work/src/tree" "$CACHE/kube-src" && cd "$CACHE/kube-src"
  if ! ls kubernetes_*.orig.tar.* >/dev/null 2>&1; then
    log "apt-get source kubernetes=$version"
    apt-get "${APT_OPTS[@]}" source -qq --download-only "kubernetes=$version" >/dev/null 2>&1
  fi
  tar -xf "$(ls kubernetes_*.orig.tar.* | head -n1)" -C "$work/src/tree" --strip-components=1
  local gopath="$work/gopath"
  mkdir -p "$gopath/src/k8s.io"
  ln -s "$work/src/tree" "$gopath/src/k8s.io/kubernetes"
  cd "$gopath/src/k8s.io/kubernetes"
  # Go 1.19 with the vendored reflect2 1.0.1 makes every JSON POST/PUT panic.
  rm -rf vendor/github.com/modern-go/reflect2
  cp -r /usr/share/gocode/src/github.com/modern-go/reflect2 vendor/github.com/modern-go/reflect2
  export GOPATH="$gopath" GO111MODULE=off GOCACHE="$work/gocache"
  # pkg/generated/openapi/zz_generated.openapi.go is not in the tarball: generate it over every
  # package carrying a +k8s:openapi-gen tag, as the upstream Makefile.generated_files does.
  log "generating pkg/generated/openapi"
  go build -o "$work/openapi-gen" ./vendor/k8s.io/kube-openapi/cmd/openapi-gen
  local pkgs
  pkgs=$(find -L pkg cmd plugin vendor/k8s.io -name '*.go' -not -name '*_test.go' \
      -not -path 'vendor/k8s.io/code-generator/*' -not -path 'vendor/k8s.io/sample-apiserver/*' \
      -print0 | xargs -0 grep -l '^// *+k8s:openapi-gen=' | xargs -n1 dirname | LC_ALL=C sort -u \
      | sed 's#^#k8s.io/kubernetes/#' | paste -sd, -)
  "$work/openapi-gen" --logtostderr -i "$pkgs" -p k8s.io/kubernetes/pkg/generated/openapi \
    -O zz_generated.openapi -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt \
    -r "$work/openapi-violations.report" -o "$gopath/src" 2>"$work/openapi-gen.log" \
    || { tail -n 30 "$work/openapi-gen.log" >&2; exit 1; }
  # The tarball's version/base.go files say v0.0.0-master; `-X` on the vendored package paths did
  # not take in GOPATH mode here, so write the release version into the source instead. Both
  # copies: `--version` reads component-base's, the served /version reads client-go's.
  sed -i -e 's/^\(\s*gitMajor string\).*/\1 = "1"/' -e 's/^\(\s*gitMinor string\).*/\1 = "20"/' \
    -e 's/^\(\s*gitVersion\( *string\)\? *= *\)"[^"]*"/\1"v1.20.2"/' \
    -e 's/^\(\s*gitTreeState\( *string\)\? *= *\)""/\1"clean"/' \
    staging/src/k8s.io/component-base/version/base.go staging/src/k8s.io/client-go/pkg/version/base.go
  local ldf="-s -w"
  log "go build kube-apiserver kube-controller-manager (long)"
  mkdir -p "$out.tmp"
  go build -ldflags "$ldf" -o "$out.tmp/kube-apiserver" ./cmd/kube-apiserver
  go build -ldflags "$ldf" -o "$out.tmp/kube-controller-manager" ./cmd/kube-controller-manager
  rm -rf "$out" && mv "$out.tmp" "$out"
  cd / && rm -rf "$work"
}

main() {
  install_tools
  apt_private
  local version
  version=$(source_version)
  [ -n "$version" ] || { log "error: no kubernetes source package found"; exit 1; }
  local out="$CACHE/kube/$version-recipe$RECIPE"
  if [ -x "$out/kube-apiserver" ] && [ -x "$out/kube-controller-manager" ]; then
    log "cached: $out"
  else
    local start=$SECONDS
    build "$version" "$out"
    log "built in $((SECONDS - start)) s: $out"
  fi
  printf '%s\n' "$out"
}

main "$@"
