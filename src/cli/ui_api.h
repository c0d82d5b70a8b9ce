/*
 * ui_api.h — the JSON API behind `infersim ui`: the same library calls the CLI makes,
 * one request in, one JSON document out, no sockets (cmd_ui.c serves them over HTTP, and
 * the tests and the fuzzer call them directly).
 *
 *   GET  /api/models    the model presets: name, architecture, parameters, KV bytes per token
 *   GET  /api/systems   the system presets: name, class, chip, memory, bandwidth, peaks
 *   POST /api/predict   a deployment and workload -> exactly `infersim predict --json`
 *   POST /api/sweep     the same deployment over batches 1, 2, 4, ... up to the largest that
 *                       fits -> per-user speed against throughput (the interactivity frontier)
 *   POST /api/search    a design-space search -> the frontier and the top N of `search --json`
 *                       ("model", "systems": "a,b", and the CLI's flags as strings: "chips":
 *                       "1..16:x2", "batch", "isl", "osl", "weights", "kv", "objective",
 *                       "pareto_x", "pareto_y", "top"; "ttft_max_s", "tpot_max_s" as numbers;
 *                       at most 10^6 combinations per request)
 *
 * A predict or sweep request body is a JSON object: "model" (a preset name) or "config" (a config.json
 * object); "system" (a preset name) or "system_yaml" (a system file's text); and, each
 * optional, "chips", "tp", "pp", "ep", "dp", "batch" (a number or "max"), "isl", "osl",
 * "weights", "kv", "site".  Nothing outside the presets is read from disk.
 */
#ifndef INFERSIM_UI_API_H
#define INFERSIM_UI_API_H

#include <stddef.h>

/* Largest request body accepted (bytes): a config.json or a system file fits easily. */
#define UI_API_MAX_BODY (1u << 20)

/* Answer one request: method "GET" or "POST", path "/api/...", body (may be NULL for GET).
 * Returns the HTTP status (200, 400, 404, 405, 413, 422 for a deployment that does not fit
 * is still 200 with "fits": false; 500 when memory ran out) and sets *out to a malloc'd
 * JSON text (an object with "error" for a status other than 200). */
int ui_api(const char *method, const char *path, const char *body, size_t len, char **out);

#endif
