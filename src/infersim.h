/*
 * infersim.h — the public interface of libinfersim: one include for a program that builds
 * on the library (`#include <infersim/infersim.h>`, `pkg-config --cflags --libs infersim`).
 *
 * The CLI is a thin layer over these calls.  The usual path:
 *   catalog_resolve / model_load / system_load   presets or files -> model_t, system_t
 *   predict_req_default, predict_run            one deployment and workload -> predict_result_t
 *   cost_compute                                energy, TCO and carbon of a prediction
 *   search_run, serve_run, validate_run          design-space search, serving simulation,
 *                                                validation against measurements
 * Every fallible call returns a status_t and fills a diag_t (file, line, field, message);
 * the library never prints and never exits.  Presets are found under $INFERSIM_DATA, else
 * next to the program, else in the data folder this library was installed with.
 */
#ifndef INFERSIM_H
#define INFERSIM_H

#include "core/diag.h"
#include "core/model.h"
#include "core/precision.h"
#include "core/site.h"
#include "core/system.h"
#include "io/catalog.h"
#include "io/model_config.h"
#include "io/site_yaml.h"
#include "io/system_yaml.h"
#include "analysis/cost.h"
#include "analysis/predict.h"
#include "analysis/search.h"
#include "analysis/serve.h"
#include "analysis/validate.h"
#include "analysis/workload.h"

#include "version.h"

#endif
