#!/usr/bin/env bash
# Installs the system packages the tests use, when they are missing: Debian's chromium (the
# dashboard and kick tests drive it with playwright-core; never a downloaded browser),
# pgbouncer (the transaction-pooler tests) and python3-prometheus-client (the metrics tests
# parse GET /api/jobs/metrics with the official Prometheus client's text-format parser). Runs before `npm test`; needs root or sudo for apt.
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
/usr/bin/python3 -c "import prometheus_client.parser" >/dev/null 2>&1 || need+=(python3-prometheus-client)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! command -v apt-get >/dev/null 2>&1; then
  echo "test-deps: please install ${need[*]} (apt-get is not available here)" >&2
  exit 1
fi
echo "test-deps: installing ${need[*]} with apt-get"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${need[@]}" >/dev/null
