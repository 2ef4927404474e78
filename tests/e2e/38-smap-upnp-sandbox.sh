#!/bin/bash
# SPDX-License-Identifier: MIT
# The SMAP's UPnP IGD runs in its own process, smap-upnp (smap/upnpd/):
# as upnp.user, with no capabilities, no new privileges and a seccomp
# filter; it holds none of the SMAP's descriptors (nftables/netlink
# sockets, the TUN, raw sockets); killed, it is started again and UPnP
# answers again; stopped with smap, it exits cleanly; the SMAP killed, it
# goes too. Restarts smap1 with UPnP
# enabled, and with its testbed configuration at the end.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

SHARED=192.0.2.1
CONF=$E2E_TMP/smap1-upnp.conf
{ sed "s|state_file = \"[^\"]*\"|state_file = \"$E2E_TMP/mappings\"|" "$ROOT/etc/testbed/smap1.conf"
  echo 'upnp = { enable = true; http_port = 49200; user = "nobody"; };'; } >"$CONF"
NOBODY=$(id -u nobody)

stop1() {
	local pid
	pid=$(smap_pid 1) || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	wait_for -t 20 sh -c "! [ -e /proc/$pid ] || grep -q '^[0-9]* (.*) Z' /proc/$pid/stat"
}
restore() {
	stop1 || echo "# smap1 did not stop"
	smap_start 1 etc/testbed/smap1.conf || echo "# could not restart smap1"
}
trap 'rc=$?; set +e; restore; (exit $rc); e2e_cleanup' EXIT

# smap1's smap-upnp: its one child of that name
child() { local p; p=$(smap_pid 1) && pgrep -P "$p" -x smap-upnp; }
# a different child than $1, running
new_child() { local c; c=$(child) && [ "$c" != "$1" ]; }
status_of() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | tr -s '\t ' ' '; }
external_ip() {
	tb ap-h11 timeout 10 upnpc -i -l 2>&1 | grep -q "ExternalIPAddress = $SHARED"
}

smap_running 1 || { fail "smap1 running" "the testbed's smap1 is not running"; exit 1; }
stop1
if smap_start 1 "$CONF" && wait_for -t 10 child >/dev/null; then
	pass "smap1 starts smap-upnp (pid $(child))"
else
	fail "smap1 starts smap-upnp" "$(oneline "$(tail -5 "$RUN/smap1.log")")"; exit 1
fi
wait_for -t 10 external_ip && pass "upnpc reads ExternalIPAddress $SHARED through smap-upnp" ||
	fail "upnpc through smap-upnp" "$(oneline "$(tail -5 "$RUN/smap1.log")")"

# --- unprivileged: uid, capabilities, no_new_privs, seccomp ---------------------
c=$(child)
uid=$(status_of "$c" Uid); gid=$(status_of "$c" Gid)
capeff=$(status_of "$c" CapEff); capprm=$(status_of "$c" CapPrm); capamb=$(status_of "$c" CapAmb)
capinh=$(status_of "$c" CapInh); capbnd=$(status_of "$c" CapBnd)
nnp=$(status_of "$c" NoNewPrivs); sec=$(status_of "$c" Seccomp)
# The bounding set: emptied where smap may (root); a smap that dropped to
# its own user keeps its narrowed one, which no_new_privs makes moot (no
# capability can be gained by exec), but it is never wider than smap's.
sbnd=$(status_of "$(cat "$RUN/smap1.pid")" CapBnd)
if [ "$uid" = "$NOBODY $NOBODY $NOBODY $NOBODY" ] && [ "$gid" != "0 0 0 0" ] &&
    [ "$capeff" = 0000000000000000 ] && [ "$capprm" = 0000000000000000 ] &&
    [ "$capamb" = 0000000000000000 ] && [ "$capinh" = 0000000000000000 ] &&
    [ $((0x$capbnd & ~0x$sbnd)) = 0 ] && [ "$nnp" = 1 ] && [ "$sec" = 2 ]; then
	pass "smap-upnp: uid $NOBODY (nobody), CapEff/CapPrm/CapAmb/CapInh 0, CapBnd within smap's, NoNewPrivs 1, Seccomp 2"
