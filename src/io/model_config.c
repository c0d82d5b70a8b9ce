/*
 * model_config.c — Hugging Face config.json -> model_t, with jansson.
 *
 * jansson reports syntax errors with line and column; for a field whose value
 * is wrong we find the key's position in the text ourselves (jansson's tree
 * keeps no positions), so every message points at the line to fix.
 */
#include "model_config.h"

#include "fileutil.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct ctx {
    const char *path;
    const char *buf;
    size_t len;
    size_t base;      /* offset where the object being read starts (text_config) */
    diag_t *d;
    const char *const (*alias)[2]; /* {Hugging Face name, this family's name} pairs, or NULL */
} ctx_t;

/* LLaDA (and OLMo-style configs) name the shapes their own way. */
static const char *const llada_alias[][2] = {
    {"hidden_size", "d_model"},         {"num_hidden_layers", "n_layers"},
    {"num_attention_heads", "n_heads"}, {"num_key_value_heads", "n_kv_heads"},
    {"intermediate_size", "mlp_hidden_size"}, {"max_position_embeddings", "max_sequence_length"},
    {"tie_word_embeddings", "weight_tying"}, {NULL, NULL},
};

/* The name a field has in this config: its family's alias when the Hugging Face name is absent. */
static const char *field_name(const ctx_t *c, json_t *obj, const char *key)
{
    if (!c->alias || json_object_get(obj, key))
        return key;
    for (int i = 0; c->alias[i][0]; i++)
        if (!strcmp(c->alias[i][0], key))
            return c->alias[i][1];
    return key;
}

/* Position (1-based line/column) of `"key"` used as a key at or after ctx->base. */
static void key_pos(const ctx_t *c, const char *key, int *line, int *col)
{
    char pat[160];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    size_t pl = strlen(pat);
    *line = 0;
    *col = 0;
    for (size_t i = c->base; i + pl <= c->len; i++) {
        if (memcmp(c->buf + i, pat, pl) != 0)
            continue;
        size_t j = i + pl;
        while (j < c->len && (c->buf[j] == ' ' || c->buf[j] == '\t' || c->buf[j] == '\n' || c->buf[j] == '\r'))
            j++;
        if (j < c->len && c->buf[j] == ':') {
            int l = 1, col0 = 1;
            for (size_t k = 0; k < i; k++) {
                if (c->buf[k] == '\n') {
                    l++;
                    col0 = 1;
                } else {
                    col0++;
                }
            }
            *line = l;
            *col = col0;
            return;
        }
    }
}

/* First occurrence of the string pat in the first len bytes of buf, or NULL. */
static const char *find_in(const char *buf, size_t len, const char *pat)
{
    size_t n = strlen(pat);
    for (size_t i = 0; i + n <= len; i++)
        if (!memcmp(buf + i, pat, n))
            return buf + i;
    return NULL;
}

static status_t field_error(const ctx_t *c, const char *key, const char *fmt, const char *detail)
{
    int line, col;
    key_pos(c, key, &line, &col);
    diag_error(c->d, c->path, line, col, key, fmt, detail);
    if (line > 0)
        diag_set_source_line(c->d, c->buf, c->len, line);
    return IS_ERR_INPUT;
}

/* Read an integer field.  required: error when absent; otherwise *out = dflt.
 * min: smallest accepted value. */
static status_t get_int(const ctx_t *c, json_t *obj, const char *key, int required, long dflt,
                        long min, int *out)
{
    key = field_name(c, obj, key);
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required) {
            diag_error(c->d, c->path, 0, 0, key, "missing field \"%s\" (an integer >= %ld)", key, min);
            return IS_ERR_INPUT;
        }
        *out = (int)dflt;
        return IS_OK;
    }
    double x;
    if (json_is_integer(v))
        x = (double)json_integer_value(v);
    else if (json_is_real(v) && floor(json_real_value(v)) == json_real_value(v))
        x = json_real_value(v);
    else
        return field_error(c, key, "expected an integer%s", "");
    if (x < (double)min || x > 2147483647.0) {
        char why[96];
        snprintf(why, sizeof why, " >= %ld, got %.17g", min, x);
        return field_error(c, key, "expected an integer%s", why);
    }
    *out = (int)x;
    return IS_OK;
}

static int get_bool(json_t *obj, const char *key, int dflt)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return dflt;
    if (json_is_boolean(v))
        return json_is_true(v);
    return dflt;
}

