#!/usr/bin/env bash
# Points Claude Code at contextwatch in one step: merges into a settings.json (created when
# missing; other keys kept; running it twice gives the same file)
#   env         the telemetry exporter (as scripts/claude-env.sh --json), and where the status line finds contextwatch
#   hooks       an http hook posting every hook event to <otlp>/v1/hooks, with the token
#               (SessionStart: a command hook, curl, since the client sends no http one for it)
#   statusLine  scripts/statusline.sh
# usage: scripts/claude-setup.sh --settings FILE [--otlp URL] [--api URL] [--token TOKEN]
#   e.g. scripts/claude-setup.sh --settings ~/.claude/settings.json   (all projects of this user)
#        scripts/claude-setup.sh --settings .claude/settings.json      (one project)
# The merge runs in the contextwatch jar (built first when missing, as ./contextwatch does), so
# it needs Java and Maven only; CONTEXTWATCH_CLASSPATH, when set, is used instead of the jar.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
usage="usage: $0 --settings FILE [--otlp URL] [--api URL] [--token TOKEN]"

settings= otlp=http://localhost:4318 api=http://localhost:8080 token=
while [ $# -gt 0 ]; do
  case "$1" in
    --settings|--otlp|--api|--token)
      if [ $# -lt 2 ] || [ -z "$2" ]; then echo "$0: $1 needs a value; $usage" >&2; exit 2; fi
      case "$1" in
        --settings) settings=$2 ;; --otlp) otlp=$2 ;; --api) api=$2 ;; --token) token=$2 ;;
      esac
      shift 2 ;;
    -h|--help) echo "$usage"; exit 0 ;;
    *) echo "$0: unknown argument '$1'; $usage" >&2; exit 2 ;;
  esac
done
[ -n "$settings" ] || { echo "$0: --settings is missing; $usage" >&2; exit 2; }

env_json=$(CONTEXTWATCH_INGEST_TOKEN=$token bash "$here/claude-env.sh" --json "$otlp")

classpath=${CONTEXTWATCH_CLASSPATH:-}
if [ -z "$classpath" ]; then
  classpath=$root/modules/app/target/contextwatch.jar
  if [ ! -f "$classpath" ]; then
    echo "claude-setup: building $classpath (first run)..." >&2
    (cd "$root" && mvn -q -B package -DskipTests)
  fi
fi
args=(--settings "$settings" --statusline "$here/statusline.sh" --otlp "$otlp" --api "$api")
[ -n "$token" ] && args+=(--token "$token")
printf '%s' "$env_json" | exec java -cp "$classpath" dev.contextwatch.app.ClaudeSetup "${args[@]}"
