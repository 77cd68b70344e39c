#!/bin/sh
# An exec adapter of the DUT control contract (docs/dut-control.md) around
# the reference daemon's own control endpoint; a vendor replaces the curl
# lines with its CLI. Usage, given to the harness:
#   --dut-control 'exec:docs/examples/dut-control.sh {action} {peer} {vpn} {prefix} {policy} {tloc} {color} {encap}'
action=$1 peer=$2 vpn=$3 prefix=$4 policy=$5 tloc=$6 color=$7 encap=$8
api=${OMP_STATE_API:-http://127.0.0.1:12347}
post() { exec curl -sf -X POST -d "$1" "$api/control/$action"; }
case "$action" in
  clear|shutdown|config-change|terminate) post "{\"peer\":\"$peer\"}" ;;
  originate-tloc|withdraw-tloc) post "{\"tloc\":\"$tloc\",\"color\":$color,\"encap\":$encap}" ;;
  originate|withdraw|routes) post "{\"vpn\":$vpn,\"prefix\":\"$prefix\"}" ;;
  policy) post "{\"policy\":\"$(printf '%s' "$policy" | awk 'BEGIN { ORS = "" } { gsub(/\\/, "\\\\\\\\"); gsub(/"/, "\\\""); if (NR > 1) print "\\n"; print }')\"}" ;;
  *) echo "no action $action" >&2; exit 3 ;;   # 3: the adapter lacks it
esac
