/*
 * system_yaml.h — read a system file (YAML, see docs/system-format.md) into a system_t.
 *
 * Unknown keys are errors (with a near-match suggestion), values are range-checked,
 * and every error carries file, line, column and the field's path, e.g.
 *   data/systems/x.yaml:14:21: error: memory[0].bandwidth_GBps: expected a number > 0, got -5
 * Optional fields that affect performance get a documented default and a warning.
 */
#ifndef INFERSIM_SYSTEM_YAML_H
#define INFERSIM_SYSTEM_YAML_H

#include "../core/diag.h"
#include "../core/system.h"

status_t system_load(const char *path, system_t *s, diag_t *d);
status_t system_load_buffer(const char *buf, size_t len, const char *path, system_t *s, diag_t *d);

#endif