static const char *get_str(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Families infersim knows by architectures[0] or model_type. */
typedef enum family {
    FAM_LLAMA, FAM_MISTRAL, FAM_MIXTRAL, FAM_QWEN2, FAM_QWEN2_MOE, FAM_QWEN3, FAM_QWEN3_MOE,
    FAM_DEEPSEEK, FAM_GPT_OSS, FAM_GEMMA, FAM_GEMMA2, FAM_GEMMA3, FAM_PHI3, FAM_LLADA, FAM_UNKNOWN
} family_t;

static const struct { const char *prefix; family_t fam; } arch_table[] = {
    {"LlamaFor", FAM_LLAMA},        {"MistralFor", FAM_MISTRAL},   {"MixtralFor", FAM_MIXTRAL},
    {"Qwen2MoeFor", FAM_QWEN2_MOE}, {"Qwen2For", FAM_QWEN2},       {"Qwen3MoeFor", FAM_QWEN3_MOE},
    {"Qwen3For", FAM_QWEN3},        {"DeepseekV2For", FAM_DEEPSEEK}, {"DeepseekV3For", FAM_DEEPSEEK},
    {"GptOssFor", FAM_GPT_OSS},     {"Gemma3For", FAM_GEMMA3},     {"Gemma3ForConditional", FAM_GEMMA3},
    {"Gemma2For", FAM_GEMMA2},      {"GemmaFor", FAM_GEMMA},       {"Phi3For", FAM_PHI3},
    {"LLaDAModel", FAM_LLADA},
};
static const struct { const char *type; family_t fam; } type_table[] = {
    {"llama", FAM_LLAMA},      {"mistral", FAM_MISTRAL},   {"mixtral", FAM_MIXTRAL},
    {"qwen2", FAM_QWEN2},      {"qwen2_moe", FAM_QWEN2_MOE}, {"qwen3", FAM_QWEN3},
    {"qwen3_moe", FAM_QWEN3_MOE}, {"deepseek_v2", FAM_DEEPSEEK}, {"deepseek_v3", FAM_DEEPSEEK},
    {"gpt_oss", FAM_GPT_OSS},  {"gemma", FAM_GEMMA},       {"gemma2", FAM_GEMMA2},
    {"gemma3", FAM_GEMMA3},    {"gemma3_text", FAM_GEMMA3}, {"phi3", FAM_PHI3},
    {"llada", FAM_LLADA},
};

static family_t find_family(const char *arch, const char *type)
{
    if (arch)
        for (size_t i = 0; i < sizeof arch_table / sizeof arch_table[0]; i++)
            if (strncmp(arch, arch_table[i].prefix, strlen(arch_table[i].prefix)) == 0)
                return arch_table[i].fam;
    if (type)
        for (size_t i = 0; i < sizeof type_table / sizeof type_table[0]; i++)
            if (strcmp(type, type_table[i].type) == 0)
                return type_table[i].fam;
    return FAM_UNKNOWN;
}

/* Published weight format from torch_dtype/dtype and quantization_config. */
static void native_formats(json_t *root, json_t *cfg, model_t *m, diag_t *d)
{
    const char *dt = get_str(cfg, "torch_dtype");
    if (!dt) dt = get_str(cfg, "dtype");
    if (!dt) dt = get_str(root, "torch_dtype");
    if (!dt || precision_parse(dt, &m->native_weights) != 0)
        precision_parse("bf16", &m->native_weights);
    m->native_experts = m->native_weights;
    json_t *q = json_object_get(root, "quantization_config");
    if (!json_is_object(q))
        q = json_object_get(cfg, "quantization_config");
    if (!json_is_object(q))
        return;
    const char *meth = get_str(q, "quant_method");
    if (!meth)
        return;
    if (strcasecmp(meth, "fp8") == 0) {
        precision_parse("fp8", &m->native_weights);
        m->native_experts = m->native_weights;
    } else if (strcasecmp(meth, "mxfp4") == 0) {
        /* gpt-oss: experts in MXFP4, attention/router/embeddings kept in bf16 */
        precision_parse("mxfp4", &m->native_experts);
    } else {
        diag_warn(d, "quantization_config.quant_method \"%s\" is not modelled: weights assumed %s "
                     "(override with --weights)", meth, m->native_weights.name);
    }
}

static status_t parse_layer_kinds(const ctx_t *c, json_t *cfg, family_t fam, model_t *m,
                                  int *window, unsigned char *moe)
{
    int sw = 0;
    json_t *swv = json_object_get(cfg, "sliding_window");
    if (json_is_integer(swv) && json_integer_value(swv) > 0)
        sw = (int)json_integer_value(swv);
    /* Qwen2/Qwen2-MoE ship sliding_window but disable it */
    if ((fam == FAM_QWEN2 || fam == FAM_QWEN2_MOE || fam == FAM_QWEN3 || fam == FAM_QWEN3_MOE) &&
        !get_bool(cfg, "use_sliding_window", 0))
        sw = 0;
    json_t *lt = json_object_get(cfg, "layer_types");
    int pattern = 0;
    get_int(c, cfg, "sliding_window_pattern", 0, 0, 0, &pattern);
    for (int i = 0; i < m->n_layers; i++) {
        window[i] = 0;
        if (json_is_array(lt) && (int)json_array_size(lt) == m->n_layers) {
            const char *k = json_string_value(json_array_get(lt, (size_t)i));
            if (k && strstr(k, "sliding"))
                window[i] = sw;
        } else if (fam == FAM_GEMMA2) {
            window[i] = (i % 2 == 0) ? sw : 0; /* transformers Gemma2: even layers are local */
        } else if (fam == FAM_GEMMA3) {
            int p = pattern > 0 ? pattern : 6; /* Gemma 3: 5 local layers, then 1 global */
            window[i] = ((i + 1) % p != 0) ? sw : 0;
        } else {
            window[i] = sw;
        }
    }
    if (json_is_array(lt) && (int)json_array_size(lt) != m->n_layers)
        return field_error(c, "layer_types", "expected one entry per layer (num_hidden_layers)%s", "");

    /* which layers are MoE */
    int first_dense = 0, freq = 1, sparse_step = 1;
    get_int(c, cfg, "first_k_dense_replace", 0, 0, 0, &first_dense);
    get_int(c, cfg, "moe_layer_freq", 0, 1, 1, &freq);
    get_int(c, cfg, "decoder_sparse_step", 0, 1, 1, &sparse_step);
    json_t *mlp_only = json_object_get(cfg, "mlp_only_layers");
    for (int i = 0; i < m->n_layers; i++) {
        int is_moe = m->n_experts > 0;
        if (is_moe && fam == FAM_DEEPSEEK)
            is_moe = i >= first_dense && (i % freq) == 0;
        if (is_moe && (fam == FAM_QWEN2_MOE || fam == FAM_QWEN3_MOE)) {
            is_moe = ((i + 1) % sparse_step) == 0;
            if (json_is_array(mlp_only)) {
                size_t k;
                json_t *e;
                json_array_foreach(mlp_only, k, e)
                    if (json_is_integer(e) && json_integer_value(e) == i)
                        is_moe = 0;
            }
        }
        moe[i] = (unsigned char)is_moe;
    }
    return IS_OK;
}

status_t model_load_buffer(const char *buf, size_t len, const char *path, model_t *m, diag_t *d)
{
    memset(m, 0, sizeof *m);
    snprintf(m->path, sizeof m->path, "%s", path);
    file_stem(path, m->name, sizeof m->name);

    /* a UTF-8 byte order mark (some editors write one) is not part of the JSON */
    if (len >= 3 && (unsigned char)buf[0] == 0xEF && (unsigned char)buf[1] == 0xBB && (unsigned char)buf[2] == 0xBF) {
        buf += 3;
        len -= 3;
    }
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        diag_error(d, path, jerr.line, jerr.column, NULL, "invalid JSON: %s", jerr.text);
        if (jerr.line > 0)
            diag_set_source_line(d, buf, len, jerr.line);
        return IS_ERR_INPUT;
    }
    status_t st = IS_ERR_INPUT;
    ctx_t c = {path, buf, len, 0, d, NULL};
    if (!json_is_object(root)) {
        diag_error(d, path, 1, 1, NULL, "expected a JSON object (a Hugging Face config.json)");
        goto out;
    }
    json_t *cfg = root;
    const char *arch = NULL;
    json_t *archs = json_object_get(root, "architectures");
    if (json_is_array(archs) && json_array_size(archs) > 0)
        arch = json_string_value(json_array_get(archs, 0));
    const char *type = get_str(root, "model_type");
    /* multimodal wrappers (Gemma 3, Llama 4, ...) keep the language model in text_config */
    json_t *tc = json_object_get(root, "text_config");
    if (json_is_object(tc) && !json_object_get(root, "hidden_size")) {
        cfg = tc;
        int l, col;
        key_pos(&c, "text_config", &l, &col);
        const char *p = find_in(buf, len, "\"text_config\""); /* buf is not NUL-terminated */
        c.base = p ? (size_t)(p - buf) : 0;
        if (get_str(tc, "model_type"))
            type = get_str(tc, "model_type");
    }
    snprintf(m->architecture, sizeof m->architecture, "%s", arch ? arch : "");
    snprintf(m->model_type, sizeof m->model_type, "%s", type ? type : "");
    family_t fam = find_family(arch, type);
    if (fam == FAM_LLADA)
        c.alias = llada_alias;
    if (fam == FAM_UNKNOWN)
        diag_warn(d, "%s: unknown architecture \"%s\" (model_type \"%s\"): assumed a decoder-only "
                     "transformer with grouped-query attention, a gated MLP (3 matrices), 2 norms per "
                     "layer and no biases",
                  path, arch ? arch : "", type ? type : "");

#define REQ_INT(key, min, dst) do { if ((st = get_int(&c, cfg, key, 1, 0, min, dst)) != IS_OK) goto out; } while (0)
#define OPT_INT(key, dflt, min, dst) do { if ((st = get_int(&c, cfg, key, 0, dflt, min, dst)) != IS_OK) goto out; } while (0)
    REQ_INT("hidden_size", 1, &m->hidden);
    REQ_INT("num_hidden_layers", 1, &m->n_layers);
    REQ_INT("num_attention_heads", 1, &m->n_heads);
    /* Gemma 3's multimodal configs leave some text_config fields to transformers'
     * Gemma3TextConfig defaults (vocab_size 262208, max_position_embeddings 131072) */
    if (fam == FAM_GEMMA3 && cfg != root && !json_object_get(cfg, "vocab_size")) {
        m->vocab = 262208;
        diag_warn(d, "%s: text_config has no vocab_size: took transformers' Gemma3TextConfig default 262208", path);
    } else {
        REQ_INT("vocab_size", 1, &m->vocab);
    }
    OPT_INT("num_key_value_heads", m->n_heads, 1, &m->n_kv_heads);
    OPT_INT("head_dim", m->hidden / m->n_heads, 1, &m->head_dim);
    OPT_INT("max_position_embeddings", fam == FAM_GEMMA3 ? 131072 : 0, 0, &m->max_context);
    st = IS_ERR_INPUT;
    if (m->n_layers > MODEL_MAX_LAYERS) {
        field_error(&c, "num_hidden_layers", "expected at most 512 layers%s", "");
        goto out;
    }
    if (m->n_heads % m->n_kv_heads != 0) {
        char why[128];
        snprintf(why, sizeof why, " (num_key_value_heads %d does not divide num_attention_heads %d)",
                 m->n_kv_heads, m->n_heads);
        field_error(&c, "num_key_value_heads", "expected a divisor of num_attention_heads%s", why);
        goto out;
    }
    if (!json_object_get(cfg, "head_dim") && m->hidden % m->n_heads != 0) {
        field_error(&c, "num_attention_heads", "expected a divisor of hidden_size (or a head_dim field)%s", "");
        goto out;
    }

    /* MoE fields: each family names them its own way */
    int n_exp = 0, topk = 0;
    OPT_INT("num_local_experts", 0, 0, &n_exp);             /* Mixtral, gpt-oss */
    if (!n_exp) OPT_INT("num_experts", 0, 0, &n_exp);       /* Qwen-MoE */
    if (!n_exp) OPT_INT("n_routed_experts", 0, 0, &n_exp);  /* DeepSeek */
    OPT_INT("num_experts_per_tok", 0, 0, &topk);
    if (!topk) OPT_INT("experts_per_token", 0, 0, &topk);   /* gpt-oss */
    m->n_experts = n_exp;
    m->top_k = topk;
    int inter = 0;
    OPT_INT("intermediate_size", 0, 0, &inter);
    if (n_exp > 0) {
        st = IS_ERR_INPUT;
        if (topk < 1 || topk > n_exp) {
            char why[96];
            snprintf(why, sizeof why, " between 1 and the %d experts, got %d", n_exp, topk);
            field_error(&c, json_object_get(cfg, "num_experts_per_tok") ? "num_experts_per_tok" : "experts_per_token",
                        "expected a count%s", why);
            goto out;
        }
        OPT_INT("moe_intermediate_size", inter, 1, &m->moe_intermediate);
        if (m->moe_intermediate <= 0) {
            diag_error(d, path, 0, 0, "moe_intermediate_size", "missing expert width (moe_intermediate_size or intermediate_size)");
            st = IS_ERR_INPUT;
            goto out;
        }
        int n_shared = 0, shared_w = 0;
        OPT_INT("n_shared_experts", 0, 0, &n_shared);
        OPT_INT("shared_expert_intermediate_size", 0, 0, &shared_w);
        m->n_shared_experts = n_shared ? n_shared : (shared_w > 0);
        m->shared_intermediate = shared_w ? shared_w : n_shared * m->moe_intermediate;
    }
    m->intermediate = inter;
    if (m->intermediate <= 0 && (n_exp == 0 || fam == FAM_DEEPSEEK)) {
        diag_error(d, path, 0, 0, "intermediate_size", "missing field \"intermediate_size\" (an integer >= 1, the MLP width)");
        st = IS_ERR_INPUT;
        goto out;
    }

    /* attention kind */
    if (json_object_get(cfg, "kv_lora_rank") && !json_is_null(json_object_get(cfg, "kv_lora_rank"))) {
        m->attn = ATTN_MLA;
        OPT_INT("q_lora_rank", 0, 0, &m->q_lora_rank);
        REQ_INT("kv_lora_rank", 1, &m->kv_lora_rank);
        REQ_INT("qk_nope_head_dim", 1, &m->qk_nope_dim);
        REQ_INT("qk_rope_head_dim", 1, &m->qk_rope_dim);
        REQ_INT("v_head_dim", 1, &m->v_head_dim);
        m->head_dim = m->qk_nope_dim + m->qk_rope_dim;
        m->n_kv_heads = m->n_heads; /* heads after decompression; the cache holds one latent */
    }

    m->mlp_matrices = 3; /* every supported family uses a gated MLP */
    int tie_default = (fam == FAM_GEMMA || fam == FAM_GEMMA2 || fam == FAM_GEMMA3);
    m->tie_embeddings = get_bool(cfg, field_name(&c, cfg, "tie_word_embeddings"),
                                 get_bool(root, "tie_word_embeddings", tie_default));
    /* masked diffusion (LLaDA): bidirectional attention over the whole sequence, answers
     * unmasked over denoising steps, no KV cache in the reference sampler */
    m->diffusion = fam == FAM_LLADA;

    int norms = (fam == FAM_GEMMA2 || fam == FAM_GEMMA3) ? 4 : 2;
    int qk_norm = (fam == FAM_QWEN3 || fam == FAM_QWEN3_MOE || fam == FAM_GEMMA3);
    int bias = 0;
    if (fam == FAM_QWEN2 || fam == FAM_QWEN2_MOE)
        bias = 1; /* Qwen2 attention has q/k/v biases (no config field) */
    if (get_bool(cfg, "attention_bias", 0))
        bias = (fam == FAM_GPT_OSS) ? 2 : 1;
    int sinks = (fam == FAM_GPT_OSS);

    int window[MODEL_MAX_LAYERS];
    unsigned char moe[MODEL_MAX_LAYERS];
    if ((st = parse_layer_kinds(&c, cfg, fam, m, window, moe)) != IS_OK)
        goto out;
    if (model_finalize(m, window, moe, norms, qk_norm, bias, sinks) != 0) {
        diag_error(d, path, 0, 0, "layer_types", "more than %d distinct kinds of layer (window x MoE)", MODEL_MAX_CLASSES);
        st = IS_ERR_INPUT;
        goto out;
    }
    /* Qwen2-MoE's shared expert has a sigmoid gate: d x 1 */
    if (fam == FAM_QWEN2_MOE)
        for (int k = 0; k < m->n_classes; k++)
            if (m->classes[k].moe)
                m->class_params[k].shared += m->hidden;
    /* DeepSeek-V3's router carries a per-expert score-correction bias */
    if (fam == FAM_DEEPSEEK && get_str(cfg, "topk_method") && strcmp(get_str(cfg, "topk_method"), "noaux_tc") == 0)
        for (int k = 0; k < m->n_classes; k++)
            if (m->classes[k].moe)
                m->class_params[k].router += m->n_experts;
    native_formats(root, cfg, m, d);
    st = IS_OK;
#undef REQ_INT
#undef OPT_INT
out:
    json_decref(root);
    return st;
}

status_t model_load(const char *path, model_t *m, diag_t *d)
{
    size_t len = 0;
    char *buf = NULL;
    status_t st = file_read_all(path, &buf, &len, d);
    if (st != IS_OK)
        return st;
    st = model_load_buffer(buf, len, path, m, d);
    free(buf);
    return st;
}
