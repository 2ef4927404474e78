/* SPDX-License-Identifier: MIT */
/*
 * The control socket's keys, the same in prr.conf and smap.conf:
 *   control_group = "GROUP";            the socket file's group (default: the daemon's)
 *   control_allow = [ "USER", "@GROUP" ]; who may use it besides root
 *                                        (default: the socket's group)
 */
#ifndef AP_CTLSOCK_CONF_H
#define AP_CTLSOCK_CONF_H

#include "conf.h"
#include "ctlsock.h"

/* Read both keys from the config's root group into a (reset first). */
void conf_ctl_access(struct conf_err *, const config_setting_t *root, struct ctl_access *a);

#endif
