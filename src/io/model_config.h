/*
 * model_config.h — read a Hugging Face config.json into a model_t.
 *
 * Reads the file as published on the Hub: Llama 2/3.x, Mistral, Mixtral, Qwen2/2.5/3
 * (dense and MoE), Qwen2-MoE, DeepSeek-V2/V3/R1 (MLA + MoE), gpt-oss, Gemma 2/3
 * (incl. multimodal configs with a nested text_config), Phi-3.  An unknown
 * `architectures` value with the standard fields loads with a warning in `d`.
 *
 * Errors name the file, line, column and field and say what was expected.
 */
#ifndef INFERSIM_MODEL_CONFIG_H
#define INFERSIM_MODEL_CONFIG_H

#include "../core/diag.h"
#include "../core/model.h"

/* Parse `path` into *m (name = file stem).  Returns IS_OK, IS_ERR_IO or IS_ERR_INPUT
 * with `d` filled.  Warnings (assumptions made) are appended to d->warnings. */
status_t model_load(const char *path, model_t *m, diag_t *d);

/* Same from a buffer holding the JSON text; `path` only names it in messages. */
status_t model_load_buffer(const char *buf, size_t len, const char *path, model_t *m, diag_t *d);

#endif