else
	fail "smap-upnp unprivileged" "Uid '$uid' Gid '$gid' CapEff $capeff CapPrm $capprm CapAmb $capamb CapInh $capinh CapBnd $capbnd (smap $sbnd) NoNewPrivs $nnp Seccomp $sec"
fi

# --- its descriptors: the socketpair and stdio, nothing of the SMAP's -----------
smap=$(smap_pid 1)
targets() { for f in /proc/"$1"/fd/*; do [ "${f##*/}" -ge "$2" ] && readlink "$f"; done; }
shared=$(comm -12 <(targets "$smap" 3 | grep -vx /dev/null | sort -u) <(targets "$c" 0 | sort -u))
# socket inodes of the child among netlink, raw and packet sockets
inodes=$(targets "$c" 0 | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p')
special=$(for i in $inodes; do
	awk -v i="$i" 'FNR > 1 && $0 ~ "(^| )" i "( |$)" { print FILENAME ": " i }' \
		/proc/"$c"/net/netlink /proc/"$c"/net/raw /proc/"$c"/net/raw6 /proc/"$c"/net/packet
done)
odd=$(targets "$c" 0 | grep -E '^(/dev/net/tun|anon_inode:)' || true)
fd3=$(readlink /proc/"$c"/fd/3 || true)
if [ -z "$shared" ] && [ -z "$special" ] && [ -z "$odd" ] && [ "${fd3#socket:}" != "$fd3" ] &&
    [ "$(targets "$smap" 3 | grep -c -E '^(/dev/net/tun|socket:)')" -gt 3 ]; then
	pass "smap-upnp holds $(targets "$c" 0 | wc -l) fds: fd 3 the socketpair, none of smap's $(targets "$smap" 3 | wc -l), no netlink/raw/packet socket, no TUN"
else
	fail "smap-upnp holds nothing of the SMAP's" "shared '$(oneline "$shared")' special '$(oneline "$special")' odd '$odd' fd3 '$fd3'"
fi

# --- killed: started again, UPnP answers again ------------------------------------
kill -KILL "$c"
if wait_for -t 15 new_child "$c" && wait_for -t 15 external_ip && smap_running 1; then
	pass "smap-upnp SIGKILLed: smap1 starts pid $(child) and upnpc works again"
else
	fail "smap-upnp restarted after SIGKILL" "$(oneline "$(tail -5 "$RUN/smap1.log")")"
fi
grep -q "smap-upnp pid $c killed by signal 9" "$RUN/smap1.log" &&
	[ "$(smap_stat 1 upnp_restarts)" -ge 1 ] &&
	pass "the death is logged and counted (upnp_restarts $(smap_stat 1 upnp_restarts))" ||
	fail "smap-upnp's death logged and counted" "$(oneline "$(grep upnp "$RUN/smap1.log" | tail -3)")"

# --- stopped with smap: SIGTERM, byebye, a clean exit (no seccomp kill) --------
c=$(child)
stop1
if grep -q "smap-upnp pid $c exited with status 0" "$RUN/smap1.log" &&
    ! grep -q "smap-upnp pid [0-9]* killed by signal 31" "$RUN/smap1.log" && ! [ -e "/proc/$c" ]; then
	pass "smap1 stopped: smap-upnp (pid $c) exits with status 0, never killed by its seccomp filter"
else
	fail "smap-upnp stops cleanly" "$(oneline "$(grep smap-upnp "$RUN/smap1.log" | tail -4)")"
fi

# --- no orphan: SIGKILL of the SMAP takes smap-upnp along (PR_SET_PDEATHSIG) ------
smap_start 1 "$CONF" && wait_for -t 10 child >/dev/null ||
	{ fail "smap1 starts smap-upnp again" "$(oneline "$(tail -5 "$RUN/smap1.log")")"; exit 1; }
c=$(child); smap=$(smap_pid 1)
kill -KILL "$smap"
if wait_for -t 10 sh -c "! [ -e /proc/$c ] || grep -q '^[0-9]* (.*) Z' /proc/$c/stat"; then
	pass "smap1 SIGKILLed: its smap-upnp (pid $c) is gone too"
else
	fail "no orphan smap-upnp after SIGKILL of smap" "pid $c: $(cat /proc/"$c"/stat 2>&1)"
	kill -KILL "$c" 2>/dev/null || true
fi
