/* SPDX-License-Identifier: MIT */
/*
 * Readiness for a service manager, the sd_notify(3) protocol without
 * libsystemd: one datagram to the unix socket named by $NOTIFY_SOCKET
 * (a path, or "@name" for the abstract namespace). Without the variable
 * (not started by systemd with Type=notify) nothing is sent.
 *
 *	notify("READY=1");		after the daemon serves
 *	notify("RELOADING=1");		at SIGHUP, then READY=1 again
 *	notify("STOPPING=1");		at SIGTERM
 */
#ifndef AP_NOTIFY_H
#define AP_NOTIFY_H

/* 0 sent or no $NOTIFY_SOCKET; -1 and errno when it could not be sent. */
int notify(const char *state);

#endif
