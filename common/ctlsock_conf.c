/* SPDX-License-Identifier: MIT */
/* control_group and control_allow: see ctlsock_conf.h. */
#include <grp.h>
#include <string.h>
#include <unistd.h>

#include "ctlsock_conf.h"

void
conf_ctl_access(struct conf_err *e, const config_setting_t *root, struct ctl_access *a)
{
	const config_setting_t *list;
	const char *s;
	char msg[160];

	memset(a, 0, sizeof(*a));
	if (conf_str(e, root, "control_group", &s)) {
		const struct group *gr = getgrnam(s);

		if (!gr) {
			conf_errf(e, root, "control_group", "no group '%s'", s);
		} else {
			a->has_group = true;
			a->group = gr->gr_gid;
		}
	}
	list = config_setting_get_member(root, "control_allow");
	if (!list) {
		ctl_access_default(a, a->has_group ? a->group : getegid());
		return;
	}
	if (!config_setting_is_array(list) && !config_setting_is_list(list)) {
		conf_errf(e, root, "control_allow", "expected a list of strings");
		return;
	}
	for (int i = 0; i < config_setting_length(list); i++) {
		const config_setting_t *el = config_setting_get_elem(list, (unsigned)i);
		const char *v = config_setting_get_string(el);

		if (!v)
			conf_errf(e, el, NULL, "expected a string");
		else if (!ctl_access_add(a, v, msg, sizeof(msg)))
			conf_errf(e, el, NULL, "%s", msg);
	}
}
