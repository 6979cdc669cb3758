#!/usr/bin/env bash
# Prints the environment that points a Claude Code session at contextwatch.
#   eval "$(scripts/claude-env.sh http://localhost:4318 my-project term-1)"
# Optional: CONTEXTWATCH_INGEST_TOKEN (sent as a bearer token), CONTEXTWATCH_RUN_ID and
# CONTEXTWATCH_PARENT_SESSION_ID (fan-out runs), CONTEXTWATCH_LOG_PROMPTS=1 (prompt text).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: $0 ENDPOINT [PROJECT] [LABEL]   e.g. $0 http://localhost:4318 acme term-1" >&2
  exit 2
fi
endpoint=${1%/}
case "$endpoint" in
  http://*|https://*) ;;
  *) echo "$0: ENDPOINT must start with http:// or https://, got '$1'" >&2; exit 2 ;;
esac

attributes=()
[ -n "${2:-}" ] && attributes+=("service.namespace=$2")
[ -n "${3:-}" ] && attributes+=("service.instance.id=$3")
[ -n "${CONTEXTWATCH_RUN_ID:-}" ] && attributes+=("contextwatch.run_id=$CONTEXTWATCH_RUN_ID")
[ -n "${CONTEXTWATCH_PARENT_SESSION_ID:-}" ] && attributes+=("contextwatch.parent_session_id=$CONTEXTWATCH_PARENT_SESSION_ID")

emit() { printf 'export %s=%q\n' "$1" "$2"; }
emit CLAUDE_CODE_ENABLE_TELEMETRY 1
emit OTEL_METRICS_EXPORTER otlp
emit OTEL_LOGS_EXPORTER otlp
emit OTEL_EXPORTER_OTLP_PROTOCOL http/protobuf
emit OTEL_EXPORTER_OTLP_ENDPOINT "$endpoint"
emit OTEL_METRIC_EXPORT_INTERVAL 10000
emit OTEL_LOGS_EXPORT_INTERVAL 2000
if [ ${#attributes[@]} -gt 0 ]; then
  emit OTEL_RESOURCE_ATTRIBUTES "$(IFS=,; echo "${attributes[*]}")"
fi
if [ -n "${CONTEXTWATCH_INGEST_TOKEN:-}" ]; then
  emit OTEL_EXPORTER_OTLP_HEADERS "Authorization=Bearer $CONTEXTWATCH_INGEST_TOKEN"
fi
if [ "${CONTEXTWATCH_LOG_PROMPTS:-0}" = 1 ]; then
  emit OTEL_LOG_USER_PROMPTS 1
fi
