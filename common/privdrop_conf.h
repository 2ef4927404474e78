/* SPDX-License-Identifier: MIT */
/*
 * The privilege keys, the same in prr.conf and smap.conf:
 *   user = "ap-prr";      run as this user after the setup ("" = stay)
 *   seccomp = "errno";    the syscall filter: "errno", "kill" or "off"
 */
#ifndef AP_PRIVDROP_CONF_H
#define AP_PRIVDROP_CONF_H

#include "conf.h"
#include "privdrop.h"

/* Read both keys from the config's root group into p (reset first). */
void conf_privdrop(struct conf_err *, const config_setting_t *root, struct privdrop_conf *p);

#endif
