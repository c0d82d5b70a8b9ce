/*
 * site_yaml.h — read a site file (docs/site-format.md) into a site_t.
 */
#ifndef INFERSIM_SITE_YAML_H
#define INFERSIM_SITE_YAML_H

#include "../core/diag.h"
#include "../core/site.h"

#include <stddef.h>

status_t site_load(const char *path, site_t *s, diag_t *d);
status_t site_load_buffer(const char *buf, size_t len, const char *path, site_t *s, diag_t *d);

#endif
