/*
 * workload.h — the requests a serving simulation receives: when they arrive and how long
 * their prompts and answers are.
 *
 * Arrivals: Poisson at a rate; gamma-distributed gaps with a burstiness factor (shape k:
 * 1 is Poisson, below 1 burstier, as vLLM's benchmark_serving draws them); a closed loop
 * of N users who each send a request, wait for its answer and think; or a trace file
 * (trace.h).  Lengths: fixed, uniform, normal, lognormal (given by mean and standard
 * deviation) or drawn from a file of observed lengths.  Shared prefixes (system prompts,
 * RAG corpora, agent contexts) and extra prompt tokens per request (an image's tokens)
 * shape RAG, agent and multimodal loads.
 *
 * Deterministic: one seed gives the same requests on every machine.  Nothing allocates
 * after workload_open().
 */
#ifndef INFERSIM_WORKLOAD_H
#define INFERSIM_WORKLOAD_H

#include "../core/diag.h"
#include "../core/rng.h"
#include "../io/trace.h"

typedef enum len_kind { LEN_FIXED, LEN_UNIFORM, LEN_NORMAL, LEN_LOGNORMAL, LEN_EMPIRICAL } len_kind_t;

typedef struct len_dist {
    len_kind_t kind;
    double a, b;           /* fixed: a; uniform: [a, b]; normal / lognormal: mean a, std b */
    double mu, sigma;      /* lognormal: parameters of the underlying normal */
    int *values;           /* empirical: observed lengths (owned) */
    int n_values;
} len_dist_t;

/* "1024", "uniform:MIN:MAX", "normal:MEAN:STD", "lognormal:MEAN:STD" or "file:PATH" (one
 * length per line; '#' comments).  Errors name `flag`. */
status_t len_dist_parse(const char *flag, const char *spec, len_dist_t *out, diag_t *d);
int len_dist_draw(const len_dist_t *l, rng_t *r);   /* >= 1 */
double len_dist_mean(const len_dist_t *l);
void len_dist_free(len_dist_t *l);
/* *dst = a copy of *src that owns its own observed lengths (workload_open() takes them). */
status_t len_dist_copy(len_dist_t *dst, const len_dist_t *src, diag_t *d);

typedef enum arrival_kind { ARRIVE_POISSON, ARRIVE_GAMMA, ARRIVE_CLOSED, ARRIVE_TRACE } arrival_kind_t;

typedef struct workload_cfg {
    arrival_kind_t arrival;
    double rate;           /* requests per second (Poisson, gamma) */
    double burstiness;     /* gamma shape (1: Poisson) */
    int users;             /* closed loop: concurrent users */
    double think_s;        /* closed loop: mean think time between a user's requests (exponential) */
    double duration_s;     /* no arrivals after this (0: none, for a trace or a request count) */
    long max_requests;     /* stop after this many (0: no limit) */
    len_dist_t isl, osl;   /* prompt (whole, prefix included) and answer lengths */
    int image_tokens;      /* extra prompt tokens per request (multimodal) */
    int prefix_tokens;     /* the first tokens of each prompt are a shared prefix ... */
    int prefixes;          /* ... one of this many, chosen uniformly */
    unsigned long long seed;
    const char *trace_path;
} workload_cfg_t;

typedef struct request_spec {
    double arrival_s;
    int isl, osl;
    long prefix_id;        /* -1: none */
    int prefix_tokens;
    int line;              /* trace line (0: synthetic) */
} request_spec_t;

typedef struct workload {
    workload_cfg_t cfg;    /* len_dist_t values owned here after open */
    rng_t rng;
    trace_reader_t trace;
    double t;              /* last arrival drawn */
    long issued;
} workload_t;

/* Takes ownership of cfg's length distributions.  Opens the trace, if any. */
status_t workload_open(workload_t *w, const workload_cfg_t *cfg, diag_t *d);

/* The next open-loop arrival (Poisson, gamma, trace): 1, 0 when there are no more, -1 on
 * a trace error (in d). */
int workload_next(workload_t *w, request_spec_t *r, diag_t *d);

/* Closed loop: a new request from a user at time t (lengths and prefix drawn); 0 when
 * the duration or request count is exhausted. */
int workload_closed_request(workload_t *w, double t, request_spec_t *r);

/* A closed-loop user's think time. */
double workload_think(workload_t *w);

void workload_close(workload_t *w);

#endif
