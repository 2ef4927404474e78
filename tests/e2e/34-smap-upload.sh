#!/bin/bash
# SPDX-License-Identifier: MIT
# Bulk TCP from the LAN into the softwire (uploads, the direction the TUN's
# offloads carry): 10 MB from h11 through smap1 (path MTU 1500) and from
# h21 through smap2 (1280) arrive intact. On the TUN path (fast_path off)
# the TUN hands smap TCP super-packets (out_tso grows) that smap cuts to
# the MTU: out_packets counts the segments, nothing is dropped as
# malformed, nothing is refused by the kernel; the segments leave on the
# packet socket toward the next hop (smap status: wan_send packet).
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/smap-lib.sh"

MODE=${AP_SMAP_FAST_PATH:-auto}
[ "$MODE" = auto ] && MODE=bpf
for n in 1 2; do
	smap_running $n || { fail "smap$n running" "the testbed's smap$n is not running"; exit 1; }
done

WWW=$E2E_TMP/www
mkdir -p "$WWW"
UP=$E2E_TMP/up.bin
head -c $((10 * 1024 * 1024)) /dev/urandom >"$UP"
chmod 0644 "$UP"
SUM=$(sha256sum <"$UP" | cut -d' ' -f1)
start_server http ap-inet "$PYTHON" "$TOOL" http-server --port 8081 --dir "$WWW" --ready "$E2E_TMP/http.ready"

# upload N HOST MTU: 10 MB from HOST through smapN
upload() {
	local n=$1 host=$2 mtu=$3 tso0 pk0 mal0 tx0 got tso pk mal tx
	tso0=$(smap_stat "$n" out_tso); pk0=$(smap_stat "$n" out_packets)
	mal0=$(smap_stat "$n" out_drop_malformed); tx0=$(smap_stat "$n" tx_errors)
	got=$(tb "$host" curl -s --max-time 60 -T "$UP" "http://$INET:8081/up" || true)
	[ "$got" = "$SUM" ] && pass "$host: 10 MB upload through smap$n, path MTU $mtu ($MODE)" ||
		fail "$host: 10 MB upload through smap$n, path MTU $mtu ($MODE)" "server got sha256 '$got'"
	tso=$(($(smap_stat "$n" out_tso) - tso0)); pk=$(($(smap_stat "$n" out_packets) - pk0))
	mal=$(($(smap_stat "$n" out_drop_malformed) - mal0)); tx=$(($(smap_stat "$n" tx_errors) - tx0))
	[ "$mal" = 0 ] && [ "$tx" = 0 ] &&
		pass "smap$n: no packet of the upload malformed or refused ($MODE)" ||
		fail "smap$n: no packet of the upload malformed or refused ($MODE)" \
			"out_drop_malformed +$mal, tx_errors +$tx"
	[ "$MODE" = off ] || return 0
	[ "$(smap_status "$n" wan_send)" = packet ] &&
		pass "smap$n: the softwire sends on the packet socket (wan_send packet)" ||
		fail "smap$n: the softwire sends on the packet socket" "wan_send $(smap_status "$n" wan_send)"
	# 10 MB at an MSS of at most mtu - 80 is this many segments at least
	local segs=$((10 * 1024 * 1024 / (mtu - 80)))
	if [ "$tso" -gt 0 ] && [ "$pk" -ge "$segs" ]; then
		pass "smap$n: the TUN handed over $tso super-packets, out_packets counts $pk segments (>= $segs)"
	else
		fail "smap$n: the TUN hands over super-packets, out_packets counts segments" \
			"out_tso +$tso, out_packets +$pk (want >= $segs)"
	fi
}

upload 1 ap-h11 1500
upload 2 ap-h21 1280
