#!/bin/bash
# SPDX-License-Identifier: MIT
# State locations (issue 14): smap and prr make the directories of their
# state files at start (mode 0700), and `-n` refuses a state location
# that cannot be written, naming file, line and key, instead of saying OK
# and failing at every save. smap1 runs with its state file in a fresh
# directory tree and a PCP mapping must be saved there; the PRR is
# restarted with its state file and allocation log in another one.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

CONF=$ROOT/etc/testbed/smap1.conf
PRR_BIN=${AP_BIN:-$ROOT/build/bin}/prr
PCPC=$E2E_DIR/pcp-client
RO=$E2E_TMP/ro
FRESH=$E2E_TMP/fresh

smap_running 1 || { fail "smap1 running" "the testbed's smap1 is not running"; exit 1; }

restore() {
	mountpoint -q "$RO" && umount "$RO"
	smap_stop 1 || true
	smap_start 1 "$CONF" || true
	"$TESTBED" restart prr >/dev/null 2>&1 || echo "# could not restart prr with its testbed configuration"
}
on_exit restore

# smap.conf with its state_file replaced (the testbed's is in the pcp group)
smap_conf() {	# smap_conf STATE_FILE OUT
	sed "s#state_file = \"[^\"]*\"#state_file = \"$1\"#" "$CONF" >"$2"
	grep -q "state_file = \"$1\"" "$2"
}
mkdir -p "$RO"
mount -t tmpfs -o ro,size=64k tmpfs "$RO"
touch "$E2E_TMP/plain-file"

# --- smap -n ------------------------------------------------------------------
C=$E2E_TMP/smap-fresh.conf
smap_conf "$FRESH/smap/state/mappings" "$C"
line=$(grep -n 'state_file' "$C" | cut -d: -f1)
check "smap -n: a state file in directories still to be made is OK" "$SMAP" -n -c "$C"
[ ! -e "$FRESH" ] && pass "smap -n makes nothing" || fail "smap -n makes nothing" "$(ls -R "$FRESH")"

for bad in "$RO/smap/mappings:is not writable: Read-only file system" \
	   "$E2E_TMP/plain-file/mappings:is not a directory" \
	   "$E2E_TMP:is a directory"; do
	path=${bad%%:*} want=${bad#*:}
	C2=$E2E_TMP/smap-bad.conf
	smap_conf "$path" "$C2"
	set +e
	out=$("$SMAP" -n -c "$C2" 2>&1 </dev/null); rc=$?
	set -e
	if [ "$rc" != 0 ] && echo "$out" | grep -q "^$C2:$line: pcp.state_file: .*$want"; then
		pass "smap -n refuses state_file $path ($want), naming file:line: key"
	else
		fail "smap -n refuses state_file $path" "rc $rc: $(oneline "$out")"
	fi
done

# --- smap at start: the directories, 0700, and a mapping saved there ----------
smap_stop 1
smap_start 1 "$C" || fail "smap1 starts with the fresh state directory" "$(tail -3 "$RUN/smap1.log")"
mode=$(stat -c %a "$FRESH/smap/state" 2>/dev/null || echo none)
[ "$mode" = 700 ] && [ "$(stat -c %a "$FRESH/smap")" = 700 ] &&
	pass "smap made the state directories, mode 0700" ||
	fail "smap made the state directories, mode 0700" "mode $mode"
out=$(tb ap-h11 "$PCPC" --server 192.168.1.1 map --proto 6 --int-port 8099 --lifetime 600)
ext=$(jget "$out" ext_port 2>/dev/null || true)
if [ "$(jget "$out" result)" = 0 ] && [ -n "$ext" ] &&
    wait_for -t 5 grep -q " $ext 192.168.1.10 8099 " "$FRESH/smap/state/mappings"; then
	pass "a PCP mapping is granted and saved in the new state file"
else
	fail "a PCP mapping is granted and saved in the new state file" \
		"$(oneline "$out") / $(cat "$FRESH/smap/state/mappings" 2>&1 | oneline)"
fi

# --- prr: state_file and allocation_log ---------------------------------------
P=$ROOT/etc/testbed/register/prr.conf
PC=$E2E_TMP/prr-fresh.conf
sed -e "s#^state_file = .*#state_file = \"$FRESH/prr/lib/state\";#" \
    -e "s#^allocation_log = .*#allocation_log = \"$FRESH/prr/log/alloc.log\";#" "$P" >"$PC"
check "prr -n: state_file and allocation_log in directories still to be made are OK" "$PRR_BIN" -n -c "$PC"
PB=$E2E_TMP/prr-bad.conf
sed -e "s#^state_file = .*#state_file = \"$RO/prr/state\";#" \
    -e "s#^allocation_log = .*#allocation_log = \"$E2E_TMP/plain-file/alloc.log\";#" "$P" >"$PB"
sl=$(grep -n '^state_file' "$PB" | cut -d: -f1)
al=$(grep -n '^allocation_log' "$PB" | cut -d: -f1)
set +e
out=$("$PRR_BIN" -n -c "$PB" 2>&1 </dev/null); rc=$?
set -e
if [ "$rc" != 0 ] && echo "$out" | grep -q "^$PB:$sl: state_file: .*Read-only file system" &&
    echo "$out" | grep -q "^$PB:$al: allocation_log: .*is not a directory"; then
	pass "prr -n refuses unwritable state_file and allocation_log, naming file:line: key"
else
	fail "prr -n refuses unwritable state_file and allocation_log" "rc $rc: $(oneline "$out")"
fi
if "$TESTBED" restart prr "$PC" >/dev/null 2>&1 &&
    [ "$(stat -c %a "$FRESH/prr/lib" 2>/dev/null)" = 700 ] &&
    [ "$(stat -c %a "$FRESH/prr/log" 2>/dev/null)" = 700 ] && [ -s "$FRESH/prr/lib/state" ]; then
	pass "prr made its state and log directories (0700) and saved its state"
else
	fail "prr made its state and log directories (0700) and saved its state" \
		"$(ls -lR "$FRESH/prr" 2>&1 | oneline)"
fi
