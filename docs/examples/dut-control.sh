#!/bin/sh
# An exec adapter of the DUT control contract (docs/dut-control.md) around
# the reference daemon's own control endpoint; a vendor replaces the curl
# lines with its CLI. Usage, given to the harness:
#   --dut-control 'exec:docs/examples/dut-control.sh {action} {peer} {vpn} {prefix} {policy} {tloc} {color} {encap}'
# Exit status, as the contract has it: 0 done (the answer on stdout), 3 the
# DUT has no such action (HTTP 501), 1 any other HTTP error, curl's own
# status when the endpoint cannot be reached (1 for curl's own 3, which is
# not the contract's); the DUT's words on stderr. curl is bounded in time
# (the harness gives an action 30 s).
action=$1 peer=$2 vpn=$3 prefix=$4 policy=$5 tloc=$6 color=$7 encap=$8
api=${OMP_STATE_API:-http://127.0.0.1:12347}
nl='
'
post() {
  # The body, a newline, then the HTTP status on the last line.
  out=$(curl -sS --max-time 25 -w '\n%{http_code}' -X POST -H 'Content-Type: application/json' -d "$1" "$api/control/$action") ||
    { rc=$?; [ "$rc" = 3 ] && rc=1; exit "$rc"; }
  code=${out##*"$nl"} body=${out%"$nl"*}
  case "$code" in
    2??) printf '%s' "$body"; exit 0 ;;
    501) printf '%s\n' "${body%"$nl"}" >&2; exit 3 ;;   # 3: the DUT lacks it
    *) printf 'HTTP %s: %s\n' "$code" "${body%"$nl"}" >&2; exit 1 ;;
  esac
}
case "$action" in
  clear|shutdown|config-change|terminate) post "{\"peer\":\"$peer\"}" ;;
  originate-tloc|withdraw-tloc) post "{\"tloc\":\"$tloc\",\"color\":$color,\"encap\":$encap}" ;;
  originate|withdraw|routes) post "{\"vpn\":$vpn,\"prefix\":\"$prefix\"}" ;;
  policy) post "{\"policy\":\"$(printf '%s' "$policy" | awk 'BEGIN { ORS = "" } { gsub(/\\/, "\\\\\\\\"); gsub(/"/, "\\\""); if (NR > 1) print "\\n"; print }')\"}" ;;
  *) echo "no action $action" >&2; exit 3 ;;   # 3: the adapter lacks it
esac
