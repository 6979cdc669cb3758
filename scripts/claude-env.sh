#!/usr/bin/env bash
# Prints the environment that points a Claude Code session at contextwatch:
#   eval "$(scripts/claude-env.sh http://localhost:4318 my-project term-1)"      # shell exports
#   scripts/claude-env.sh --json http://localhost:4318 my-project term-1          # settings.json
# --json prints {"env": {...}}: the env block of Claude Code's settings.json, values as plain JSON
# strings (the exports escape for the shell, which is wrong inside settings.json).
# Optional: CONTEXTWATCH_INGEST_TOKEN (sent as a bearer token), CONTEXTWATCH_RUN_ID and
# CONTEXTWATCH_PARENT_SESSION_ID (fan-out runs), CONTEXTWATCH_LOG_PROMPTS=1 (prompt text).
set -euo pipefail

format=exports
if [ "${1:-}" = --json ]; then
  format=json
  shift
fi
if [ $# -lt 1 ] || [ $# -gt 3 ]; then
  echo "usage: $0 [--json] ENDPOINT [PROJECT] [LABEL]   e.g. $0 http://localhost:4318 acme term-1" >&2
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

names=()
values=()
add() { names+=("$1"); values+=("$2"); }
add CLAUDE_CODE_ENABLE_TELEMETRY 1
add OTEL_METRICS_EXPORTER otlp
add OTEL_LOGS_EXPORTER otlp
add OTEL_EXPORTER_OTLP_PROTOCOL http/protobuf
add OTEL_EXPORTER_OTLP_ENDPOINT "$endpoint"
add OTEL_METRIC_EXPORT_INTERVAL 10000
add OTEL_LOGS_EXPORT_INTERVAL 2000
if [ ${#attributes[@]} -gt 0 ]; then
  add OTEL_RESOURCE_ATTRIBUTES "$(IFS=,; echo "${attributes[*]}")"
fi
if [ -n "${CONTEXTWATCH_INGEST_TOKEN:-}" ]; then
  add OTEL_EXPORTER_OTLP_HEADERS "Authorization=Bearer $CONTEXTWATCH_INGEST_TOKEN"
fi
if [ "${CONTEXTWATCH_LOG_PROMPTS:-0}" = 1 ]; then
  add OTEL_LOG_USER_PROMPTS 1
  echo "$0: note: contextwatch keeps the prompt text (and shows the last prompt) only when the server runs with storeContent=true (CONTEXTWATCH_STORE_CONTENT=true)" >&2
fi

# A JSON string: backslash, quote and control characters escaped, everything else as it is.
json_string() {
  local s=$1 code char
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  for code in $(seq 1 31); do
    printf -v char "\\$(printf '%03o' "$code")"
    case "$s" in
      *"$char"*) s=${s//"$char"/$(printf '\\u%04x' "$code")} ;;
    esac
  done
  printf '"%s"' "$s"
}

if [ "$format" = json ]; then
  printf '{\n  "env": {\n'
  for i in "${!names[@]}"; do
    printf '    %s: %s' "$(json_string "${names[$i]}")" "$(json_string "${values[$i]}")"
    [ "$i" -lt $((${#names[@]} - 1)) ] && printf ','
    printf '\n'
  done
  printf '  }\n}\n'
else
  for i in "${!names[@]}"; do
    printf 'export %s=%q\n' "${names[$i]}" "${values[$i]}"
  done
fi
