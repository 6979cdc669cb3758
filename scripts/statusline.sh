#!/bin/sh
# Claude Code's statusLine command: reads the status-line JSON on standard input, forwards it to
# contextwatch and prints one line: context % of the compaction point, requests left, cost, the
# plan's 5-hour use, and how many other sessions of the project wait for input.
#   CONTEXTWATCH_OTLP   where the JSON goes (POST <url>/v1/statusline), default http://localhost:4318
#   CONTEXTWATCH_API    where the line comes from, default http://localhost:8080
#   CONTEXTWATCH_TOKEN  sent as Authorization: Bearer to both (CONTEXTWATCH_API_TOKEN for the API, when it differs)
#   CONTEXTWATCH_STATUSLINE_TIMEOUT  seconds each request may take, default 0.3
# POSIX sh, curl and awk only: it runs at every redraw, so no JVM starts. When contextwatch cannot
# be reached in time it prints a line of its own from the input; it never fails (exit 0).
otlp=${CONTEXTWATCH_OTLP:-http://localhost:4318}
api=${CONTEXTWATCH_API:-http://localhost:8080}
timeout=${CONTEXTWATCH_STATUSLINE_TIMEOUT:-0.3}
ingest_token=${CONTEXTWATCH_TOKEN:-}
api_token=${CONTEXTWATCH_API_TOKEN:-$ingest_token}

input=$(cat | tr '\n\r' '  ')

# The scalar after "$2" inside the part of $1 that starts at "$3" (a string's text, or a number).
value_after() {
  printf '%s' "$1" | awk -v anchor="\"$3\"" -v key="\"$2\"" '{
    i = index($0, anchor); if (i == 0) exit
    s = substr($0, i); j = index(s, key); if (j == 0) exit
    s = substr(s, j + length(key)); sub(/^[ \t]*:[ \t]*/, "", s)
    if (substr(s, 1, 1) == "\"") { s = substr(s, 2); k = index(s, "\""); if (k > 0) print substr(s, 1, k - 1) }
    else if (match(s, /^-?[0-9][0-9.eE+-]*/)) print substr(s, 1, RLENGTH)
  }'
}

# A line from the input alone: the model, how full the window is, the cost.
own_line() {
  model=$(value_after "$input" display_name model)
  used=$(value_after "$input" used_percentage context_window)
  cost=$(value_after "$input" total_cost_usd cost)
  awk -v model="${model:-Claude}" -v used="$used" -v cost="$cost" 'BEGIN {
    line = "cw offline | " model
    if (used != "") line = line sprintf(" | ctx %.0f%% of window", used)
    if (cost != "") line = line sprintf(" | $%.2f", cost)
    print line
  }'
}

session=$(value_after "$input" session_id session_id)
case "$session" in
  ''|*[!A-Za-z0-9._-]*) own_line; exit 0 ;;
esac

# forwarded in the background while the line is asked for; a failure only costs this update
if [ -n "$ingest_token" ]; then
  printf '%s' "$input" | curl -s -o /dev/null --max-time "$timeout" -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $ingest_token" --data-binary @- "${otlp%/}/v1/statusline" >/dev/null 2>&1 &
else
  printf '%s' "$input" | curl -s -o /dev/null --max-time "$timeout" -H 'Content-Type: application/json' \
    --data-binary @- "${otlp%/}/v1/statusline" >/dev/null 2>&1 &
fi

if [ -n "$api_token" ]; then
  line=$(curl -fs --max-time "$timeout" -H "Authorization: Bearer $api_token" "${api%/}/api/v1/sessions/$session/statusline" 2>/dev/null)
else
  line=$(curl -fs --max-time "$timeout" "${api%/}/api/v1/sessions/$session/statusline" 2>/dev/null)
fi
line=$(printf '%s\n' "$line" | head -n 1)
if [ -n "$line" ]; then
  printf '%s\n' "$line"
else
  own_line
fi
wait
exit 0
