#!/usr/bin/env bash
# The project's test command (README "Run the tests"; CI calls it through .ci/run):
# set-up if missing, then fmt check, clippy with warnings denied, and the workspace tests.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

# report.html is checked in a real browser (tests/e2e/html_report.rs): install Debian's
# chromium when it is missing and we may; otherwise that test skips with a message.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> apt-get install chromium (browser test of report.html)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
    || echo "warning: chromium not installed; the report.html browser test will skip"
fi

echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
echo "==> cargo doc --workspace --no-deps (warnings denied: broken or private intra-doc links)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet
echo "==> cargo test --workspace"
cargo test --workspace "$@"
