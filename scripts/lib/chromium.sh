# Sourced by the browser-test scripts: exports CHROMIUM_PATH, installing
# Debian's chromium when it is missing and the script runs as root.
ensure_chromium() {
  if [ -z "${CHROMIUM_PATH:-}" ]; then
    CHROMIUM_PATH=$(command -v chromium || true)
  fi
  if [ -z "$CHROMIUM_PATH" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      echo "› Installing Debian's chromium for the browser tests"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
      CHROMIUM_PATH=/usr/bin/chromium
    else
      echo "The browser tests need Chromium: run 'sudo apt-get install chromium' or set CHROMIUM_PATH." >&2
      exit 1
    fi
  fi
  export CHROMIUM_PATH
}
