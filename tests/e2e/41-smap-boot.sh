#!/bin/bash
# SPDX-License-Identifier: MIT
# scripts/smap-boot (issue 14) on the plain testbed, in ap-smap1, under
# busybox sh and dash: with a static configuration it is up as soon as
# smap answers (no registration to wait for); smap's log goes to syslog
# through logger(1) by default (a stand-in logger in PATH records what it
# is given) with the severities kept; SIGHUP at every stage (waiting for
# the WAN, smap not registered yet, smap up) is a reload, never the end of
# the script; SIGTERM at every stage stops smap and ends the script, no
# process left behind. (40-register.sh boots a registering SMAP.)
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

CONF=etc/testbed/smap1.conf
REGCONF=etc/testbed/register/smap1.conf	# the plain PRR never answers its registration
BOOTPID=$E2E_TMP/boot.pid
OUT=$E2E_TMP/boot.out
SYSLOG=$E2E_TMP/syslog.out

smap_running 1 || { fail "smap1 running" "the testbed's smap1 is not running"; exit 1; }

boot_stop() {
	local pid
	pid=$(cat "$BOOTPID" 2>/dev/null) && kill -TERM "$pid" 2>/dev/null &&
		wait_for -t 10 sh -c "! [ -e /proc/$pid ]"
	smap_stop 1 || true
}
restore() {
	boot_stop
	smap_start 1 "$CONF" || true
}
on_exit restore

# a logger(1) stand-in: its arguments, then every line it reads
mkdir -p "$E2E_TMP/bin"
cat >"$E2E_TMP/bin/logger" <<LOGGER
#!/bin/sh
if [ "\$1" = --help ]; then echo "     --prio-prefix        look for a prefix on every line read from stdin"; exit 0; fi
echo "logger \$*" >>"$SYSLOG"
while IFS= read -r line; do echo "\$line" >>"$SYSLOG"; done
LOGGER
chmod +x "$E2E_TMP/bin/logger"

# boot SHELL ARGS...: smap-boot in ap-smap1, in the background; its pid in
# $BOOTPID, its output in $OUT, and "exit N" there when it ends
boot() {
	local shell=$1; shift
	rm -f "$BOOTPID" "$OUT" "$SYSLOG" "$RUN/smap1.pid"
	# shellcheck disable=SC2016,SC2086 # $$ and $@ are for the inner sh; $shell is a command and its argument
	(cd "$ROOT" && setsid sh -c 'echo $$ >"$0"; exec "$@"' "$BOOTPID" \
		ip netns exec ap-smap1 env PATH="$E2E_TMP/bin:$PATH" $shell scripts/smap-boot \
		-b "$SMAP" -p "$RUN/smap1.pid" "$@" </dev/null >"$OUT" 2>&1 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-
	 echo "exit $?" >>"$OUT") &
	wait_for -t 5 test -s "$BOOTPID"
}
boot_pid() { cat "$BOOTPID"; }
boot_alive() { [ -e "/proc/$(boot_pid)" ]; }
said() { grep -q -e "$1" "$OUT"; }
# term_ends NAME: SIGTERM to smap-boot; it ends with status 0, its smap with it
term_ends() {
	local pid spid
	pid=$(boot_pid) spid=$(smap_pid 1 || true)
	kill -TERM "$pid" || true
	if wait_for -t 10 grep -q '^exit ' "$OUT" && grep -q '^exit 0$' "$OUT" &&
	    { [ -z "$spid" ] || ! [ -e "/proc/$spid" ]; } && [ ! -e "$RUN/smap1.pid" ] &&
	    [ -z "$(ip netns pids ap-smap1)" ]; then
		pass "$1"
	else
		fail "$1" "$(oneline "$(cat "$OUT")") / left in ap-smap1: $(ip netns pids ap-smap1 | tr '\n' ' ')"
	fi
}

smap_stop 1

