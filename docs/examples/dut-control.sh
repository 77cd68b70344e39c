#!/bin/sh
# An exec adapter of the DUT control contract (docs/dut-control.md) around
# the reference daemon's own control endpoint; a vendor replaces the curl
# lines with its CLI. Usage, given to the harness:
#   --dut-control 'exec:docs/examples/dut-control.sh {action} {peer} {vpn} {prefix}'
action=$1 peer=$2 vpn=$3 prefix=$4 api=${OMP_STATE_API:-http://127.0.0.1:12347}
case "$action" in
  clear|shutdown|config-change|terminate)
    exec curl -sf -X POST -d "{\"peer\":\"$peer\"}" "$api/control/$action" ;;
  originate|withdraw)
    exec curl -sf -X POST -d "{\"vpn\":$vpn,\"prefix\":\"$prefix\"}" "$api/control/$action" ;;
  *) echo "no action $action" >&2; exit 3 ;;   # 3: the adapter lacks it
esac
