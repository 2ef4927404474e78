/* SPDX-License-Identifier: MIT */
/* Privilege drop: see privdrop.h. */
#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privdrop.h"

static const char *const seccomp_names[] = {
	[PRIVDROP_SECCOMP_ERRNO] = "errno",
	[PRIVDROP_SECCOMP_KILL] = "kill",
	[PRIVDROP_SECCOMP_OFF] = "off",
};

bool
privdrop_seccomp_parse(const char *s, enum privdrop_seccomp *out)
{
	for (unsigned i = 0; i < sizeof(seccomp_names) / sizeof(seccomp_names[0]); i++)
		if (strcmp(s, seccomp_names[i]) == 0) {
			*out = (enum privdrop_seccomp)i;
			return true;
		}
	return false;
}

const char *
privdrop_seccomp_name(enum privdrop_seccomp m)
{
	return seccomp_names[m];
}

uint64_t
privdrop_cap_mask(const int *caps)
{
	uint64_t m = 0;

	for (; *caps >= 0; caps++)
		m |= 1ULL << *caps;
	return m;
}

bool
privdrop_ids(const struct privdrop_conf *c, uid_t *uid, gid_t *gid)
{
	const struct passwd *pw = c->user[0] && geteuid() == 0 ? getpwnam(c->user) : NULL;

	*uid = pw ? pw->pw_uid : (uid_t)-1;
	*gid = pw ? pw->pw_gid : (gid_t)-1;
	return pw != NULL;
}

/* The identity: groups, gid, uid; the kept capabilities stay permitted. */
static int
change_id(const char *user, char *err, size_t errlen)
{
	const struct passwd *pw = getpwnam(user);
	uid_t uid;
	gid_t gid;

	if (!pw) {
		snprintf(err, errlen, "no user '%s'", user);
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		snprintf(err, errlen, "user '%s' is root", user);
		return -1;
	}
	/* the bounding set first, while we still hold CAP_SETPCAP */
	if (capng_apply(CAPNG_SELECT_BOUNDS) < 0) {
		snprintf(err, errlen, "cannot narrow the capability bounding set");
		return -1;
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setgroups(0, NULL) < 0 ||
	    setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0 ||
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot become user %s: %s", user, strerror(errno));
		return -1;
	}
	/* paranoia: no way back */
	if (setuid(0) == 0) {
		snprintf(err, errlen, "still able to become root after the drop");
		return -1;
	}
	return 0;
}

/* Already exactly these (a service manager gave them)? Then no capset,
 * which its own syscall filter may refuse (systemd's @privileged). */
static bool
caps_are(uint64_t want)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	for (int i = 0; i < 64; i++)
		if ((prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0, 0) == 1) != !!(want >> i & 1))
			return false;
	return ((uint64_t)d[1].effective << 32 | d[0].effective) == want &&
	       ((uint64_t)d[1].permitted << 32 | d[0].permitted) == want &&
	       ((uint64_t)d[1].inheritable << 32 | d[0].inheritable) == want;
}

static int
keep_caps(const int *caps, char *err, size_t errlen)
{
	if (caps_are(privdrop_cap_mask(caps)))
		return 0;
	if (capng_apply(CAPNG_SELECT_CAPS) < 0) {
		snprintf(err, errlen, "cannot set the capabilities");
		return -1;
	}
	/* ambient: a program we run (iptables) gets the same, no more */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		goto fail;
	for (; *caps >= 0; caps++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, *caps, 0, 0) < 0)
			goto fail;
	return 0;
fail:
	snprintf(err, errlen, "cannot set the ambient capabilities: %s", strerror(errno));
	return -1;
}

static int
load_filter(enum privdrop_seccomp mode, const char *const *const *lists, char *err,
	    size_t errlen)
{
	scmp_filter_ctx ctx;
	int rc = 0;

	ctx = seccomp_init(mode == PRIVDROP_SECCOMP_KILL ? SCMP_ACT_KILL_PROCESS
							 : SCMP_ACT_ERRNO(EPERM));
	if (!ctx) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	/* every thread, and the kernel logs what is refused */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1) < 0)
		rc = -1;
	for (; rc == 0 && *lists; lists++)
		for (const char *const *n = *lists; rc == 0 && *n; n++) {
			int nr = seccomp_syscall_resolve_name(*n);

			if (nr != __NR_SCMP_ERROR)	/* not on this architecture */
				rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		}
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc < 0)
		snprintf(err, errlen, "cannot load the seccomp filter: %s", strerror(-rc));
	return rc < 0 ? -1 : 0;
}

int
privdrop(const struct privdrop_conf *c, const int *caps, const char *const *const *syscalls,
	 char *err, size_t errlen)
{
	capng_clear(CAPNG_SELECT_BOTH);
	for (const int *p = caps; *p >= 0; p++)
		if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE |
				 CAPNG_BOUNDING_SET, (unsigned)*p) < 0) {
			snprintf(err, errlen, "unknown capability %d", *p);
			return -1;
		}
	if (c->user[0] && geteuid() == 0 && change_id(c->user, err, errlen) < 0)
		return -1;
	if (keep_caps(caps, err, errlen) < 0)
		return -1;
#if defined(__SANITIZE_ADDRESS__)
	/* LeakSanitizer's tracer attaches to us at exit: the uid change made us
	 * non-dumpable, which would leave it spinning. Sanitizer builds only. */
	prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	if (c->seccomp == PRIVDROP_SECCOMP_OFF)
		return 0;
	return load_filter(c->seccomp, syscalls, err, errlen);
}
