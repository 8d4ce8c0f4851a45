#!/usr/bin/env bash
# Installs everything the tests and the local cluster need, idempotently:
#   - Debian packages: prometheus, hey, nginx, openssl, buildah, chromium, lua5.1, graphite-carbon and
#     graphite-web (skipped when present)
#   - kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, etcd, kwok and helm,
#     built from Go modules into "$SONGBIRD_CACHE/bin" (skipped when the binary reports the wanted version)
#   - the Node runtime the operator, the load tester and the tests run on (version in .node-version), from the
#     npm registry's node-linux-<arch> package into "$SONGBIRD_CACHE/node/<version>" (skipped when present)
#   - kstatus-compute (scripts/kstatus-compute: sigs.k8s.io/cli-utils' kstatus rules, which the tests check
#     the Canary's conditions against), built into "$SONGBIRD_CACHE/bin" (skipped when it reports the pinned version)
#   - moto (the AWS API emulator the ALB tests run against) in a Python venv at "$SONGBIRD_CACHE/moto-venv"
#     (skipped when pip reports the wanted version)
# The binaries are never written inside the repository.
set -euo pipefail

KUBE_VERSION="${SONGBIRD_KUBE_VERSION:-v1.36.3}"
ETCD_VERSION="${SONGBIRD_ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${SONGBIRD_KWOK_VERSION:-v0.8.0}"
HELM_VERSION="${SONGBIRD_HELM_VERSION:-v4.3.2}"
MOTO_VERSION="${SONGBIRD_MOTO_VERSION:-5.2.5}"
NODE_VERSION="$(cat "$(dirname "$0")/../.node-version")"
SCRIPTS="$(cd "$(dirname "$0")" && pwd)"
CACHE="${SONGBIRD_CACHE:-$HOME/.cache/songbird}"
BIN="$CACHE/bin"
export GOMODCACHE="${GOMODCACHE:-$CACHE/go/mod}"
export GOCACHE="${GOCACHE:-$CACHE/go/build}"
export GOFLAGS="${GOFLAGS:-} -mod=mod"
mkdir -p "$BIN"

log() { printf '[toolchain %(%H:%M:%S)T] %s\n' -1 "$*"; }