for shell in "busybox sh" dash; do
	# --- a static configuration, logged to syslog --------------------------------
	boot "$shell" -F -c "$CONF" -t 30
	if wait_for -t 20 said '^smap-boot: up: 192.0.2.1 ports 10000-10999' &&
	    wait_for -t 10 tb ap-h11 ping -c 1 -W 1 "$INET"; then
		pass "$shell: a static config is up without registration; h11 reaches $INET"
	else
		fail "$shell: a static config is up without registration" "$(oneline "$(cat "$OUT")")"
	fi
	if grep -q '^logger .*-t smap' "$SYSLOG" && grep -q -- '--prio-prefix' "$SYSLOG" &&
	    grep -q '^<6>smap: started' "$SYSLOG"; then
		pass "$shell: smap's log goes to logger -t smap, severities kept (<6> started)"
	else
		fail "$shell: smap's log goes to syslog" "$(oneline "$(cat "$SYSLOG" 2>&1)")"
	fi
	spid=$(smap_pid 1)
	kill -HUP "$(boot_pid)"
	if wait_for -t 10 grep -q '^<6>smap: reloaded' "$SYSLOG" && boot_alive &&
	    [ "$(smap_pid 1)" = "$spid" ] && [ -e "/proc/$spid" ]; then
		pass "$shell: SIGHUP once up: smap reloads, same smap, the script goes on"
	else
		fail "$shell: SIGHUP once up" "$(oneline "$(cat "$OUT")")"
	fi
	term_ends "$shell: SIGTERM once up: smap stopped, the script exits 0, nothing left"

	# --- registration that does not come: SIGHUP, then SIGTERM --------------------
	boot "$shell" -F -c "$REGCONF" -l "$E2E_TMP/smap.log"
	if wait_for -t 20 sh -c "'$SMAP' status -s '$RUN/smap1.sock' | grep -q '^reg_bound  *no'"; then
		spid=$(smap_pid 1 || true)
		# no set yet, so no mapping table: the soak's operator query crashed smap here
		if "$SMAP" mappings --json -s "$RUN/smap1.sock" 2>/dev/null | grep -q '^\[' &&
		    "$SMAP" status -s "$RUN/smap1.sock" 2>/dev/null | grep -q '^reg_bound  *no'; then
			pass "$shell: smap mappings before registration: answered, smap runs on"
		else
			fail "$shell: smap mappings before registration" "no answer or smap gone"
		fi
		kill -HUP "$(boot_pid)"
		if wait_for -t 10 grep -q 'smap: reloaded' "$E2E_TMP/smap.log" && boot_alive &&
		    [ "$(smap_pid 1)" = "$spid" ] && [ -e "/proc/$spid" ] && ! said '^smap-boot: up'; then
			pass "$shell: SIGHUP before registration: smap reloads, the script keeps waiting"
		else
			fail "$shell: SIGHUP before registration" \
				"$(oneline "$(tail -4 "$OUT")") / smap: $(oneline "$(tail -3 "$E2E_TMP/smap.log")")"
		fi
	else
		fail "$shell: smap started, not registered" "$(oneline "$(cat "$OUT")")"
	fi
	term_ends "$shell: SIGTERM before registration: smap stopped, the script exits 0, nothing left"

	# --- waiting for the WAN: SIGHUP, then SIGTERM --------------------------------
	boot "$shell" -F -c "$CONF" -i nosuch0
	if wait_for -t 10 said 'waiting for interface nosuch0'; then
		kill -HUP "$(boot_pid)"
		wait_for -t 5 said 'SIGHUP: smap is not running yet' && boot_alive &&
			pass "$shell: SIGHUP while waiting for the WAN: the script goes on" ||
			fail "$shell: SIGHUP while waiting for the WAN" "$(oneline "$(cat "$OUT")")"
	else
		fail "$shell: waiting for the WAN" "$(oneline "$(cat "$OUT")")"
	fi
	term_ends "$shell: SIGTERM while waiting for the WAN: the script exits 0"
done
