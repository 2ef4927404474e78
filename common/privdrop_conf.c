/* SPDX-License-Identifier: MIT */
/* user and seccomp: see privdrop_conf.h. */
#include <stdio.h>
#include <string.h>

#include "privdrop_conf.h"

void
conf_privdrop(struct conf_err *e, const config_setting_t *root, struct privdrop_conf *p)
{
	const char *s;

	memset(p, 0, sizeof(*p));
	/* the name only: it is looked up at start (privdrop), not by -n */
	if (conf_str(e, root, "user", &s)) {
		if (strlen(s) >= sizeof(p->user))
			conf_errf(e, root, "user", "name longer than %zu", sizeof(p->user) - 1);
		else
			snprintf(p->user, sizeof(p->user), "%s", s);
	}
	if (conf_str(e, root, "seccomp", &s) && !privdrop_seccomp_parse(s, &p->seccomp))
		conf_errf(e, root, "seccomp", "'%s' is not one of errno, kill, off", s);
}