install_debian_packages() {
  local missing=()
  command -v prometheus >/dev/null || missing+=(prometheus)
  command -v hey >/dev/null || missing+=(hey)
  command -v nginx >/dev/null || missing+=(nginx)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v buildah >/dev/null || missing+=(buildah)
  # The web view's browser test drives Debian's Chromium through playwright-core (never a downloaded browser).
  command -v chromium >/dev/null || missing+=(chromium)
  # Argo CD runs resource health checks on gopher-lua, a Lua 5.1: deploy/argocd/health.lua is tested on lua5.1.
  command -v lua5.1 >/dev/null || missing+=(lua5.1)
  # A real Graphite for the graphite metric provider's tests (carbon-cache and graphite-web's render API).
  [ -x /usr/bin/carbon-cache ] || missing+=(graphite-carbon)
  [ -x /usr/bin/graphite-manage ] || missing+=(graphite-web)
  if [ ${#missing[@]} -eq 0 ]; then log "Debian packages present"; return; fi
  log "installing Debian packages: ${missing[*]}"
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian's packages start services under systemd when it runs; ours are started by the project itself.
}

reports_version() { # binary, wanted substring; output captured first so grep -q cannot SIGPIPE the binary
  local out
  [ -x "$1" ] || return 1
  out=$("$1" --version 2>/dev/null) || return 1
  [[ "$out" == *"$2"* ]]
}

build_kubernetes() {
  local cmds=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
  local all_ok=yes
  for c in "${cmds[@]}"; do
    if [ "$c" = kubectl ]; then
      local out=""
      [ -x "$BIN/kubectl" ] && out=$("$BIN/kubectl" version --client 2>/dev/null)
      [[ "$out" == *"$KUBE_VERSION"* ]] || all_ok=no
    else
      reports_version "$BIN/$c" "Kubernetes $KUBE_VERSION" || all_ok=no
    fi
  done
  if [ "$all_ok" = yes ]; then log "Kubernetes $KUBE_VERSION binaries present"; return; fi

  local minor staging work gomod
  minor=$(echo "$KUBE_VERSION" | cut -d. -f2)
  staging="v0.${KUBE_VERSION#v1.}"
  work="$CACHE/src/k8s-$KUBE_VERSION"
  mkdir -p "$work"; cd "$work"
  [ -f go.mod ] || go mod init songbird.local/k8sbins >/dev/null 2>&1
  log "downloading k8s.io/kubernetes@$KUBE_VERSION (first time: a few minutes)"
  gomod=$(go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  # The kubernetes module maps its staging modules to ./staging with replace lines, which a consumer
  # ignores; each is published as v0.X.Y for Kubernetes v1.X.Y, so we replace them ourselves.
  for m in $(sed -n 's#^[[:space:]]*\(k8s.io/[A-Za-z0-9._-]*\) => \./staging/.*#\1#p' "$gomod"); do
    go mod edit -replace="$m=$m@$staging"
  done
  log "resolving dependencies"
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@$KUBE_VERSION" \
    "k8s.io/kubernetes/cmd/kube-scheduler@$KUBE_VERSION" \
    "k8s.io/kubernetes/cmd/kubectl@$KUBE_VERSION" >/dev/null 2>&1 || \
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@$KUBE_VERSION" \
    "k8s.io/kubernetes/cmd/kube-controller-manager@$KUBE_VERSION" \
    "k8s.io/kubernetes/cmd/kube-scheduler@$KUBE_VERSION" \
    "k8s.io/kubernetes/cmd/kubectl@$KUBE_VERSION"
  local ldflags="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags="$ldflags -X $p.gitVersion=$KUBE_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ldflags="$ldflags -X $p.gitTreeState=clean -X $p.buildDate=2026-01-01T00:00:00Z"
  done
  log "compiling kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (first time: 10-25 min on 2 cores)"
  CGO_ENABLED=0 go build -trimpath -tags selinux,notest,grpcnotrace -ldflags "$ldflags" -o "$BIN/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
  "$BIN/kube-apiserver" --version
}

build_etcd() {
  if reports_version "$BIN/etcd" "etcd Version: ${ETCD_VERSION#v}"; then log "etcd $ETCD_VERSION present"; return; fi
  local work="$CACHE/src/etcd-$ETCD_VERSION"
  mkdir -p "$work"; cd "$work"
  [ -f go.mod ] || go mod init songbird.local/etcdbin >/dev/null 2>&1
  log "building etcd $ETCD_VERSION"
  go get -tool "go.etcd.io/etcd/server/v3@$ETCD_VERSION"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN/etcd" go.etcd.io/etcd/server/v3
  "$BIN/etcd" --version | head -1
}

build_kwok() {
  if reports_version "$BIN/kwok" "$KWOK_VERSION"; then log "kwok $KWOK_VERSION present"; return; fi
  log "building kwok $KWOK_VERSION"
  CGO_ENABLED=0 GOBIN="$BIN" go install -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
    "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  # kwok v0.8 has no built-in stages: keep the stage files that ship in its module beside the binary.
  local dir stages
  dir=$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  stages="$dir/kustomize/stage"
  { cat "$stages/node/fast/node-initialize.yaml"; echo '---'
    cat "$stages/node/heartbeat-with-lease/node-heartbeat-with-lease.yaml"; echo '---'
    cat "$stages/pod/fast/pod-ready.yaml"; echo '---'
    cat "$stages/pod/fast/pod-complete.yaml"; echo '---'
    cat "$stages/pod/fast/pod-delete.yaml"; } > "$BIN/kwok-stages.yaml"
  "$BIN/kwok" --version || true
}

build_kstatus() {
  local src="$SCRIPTS/kstatus-compute" version
  version=$(sed -n 's#^[[:space:]]*sigs.k8s.io/cli-utils \(v[0-9.]*\)$#\1#p' "$src/go.mod")
  if reports_version "$BIN/kstatus-compute" "cli-utils $version"; then log "kstatus-compute ($version) present"; return; fi
  log "building kstatus-compute (sigs.k8s.io/cli-utils $version)"
  (cd "$src" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$version" -o "$BIN/kstatus-compute" .)
  "$BIN/kstatus-compute" --version
}

build_helm() {
  # `helm version --short` prints e.g. "v4.3.2+g0a1b2c3"; without the -X below a module build says "v4.3".
  local out=""
  [ -x "$BIN/helm" ] && out=$("$BIN/helm" version --short 2>/dev/null)
  if [[ "$out" == "$HELM_VERSION"* ]]; then log "helm $HELM_VERSION present"; return; fi
  log "building helm $HELM_VERSION"
  CGO_ENABLED=0 GOBIN="$BIN" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v4/internal/version.version=$HELM_VERSION -X helm.sh/helm/v4/internal/version.gitTreeState=clean" \
    "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
  "$BIN/helm" version --short
}

install_moto() {
  local venv="$CACHE/moto-venv" out=""
  # The installed version is read from the package metadata, the same record `pip show moto` prints, in
  # 0.1 s instead of the 1 s pip needs to start; a broken venv gives no output and is rebuilt below.
  [ -x "$venv/bin/moto_server" ] && \
    out=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true)
  if [ "$out" = "$MOTO_VERSION" ]; then log "moto $MOTO_VERSION present"; return; fi
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    # Debian splits venv and ensurepip out of python3 into python3-venv.
    log "installing Debian package: python3-venv"
    local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
  fi
  log "installing moto[server]==$MOTO_VERSION into $venv"
  # --clear: a venv left by an older or removed Python is rebuilt rather than patched.
  python3 -m venv --clear "$venv"
  PIP_CACHE_DIR="$CACHE/pip" "$venv/bin/pip" install -q "moto[server]==$MOTO_VERSION"
  "$venv/bin/pip" show moto | grep '^Version:'
}

install_node() {
  local dir="$CACHE/node/$NODE_VERSION" out="" arch tmp
  [ -x "$dir/bin/node" ] && out=$("$dir/bin/node" --version 2>/dev/null || true)
  if [ "$out" = "v$NODE_VERSION" ]; then log "Node $NODE_VERSION present"; return; fi
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) echo "no node-linux package for $(uname -m)" >&2; return 1 ;;
  esac
  log "installing Node $NODE_VERSION from the npm registry's node-linux-$arch package"
  mkdir -p "$CACHE/node"
  tmp=$(mktemp -d "$CACHE/node/.install.XXXXXX")
  # The package holds the official build: package/bin/node plus headers. Unpacked beside the target and moved
  # into place whole, so an interrupted install never leaves a half-written runtime that looks present.
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$NODE_VERSION" >/dev/null)
  mkdir "$tmp/runtime"
  tar -xzf "$tmp"/node-linux-*.tgz -C "$tmp/runtime" --strip-components=1
  rm -rf "$dir"
  mv "$tmp/runtime" "$dir"
  rm -rf "$tmp"
  "$dir/bin/node" --version
}

main() {
  local what="${1:-all}"
  # One install at a time per cache folder: parallel test runs wait here instead of building twice.
  exec 9>"$CACHE/toolchain.lock"
  flock 9
  case "$what" in
    debian) install_debian_packages ;;
    binaries) build_etcd; build_kwok; build_kubernetes; build_helm; build_kstatus ;;
    kstatus) build_kstatus ;;
    helm) build_helm ;;
    moto) install_moto ;;
    node) install_node ;;
    all) install_node; install_debian_packages; build_etcd; build_kwok; build_kubernetes; build_helm; build_kstatus; install_moto ;;
    *) echo "usage: $0 [all|debian|binaries|helm|kstatus|moto|node]" >&2; exit 2 ;;
  esac
  log "done: $BIN"
}
main "$@"
