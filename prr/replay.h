/* SPDX-License-Identifier: MIT */
/*
 * prr replay: run captured traffic through the data path, offline.
 * The same prr_from_inet/prr_from_smap code as the NFQUEUE workers, fed
 * from pcap files instead of NFQUEUE; what the router would send on each
 * side is written to pcap files.
 */
#ifndef PRR_REPLAY_H
#define PRR_REPLAY_H

/* `prr replay ...`: argv[0] is "replay". Returns the exit status. */
int replay_main(int argc, char **argv);

#endif
