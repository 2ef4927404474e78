/* SPDX-License-Identifier: MIT */
/*
 * The PostgreSQL store's schema, as migrations: migration i takes the
 * schema from version i to i + 1 (ap_schema holds the version). Add a
 * migration at the end; never edit one that has shipped.
 *
 * Writers (ap_apply) are serialised by a transaction-scoped advisory
 * lock: a batch checks that no other SMAP holds any of its ports on the
 * address (version 3; version 2 checked only an equal (ipv4, ports)) and
 * writes it while no other PRR writes, so two PRRs racing for one set,
 * or for overlapping ones, cannot both win (the loser's SMAP is named in
 * the answer: a registration gets no reply and asks again, an operator's
 * assign is refused). UNIQUE (ipv4, ports) backs up the equal case
 * against writers that bypass ap_apply. Change rows commit in sequence order
 * (the lock again), so "seq > last seen" misses nothing.
 */
#include <stddef.h>

#include "prr/store_pg_schema.h"

static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE ap_meta (key text PRIMARY KEY, value text NOT NULL);\n"
	"CREATE TABLE ap_bindings (\n"
	"  ipv6 inet PRIMARY KEY,\n"
	"  ipv4 inet NOT NULL,\n"
	"  ports text NOT NULL,\n"
	"  origin text NOT NULL CHECK (origin IN ('operator', 'dynamic')),\n"
	"  expires bigint NOT NULL DEFAULT 0,\n"
	"  held_until bigint NOT NULL DEFAULT 0,\n"
	"  softwire int NOT NULL DEFAULT 0,\n"
	"  nonce text,\n"
	"  updated timestamptz NOT NULL DEFAULT now(),\n"
	"  UNIQUE (ipv4, ports));\n"
	"CREATE VIEW ap_registrations AS SELECT ipv6, ipv4, ports, nonce,\n"
	"  to_timestamp(expires) AS expires,\n"
	"  CASE WHEN held_until > 0 THEN to_timestamp(held_until) END AS held_until, softwire\n"
	"  FROM ap_bindings WHERE origin = 'dynamic';\n"
	"CREATE VIEW ap_assignments AS SELECT ipv6, ipv4, ports, softwire, updated\n"
	"  FROM ap_bindings WHERE origin = 'operator';\n"
	"CREATE TABLE ap_changes (\n"
	"  seq bigserial PRIMARY KEY,\n"
	"  writer text NOT NULL,\n"
	"  ipv6 inet NOT NULL,\n"
	"  line text,\n"
	"  at timestamptz NOT NULL DEFAULT now());\n"
	"CREATE INDEX ap_changes_at ON ap_changes (at);\n"
	"CREATE TABLE ap_alloc_log (\n"
	"  id bigserial PRIMARY KEY,\n"
	"  at timestamptz NOT NULL,\n"
	"  event text NOT NULL,\n"
	"  ipv6 inet NOT NULL,\n"
	"  ipv4 inet NOT NULL,\n"
	"  ports text NOT NULL,\n"
	"  prr text NOT NULL);\n"
	"CREATE INDEX ap_alloc_log_ipv4 ON ap_alloc_log (ipv4, at);\n"
	/*
	 * batch: lines "+<TAB>entry" (an entry as reg_entry_format writes it:
	 * ipv6 ipv4 ports origin expires held_until softwire [nonce]),
	 * "-<TAB>ipv6", "L<TAB>unixtime<TAB>event<TAB>ipv6<TAB>ipv4<TAB>ports".
	 * Returns the SMAPs whose put lost the race, one a line; their log
	 * lines are dropped. A put that changes nothing (the same row, or a
	 * hold another PRR recorded already) writes nothing.
	 */
	"CREATE FUNCTION ap_apply(w text, batch text) RETURNS text LANGUAGE plpgsql AS $f$\n"
	"DECLARE l text; f text[]; lost text[] := '{}'; n int := 0; o ap_bindings%ROWTYPE;\n"
	"BEGIN\n"
	"  PERFORM pg_advisory_xact_lock(7316001);\n"
	"  FOREACH l IN ARRAY string_to_array(batch, E'\\n') LOOP\n"
	"    CONTINUE WHEN l = '';\n"
	"    f := string_to_array(l, E'\\t');\n"
	"    IF f[1] = 'L' THEN\n"
	"      CONTINUE WHEN f[4] = ANY(lost);\n"
	"      INSERT INTO ap_alloc_log (at, event, ipv6, ipv4, ports, prr)\n"
	"        VALUES (to_timestamp(f[2]::bigint), f[3], f[4]::inet, f[5]::inet, f[6], w);\n"
	"    ELSIF f[1] = '-' THEN\n"
	"      DELETE FROM ap_bindings WHERE ipv6 = f[2]::inet;\n"
	"      IF FOUND THEN\n"
	"        INSERT INTO ap_changes (writer, ipv6, line) VALUES (w, f[2]::inet, NULL);\n"
	"        n := n + 1;\n"
	"      END IF;\n"
	"    ELSE\n"
	"      SELECT * INTO o FROM ap_bindings WHERE ipv6 = f[2]::inet;\n"
	"      IF FOUND AND o.ipv4 = f[3]::inet AND o.ports = f[4] AND o.origin = f[5]\n"
	"         AND o.softwire = f[8]::int AND o.nonce IS NOT DISTINCT FROM f[9]\n"
	"         AND ((o.expires = f[6]::bigint AND o.held_until = f[7]::bigint)\n"
	"              OR (o.held_until <> 0 AND f[7]::bigint <> 0)) THEN\n"
	"        CONTINUE;\n"
	"      END IF;\n"
	"      -- the same registration (nonce) holds another set already, given by another PRR\n"
	"      IF FOUND AND o.origin = 'dynamic' AND f[5] = 'dynamic' AND o.held_until = 0\n"
	"         AND o.nonce = f[9] AND (o.ipv4 <> f[3]::inet OR o.ports <> f[4]) THEN\n"
	"        lost := lost || f[2];\n"
	"        CONTINUE;\n"
	"      END IF;\n"
	"      PERFORM 1 FROM ap_bindings WHERE ipv4 = f[3]::inet AND ports = f[4] AND ipv6 <> f[2]::inet;\n"
	"      IF FOUND THEN\n"
	"        lost := lost || f[2];\n"
	"        CONTINUE;\n"
	"      END IF;\n"
	"      INSERT INTO ap_bindings (ipv6, ipv4, ports, origin, expires, held_until, softwire, nonce)\n"
	"        VALUES (f[2]::inet, f[3]::inet, f[4], f[5], f[6]::bigint, f[7]::bigint, f[8]::int, f[9])\n"
	"        ON CONFLICT (ipv6) DO UPDATE SET ipv4 = EXCLUDED.ipv4, ports = EXCLUDED.ports,\n"
	"          origin = EXCLUDED.origin, expires = EXCLUDED.expires,\n"
	"          held_until = EXCLUDED.held_until, softwire = EXCLUDED.softwire,\n"
	"          nonce = EXCLUDED.nonce, updated = now();\n"
	"      INSERT INTO ap_changes (writer, ipv6, line) VALUES (w, f[2]::inet, substr(l, 3));\n"
	"      n := n + 1;\n"
	"    END IF;\n"
	"  END LOOP;\n"
	"  IF n > 0 THEN PERFORM pg_notify('ap_changes', w); END IF;\n"
	"  RETURN array_to_string(lost, E'\\n');\n"
	"END $f$;\n",
	/* 1 -> 2: ap_apply set-based (the same answers, about half the work) */
	/*
	 * A batch as a whole: its lines parsed once (ap_batch: the last change
	 * of each SMAP), the races lost found by one join, then one statement
	 * writes the rows, the change feed and the log. A batch whose SMAP
	 * takes a set that another SMAP of the same batch gives up (queued
	 * while the database was away), or one that breaks a constraint
	 * anyway, goes through version 1's one-line-at-a-time loop, kept as
	 * ap_apply_rows. Change lines are the rows as written (the PRR reads
	 * them as it reads refetched rows). The NOTIFY says "writer<TAB>first
	 * seq<TAB>last seq", then, if they fit in 7000 bytes, the changes, one
	 * a line ("-<TAB>ipv6" a delete): a PRR that has seen every change
	 * before the first applies them without a query (its own it skips).
	 */
	"ALTER FUNCTION ap_apply(text, text) RENAME TO ap_apply_rows;\n"
	"CREATE FUNCTION ap_batch(batch text)\n"
	"  RETURNS TABLE (o bigint, put boolean, ipv6 inet, ipv4 inet, ports text, origin text,\n"
	"                 expires bigint, held_until bigint, softwire int, nonce text)\n"
	"  LANGUAGE sql IMMUTABLE AS $b$\n"
	"  SELECT DISTINCT ON (f[2]::inet) u.o, f[1] = '+', f[2]::inet, f[3]::inet, f[4], f[5],\n"
	"         f[6]::bigint, f[7]::bigint, f[8]::int, f[9]\n"
	"    FROM unnest(string_to_array(batch, E'\\n')) WITH ORDINALITY u(t, o),\n"
	"         LATERAL (SELECT string_to_array(u.t, E'\\t') AS f OFFSET 0) s\n"
	"   WHERE f[1] IN ('+', '-')\n"
	"   ORDER BY f[2]::inet, u.o DESC\n"
	"$b$;\n"
	"CREATE FUNCTION ap_apply(w text, batch text) RETURNS text LANGUAGE plpgsql AS $f$\n"
	"DECLARE lost inet[]; mixed boolean; n bigint; lo bigint; hi bigint; lines text;\n"
	"BEGIN\n"
	"  PERFORM pg_advisory_xact_lock(7316001);\n"
	"  BEGIN\n"
	"    WITH b AS MATERIALIZED (SELECT * FROM ap_batch(batch))\n"
	"    SELECT coalesce(array_agg(p.ipv6) FILTER (WHERE\n"
	"             (o.origin = 'dynamic' AND p.origin = 'dynamic' AND o.held_until = 0 AND o.nonce = p.nonce\n"
	"              AND (o.ipv4 <> p.ipv4 OR o.ports <> p.ports)) OR h.ipv6 IS NOT NULL), '{}'),\n"
	"           coalesce(bool_or(h.ipv6 IN (SELECT ipv6 FROM b)), false)\n"
	"      INTO lost, mixed\n"
	"      FROM b p LEFT JOIN ap_bindings o ON o.ipv6 = p.ipv6\n"
	"               LEFT JOIN ap_bindings h ON h.ipv4 = p.ipv4 AND h.ports = p.ports AND h.ipv6 <> p.ipv6\n"
	"     WHERE p.put;\n"
	"    IF mixed THEN\n"
	"      RETURN ap_apply_rows(w, batch);\n"
	"    END IF;\n"
	"    WITH b AS MATERIALIZED (SELECT * FROM ap_batch(batch) WHERE NOT ipv6 = ANY(lost)),\n"
	"    gone AS (DELETE FROM ap_bindings d USING b WHERE NOT b.put AND d.ipv6 = b.ipv6\n"
	"             RETURNING d.ipv6, NULL::text AS line),\n"
	"    up AS (INSERT INTO ap_bindings (ipv6, ipv4, ports, origin, expires, held_until, softwire, nonce)\n"
	"           SELECT b.ipv6, b.ipv4, b.ports, b.origin, b.expires, b.held_until, b.softwire, b.nonce\n"
	"             FROM b LEFT JOIN ap_bindings o ON o.ipv6 = b.ipv6\n"
	"            WHERE b.put AND NOT coalesce(o.ipv4 = b.ipv4 AND o.ports = b.ports AND o.origin = b.origin\n"
	"                  AND o.softwire = b.softwire AND o.nonce IS NOT DISTINCT FROM b.nonce\n"
	"                  AND ((o.expires = b.expires AND o.held_until = b.held_until)\n"
	"                       OR (o.held_until <> 0 AND b.held_until <> 0)), false)\n"
	"           ON CONFLICT (ipv6) DO UPDATE SET ipv4 = EXCLUDED.ipv4, ports = EXCLUDED.ports,\n"
	"             origin = EXCLUDED.origin, expires = EXCLUDED.expires,\n"
	"             held_until = EXCLUDED.held_until, softwire = EXCLUDED.softwire,\n"
	"             nonce = EXCLUDED.nonce, updated = now()\n"
	"           RETURNING ipv6, concat_ws(E'\\t', host(ipv6), host(ipv4), ports, origin, expires,\n"
	"                                     held_until, softwire, nonce) AS line),\n"
	"    ch AS (INSERT INTO ap_changes (writer, ipv6, line)\n"
	"           SELECT w, ipv6, line FROM gone UNION ALL SELECT w, ipv6, line FROM up\n"
	"           RETURNING seq, ipv6, line),\n"
	"    lg AS (INSERT INTO ap_alloc_log (at, event, ipv6, ipv4, ports, prr)\n"
	"           SELECT to_timestamp(f[2]::bigint), f[3], f[4]::inet, f[5]::inet, f[6], w\n"
	"             FROM unnest(string_to_array(batch, E'\\n')) WITH ORDINALITY u(t, o),\n"
	"                  LATERAL (SELECT string_to_array(u.t, E'\\t') AS f OFFSET 0) s\n"
	"            WHERE f[1] = 'L' AND NOT f[4]::inet = ANY(lost) ORDER BY u.o)\n"
	"    SELECT count(*), min(seq), max(seq),\n"
	"           string_agg(coalesce(line, '-' || E'\\t' || host(ipv6)), E'\\n' ORDER BY seq)\n"
	"      INTO n, lo, hi, lines FROM ch;\n"
	"  EXCEPTION WHEN unique_violation OR cardinality_violation THEN\n"
	"    RETURN ap_apply_rows(w, batch);\n"
	"  END;\n"
	"  IF n > 0 THEN\n"
	"    PERFORM pg_notify('ap_changes', w || E'\\t' || lo || E'\\t' || hi ||\n"
	"                      CASE WHEN length(lines) < 7000 THEN E'\\n' || lines ELSE '' END);\n"
	"  END IF;\n"
	"  RETURN array_to_string(ARRAY(SELECT host(x) FROM unnest(lost) x), E'\\n');\n"
	"END $f$;\n",
	/* 2 -> 3: a put whose port set overlaps another SMAP's on the same address loses */
	/*
	 * Version 2 refused only an equal (ipv4, ports): two operators'
	 * overlapping sets (1000-1999 and 1500-2499) on two PRRs at once,
	 * or an assignment over a set registered through another PRR, both
	 * went in. ap_ports reads a port set's text (portset_format's
	 * "MIN-MAX" or "psid P/K offset A", prrctl's "PORT" and
	 * "psid=P/K[,offset=A]") as the ports it holds, an int4multirange
	 * (a PSID set is one range per block, RFC 7597 5.1). ap_clash finds
	 * the rows of other SMAPs on the address that share a port with a
	 * set: an equal text, or a set of another shape (ap_shape: what
	 * follows the PSID, "-" for a range or another spelling), or two
	 * sets of shape "-", whose ports are compared. Two PSID sets of one shape share a port only if equal,
	 * so a registration (the pool's shape) compares no ports unless
	 * the address holds an operator's set of another shape: an index
	 * on (ipv4, shape) finds those. No exclusion constraint: GiST keeps
	 * a multirange as its bounds, and a PSID set's reach from its first
	 * block to its last, so every insert rechecked every row of its
	 * address (0.9 ms a batch row on 80,000 rows, against 25 us). A version-2
	 * table that holds overlapping sets is not migrated: the error
	 * names them.
	 */
	"CREATE FUNCTION ap_ports(p text) RETURNS int4multirange\n"
	"  LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $f$\n"
	"DECLARE m text[]; a int; k int; v int; r int4range[] := '{}';\n"
	"BEGIN\n"
	"  m := regexp_match(p, '^(\\d{1,5})(?:-(\\d{1,5}))?$');\n"
	"  IF m IS NOT NULL THEN\n"
	"    RETURN int4multirange(int4range(m[1]::int, coalesce(m[2], m[1])::int, '[]'));\n"
	"  END IF;\n"
	"  m := regexp_match(p, '^psid[ =]\\s*(\\d{1,5})/(\\d{1,2})(?:\\s*[ ,]\\s*offset[ =]\\s*(\\d{1,2}))?\\s*$');\n"
	"  a := coalesce(m[3], '0')::int; k := m[2]::int; v := m[1]::int;\n"
	"  IF m IS NULL OR a > 15 OR a + k > 16 OR v >= 1 << k THEN\n"
	"    RAISE EXCEPTION 'ap_ports: ''%'' is not a port set', p;\n"
	"  END IF;\n"
	"  FOR b IN CASE WHEN a > 0 THEN 1 ELSE 0 END .. (1 << a) - 1 LOOP\n"
	"    r := r || int4range((b << (16 - a)) + (v << (16 - a - k)),\n"
	"                        (b << (16 - a)) + ((v + 1) << (16 - a - k)));\n"
	"  END LOOP;\n"
	"  RETURN int4multirange(VARIADIC r);\n"
	"END $f$;\n"
	/*
	 * Only portset_format's PSID text has a shape: another spelling of
	 * a PSID set ("psid=5/8") counts as "-" and has its ports compared
	 */
	"CREATE FUNCTION ap_shape(p text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS\n"
	"  $f$ SELECT CASE WHEN p ~ '^psid (0|[1-9][0-9]*)/[0-9]+ offset [0-9]+$'\n"
	"                  THEN substr(p, strpos(p, '/')) ELSE '-' END $f$;\n"
	/* ap_shape's body, not a call: a generated column's SQL function runs uninlined, per row */
	"ALTER TABLE ap_bindings ADD COLUMN shape text GENERATED ALWAYS AS\n"
	"  (CASE WHEN ports ~ '^psid (0|[1-9][0-9]*)/[0-9]+ offset [0-9]+$'\n"
	"        THEN substr(ports, strpos(ports, '/')) ELSE '-' END) STORED;\n"
	"CREATE INDEX ap_bindings_shape ON ap_bindings (ipv4, shape);\n"
	"CREATE FUNCTION ap_clash(a inet, s inet, p text) RETURNS SETOF inet LANGUAGE sql STABLE AS $f$\n"
	"  SELECT ipv6 FROM ap_bindings WHERE ipv4 = a AND ports = p AND ipv6 <> s\n"
	"  UNION ALL\n"
	"  SELECT ipv6 FROM ap_bindings WHERE ipv4 = a AND shape < ap_shape(p) AND ipv6 <> s\n"
	"                                AND ap_ports(ports) && ap_ports(p)\n"
	"  UNION ALL\n"
	"  SELECT ipv6 FROM ap_bindings WHERE ipv4 = a AND shape > ap_shape(p) AND ipv6 <> s\n"
	"                                AND ap_ports(ports) && ap_ports(p)\n"
	"  UNION ALL\n"
	"  SELECT ipv6 FROM ap_bindings WHERE ipv4 = a AND shape = '-' AND ap_shape(p) = '-' AND ipv6 <> s\n"
	"                                AND ap_ports(ports) && ap_ports(p)\n"
	"$f$;\n"
	"DO $d$\n"
	"DECLARE d text;\n"
	"BEGIN\n"
	"  SELECT string_agg(format('%s %s and %s %s on %s', host(x.ipv6), x.ports, host(y.ipv6), y.ports,\n"
	"                          host(x.ipv4)), '; ') INTO d\n"
	"    FROM (SELECT x.ipv6 AS a, c FROM ap_bindings x, LATERAL ap_clash(x.ipv4, x.ipv6, x.ports) c\n"
	"           WHERE x.ipv6 < c LIMIT 5) o\n"
	"    JOIN ap_bindings x ON x.ipv6 = o.a JOIN ap_bindings y ON y.ipv6 = o.c;\n"
	"  IF d IS NOT NULL THEN\n"
	"    RAISE EXCEPTION 'ap_bindings holds port sets that overlap: %', d\n"
	"      USING HINT = 'release one of them (prrctl release IPV6, or DELETE its row), then run prr --init-store again';\n"
	"  END IF;\n"
	"END $d$;\n"
	"CREATE OR REPLACE FUNCTION ap_apply_rows(w text, batch text) RETURNS text LANGUAGE plpgsql AS $f$\n"
	"DECLARE l text; f text[]; lost text[] := '{}'; n int := 0; o ap_bindings%ROWTYPE;\n"
	"BEGIN\n"
	"  PERFORM pg_advisory_xact_lock(7316001);\n"
	"  FOREACH l IN ARRAY string_to_array(batch, E'\\n') LOOP\n"
	"    CONTINUE WHEN l = '';\n"
	"    f := string_to_array(l, E'\\t');\n"
	"    IF f[1] = 'L' THEN\n"
	"      CONTINUE WHEN f[4] = ANY(lost);\n"
	"      INSERT INTO ap_alloc_log (at, event, ipv6, ipv4, ports, prr)\n"
	"        VALUES (to_timestamp(f[2]::bigint), f[3], f[4]::inet, f[5]::inet, f[6], w);\n"
	"    ELSIF f[1] = '-' THEN\n"
	"      DELETE FROM ap_bindings WHERE ipv6 = f[2]::inet;\n"
	"      IF FOUND THEN\n"
	"        INSERT INTO ap_changes (writer, ipv6, line) VALUES (w, f[2]::inet, NULL);\n"
	"        n := n + 1;\n"
	"      END IF;\n"
	"    ELSE\n"
	"      SELECT * INTO o FROM ap_bindings WHERE ipv6 = f[2]::inet;\n"
	"      IF FOUND AND o.ipv4 = f[3]::inet AND o.ports = f[4] AND o.origin = f[5]\n"
	"         AND o.softwire = f[8]::int AND o.nonce IS NOT DISTINCT FROM f[9]\n"
	"         AND ((o.expires = f[6]::bigint AND o.held_until = f[7]::bigint)\n"
	"              OR (o.held_until <> 0 AND f[7]::bigint <> 0)) THEN\n"
	"        CONTINUE;\n"
	"      END IF;\n"
	"      IF FOUND AND o.origin = 'dynamic' AND f[5] = 'dynamic' AND o.held_until = 0\n"
	"         AND o.nonce = f[9] AND (o.ipv4 <> f[3]::inet OR o.ports <> f[4]) THEN\n"
	"        lost := lost || f[2];\n"
	"        CONTINUE;\n"
	"      END IF;\n"
	"      -- another SMAP holds some of these ports on this address\n"
	"      PERFORM 1 FROM ap_clash(f[3]::inet, f[2]::inet, f[4]);\n"
	"      IF FOUND THEN\n"
	"        lost := lost || f[2];\n"
	"        CONTINUE;\n"
	"      END IF;\n"
	"      INSERT INTO ap_bindings (ipv6, ipv4, ports, origin, expires, held_until, softwire, nonce)\n"
	"        VALUES (f[2]::inet, f[3]::inet, f[4], f[5], f[6]::bigint, f[7]::bigint, f[8]::int, f[9])\n"
	"        ON CONFLICT (ipv6) DO UPDATE SET ipv4 = EXCLUDED.ipv4, ports = EXCLUDED.ports,\n"
	"          origin = EXCLUDED.origin, expires = EXCLUDED.expires,\n"
	"          held_until = EXCLUDED.held_until, softwire = EXCLUDED.softwire,\n"
	"          nonce = EXCLUDED.nonce, updated = now();\n"
	"      INSERT INTO ap_changes (writer, ipv6, line) VALUES (w, f[2]::inet, substr(l, 3));\n"
	"      n := n + 1;\n"
	"    END IF;\n"
	"  END LOOP;\n"
	"  IF n > 0 THEN PERFORM pg_notify('ap_changes', w); END IF;\n"
	"  RETURN array_to_string(lost, E'\\n');\n"
	"END $f$;\n"
	"CREATE OR REPLACE FUNCTION ap_apply(w text, batch text) RETURNS text LANGUAGE plpgsql AS $f$\n"
	"DECLARE lost inet[]; mixed boolean; n bigint; lo bigint; hi bigint; lines text;\n"
	"BEGIN\n"
	"  PERFORM pg_advisory_xact_lock(7316001);\n"
	"  BEGIN\n"
	/*
	 * Holders: an equal set (one join, as version 2), and ap_clash only
	 * for the batch's (address, shape) pairs whose address holds a set
	 * of another shape or a range (two index probes per pair): a batch
	 * of registrations compares no ports. mixed: a holder in the batch
	 * too, or two puts of a batch of several shapes that share a port.
	 */
	"    WITH b AS MATERIALIZED (SELECT *, ap_shape(ports) AS shape FROM ap_batch(batch)),\n"
	"    s AS MATERIALIZED (SELECT DISTINCT ipv4, shape FROM b WHERE put),\n"
	"    odd AS MATERIALIZED (SELECT ipv4, shape FROM s WHERE\n"
	"              EXISTS (SELECT 1 FROM ap_bindings x WHERE x.ipv4 = s.ipv4 AND x.shape < s.shape)\n"
	"           OR EXISTS (SELECT 1 FROM ap_bindings x WHERE x.ipv4 = s.ipv4 AND x.shape > s.shape)\n"
	"           OR (s.shape = '-' AND EXISTS (SELECT 1 FROM ap_bindings x WHERE x.ipv4 = s.ipv4 AND x.shape = '-'))),\n"
	"    h AS MATERIALIZED (SELECT p.ipv6 AS p6, x.ipv6 AS h6 FROM b p\n"
	"            JOIN ap_bindings x ON x.ipv4 = p.ipv4 AND x.ports = p.ports AND x.ipv6 <> p.ipv6 WHERE p.put\n"
	"          UNION ALL\n"
	"          SELECT p.ipv6, c FROM b p JOIN odd USING (ipv4, shape),\n"
	"                 LATERAL ap_clash(p.ipv4, p.ipv6, p.ports) c WHERE p.put)\n"
	"    SELECT coalesce(array_agg(DISTINCT p.ipv6) FILTER (WHERE\n"
	"             (o.origin = 'dynamic' AND p.origin = 'dynamic' AND o.held_until = 0 AND o.nonce = p.nonce\n"
	"              AND (o.ipv4 <> p.ipv4 OR o.ports <> p.ports)) OR h.h6 IS NOT NULL), '{}'),\n"
	"           coalesce(bool_or(h.h6 IN (SELECT ipv6 FROM b)), false) OR (\n"
	"             ((SELECT count(DISTINCT shape) FROM b WHERE put) > 1 OR EXISTS (SELECT 1 FROM b WHERE put AND shape = '-'))\n"
	"             AND EXISTS (SELECT 1 FROM b x JOIN b y ON y.ipv4 = x.ipv4 AND y.ipv6 <> x.ipv6\n"
	"                          WHERE x.put AND y.put AND (x.ports = y.ports OR\n"
	"                                ((x.shape <> y.shape OR x.shape = '-') AND ap_ports(x.ports) && ap_ports(y.ports)))))\n"
	"      INTO lost, mixed\n"
	"      FROM b p LEFT JOIN ap_bindings o ON o.ipv6 = p.ipv6\n"
	"               LEFT JOIN h ON h.p6 = p.ipv6\n"
	"     WHERE p.put;\n"
	"    IF mixed THEN\n"
	"      RETURN ap_apply_rows(w, batch);\n"
	"    END IF;\n"
	"    WITH b AS MATERIALIZED (SELECT * FROM ap_batch(batch) WHERE NOT ipv6 = ANY(lost)),\n"
	"    gone AS (DELETE FROM ap_bindings d USING b WHERE NOT b.put AND d.ipv6 = b.ipv6\n"
	"             RETURNING d.ipv6, NULL::text AS line),\n"
	"    up AS (INSERT INTO ap_bindings (ipv6, ipv4, ports, origin, expires, held_until, softwire, nonce)\n"
	"           SELECT b.ipv6, b.ipv4, b.ports, b.origin, b.expires, b.held_until, b.softwire, b.nonce\n"
	"             FROM b LEFT JOIN ap_bindings o ON o.ipv6 = b.ipv6\n"
	"            WHERE b.put AND NOT coalesce(o.ipv4 = b.ipv4 AND o.ports = b.ports AND o.origin = b.origin\n"
	"                  AND o.softwire = b.softwire AND o.nonce IS NOT DISTINCT FROM b.nonce\n"
	"                  AND ((o.expires = b.expires AND o.held_until = b.held_until)\n"
	"                       OR (o.held_until <> 0 AND b.held_until <> 0)), false)\n"
	"           ON CONFLICT (ipv6) DO UPDATE SET ipv4 = EXCLUDED.ipv4, ports = EXCLUDED.ports,\n"
	"             origin = EXCLUDED.origin, expires = EXCLUDED.expires,\n"
	"             held_until = EXCLUDED.held_until, softwire = EXCLUDED.softwire,\n"
	"             nonce = EXCLUDED.nonce, updated = now()\n"
	"           RETURNING ipv6, concat_ws(E'\\t', host(ipv6), host(ipv4), ports, origin, expires,\n"
	"                                     held_until, softwire, nonce) AS line),\n"
	"    ch AS (INSERT INTO ap_changes (writer, ipv6, line)\n"
	"           SELECT w, ipv6, line FROM gone UNION ALL SELECT w, ipv6, line FROM up\n"
	"           RETURNING seq, ipv6, line),\n"
	"    lg AS (INSERT INTO ap_alloc_log (at, event, ipv6, ipv4, ports, prr)\n"
	"           SELECT to_timestamp(f[2]::bigint), f[3], f[4]::inet, f[5]::inet, f[6], w\n"
	"             FROM unnest(string_to_array(batch, E'\\n')) WITH ORDINALITY u(t, o),\n"
	"                  LATERAL (SELECT string_to_array(u.t, E'\\t') AS f OFFSET 0) s\n"
	"            WHERE f[1] = 'L' AND NOT f[4]::inet = ANY(lost) ORDER BY u.o)\n"
	"    SELECT count(*), min(seq), max(seq),\n"
	"           string_agg(coalesce(line, '-' || E'\\t' || host(ipv6)), E'\\n' ORDER BY seq)\n"
	"      INTO n, lo, hi, lines FROM ch;\n"
	"  EXCEPTION WHEN unique_violation OR cardinality_violation THEN\n"
	"    RETURN ap_apply_rows(w, batch);\n"
	"  END;\n"
	"  IF n > 0 THEN\n"
	"    PERFORM pg_notify('ap_changes', w || E'\\t' || lo || E'\\t' || hi ||\n"
	"                      CASE WHEN length(lines) < 7000 THEN E'\\n' || lines ELSE '' END);\n"
	"  END IF;\n"
	"  RETURN array_to_string(ARRAY(SELECT host(x) FROM unnest(lost) x), E'\\n');\n"
	"END $f$;\n",
};

unsigned
store_pg_schema_version(void)
{
	return (unsigned)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *
store_pg_migration(unsigned from)
{
	return from < store_pg_schema_version() ? migrations[from] : NULL;
}
