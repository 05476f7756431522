// SPDX-License-Identifier: GPL-2.0
/* Choosing a backend: by name, or the module when its device is there. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"

const struct backend *backend_by_name(const char *name, char *err, size_t errlen)
{
	if (!name || !strcmp(name, "auto"))
		return access(QPWBENCH_DEVICE, F_OK) ? &backend_user : &backend_kmod;
	if (!strcmp(name, backend_user.name))
		return &backend_user;
	if (!strcmp(name, backend_kmod.name))
		return &backend_kmod;
	snprintf(err, errlen, "unknown backend '%s' (user, kmod or auto)", name);
	return NULL;
}
