#!/usr/bin/env bash
# Install the benchmark's tools; safe to run again (skips what is present).
#   - h2load (Debian package nghttp2-client), the load generator
#   - the Cerbos PDP binary, from the npm package @cerbos/cerbos-linux-x64,
#     unpacked under bench/.work/ (git-ignored)
# Prints where things are: the last lines are KEY=VALUE for scripts.
set -euo pipefail

CERBOS_VERSION="${CERBOS_VERSION:-0.55.0}"
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK_DIR="${BENCH_DIR}/.work"
CERBOS_DIR="${WORK_DIR}/cerbos-${CERBOS_VERSION}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- h2load -----------------------------------------------------------------
if ! command -v h2load >/dev/null 2>&1; then
  echo "installing h2load (nghttp2-client)..." >&2
  as_root apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y nghttp2-client
fi
H2LOAD="$(command -v h2load)"

# --- Cerbos -----------------------------------------------------------------
# The package ships one ELF executable, named after the package
# (package/cerbos-linux-x64 in 0.55); look for any ELF file rather than a name.
find_cerbos() {
  local f
  while IFS= read -r f; do
    if [ "$(head -c 4 "${f}" | od -An -c | tr -d ' ')" = '177ELF' ]; then
      echo "${f}"
      return 0
    fi
  done < <(find "${CERBOS_DIR}" -type f -name 'cerbos*' 2>/dev/null)
  return 1
}

CERBOS_BIN="$(find_cerbos || true)"
if [ -z "${CERBOS_BIN}" ]; then
  echo "installing @cerbos/cerbos-linux-x64@${CERBOS_VERSION} into ${CERBOS_DIR}..." >&2
  mkdir -p "${CERBOS_DIR}"
  # `npm pack` fetches the tarball without running any install scripts.
  tarball="$(cd "${CERBOS_DIR}" && npm pack --silent "@cerbos/cerbos-linux-x64@${CERBOS_VERSION}" | tail -n 1)"
  tar -xzf "${CERBOS_DIR}/${tarball}" -C "${CERBOS_DIR}"
  rm -f "${CERBOS_DIR}/${tarball}"
  CERBOS_BIN="$(find_cerbos || true)"
  if [ -z "${CERBOS_BIN}" ]; then
    echo "no Cerbos ELF binary found in the npm package under ${CERBOS_DIR}" >&2
    exit 1
  fi
  chmod +x "${CERBOS_BIN}"
fi

echo "h2load: ${H2LOAD} ($("${H2LOAD}" --version 2>&1 | head -n 1))" >&2
echo "cerbos: ${CERBOS_BIN} ($("${CERBOS_BIN}" --version 2>&1 | head -n 1))" >&2
echo "H2LOAD=${H2LOAD}"
echo "CERBOS=${CERBOS_BIN}"
