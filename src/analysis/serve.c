/*
 * serve.c — see serve.h.
 *
 * Bookkeeping that keeps an iteration O(1) in the number of running requests:
 *  - every running request advances by the same e tokens per iteration (1, or the
 *    speculative expectation), so a request's context is base + e * iter, the sum of the
 *    contexts is sum_base + n * e * iter, and its finishing iteration is known on entry
 *    (a heap pops it then);
 *  - a request needs a new KV block when its context is a multiple of the block size:
 *    with e = 1 the requests doing so this iteration are those whose base has one residue
 *    modulo the block size, counted in block_tokens buckets (exact); under speculative
 *    decoding the blocks follow the expected contexts;
 *  - sliding-window layers read min(context + 1, window): requests are counted below or
 *    past each window, and move across when a heap says they cross.
 */
#include "serve.h"

#include "../core/engine.h"
#include "../core/interrupt.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_WINDOWS 4

enum { ST_FREE, ST_FRONT, ST_WAIT, ST_PREFILL, ST_DECODE, ST_XFER, ST_READY, ST_SWAPPED };
enum { ROLE_BOTH, ROLE_PREFILL, ROLE_DECODE };
enum { EV_ARRIVAL, EV_USER, EV_XFER, EV_ITER, EV_FRONT };

typedef struct req {
    double arrival, t_first, t_admit;
    double t_visible;  /* it reached the scheduler's queue (after any front end) */
    int isl, osl;
    int prompt;        /* tokens to prefill: isl, or isl + tokens so far after a recompute */
    int computed;      /* of prompt, KV computed (prefix hits included) */
    double gen;        /* tokens generated (fractional under speculative decoding) */
    int hit;           /* prompt tokens served by the prefix cache (whole blocks) */
    long prefix_id;
    int prefix_tokens;
    int pentry;        /* prefix-cache entry held (-1) */
    long own_blocks;   /* KV blocks held during prefill / in the ready queue */
    double base;       /* decode: context = base + e * iter */
    long finish_iter;
    double win_B;      /* sliding-window KV reserved (bytes per chip) */
    double swap_B;     /* bytes swapped out to the host */
    int inst, state, heap_pos, prev, next, user, dst;
    unsigned stamp;    /* bumped on each entry into a decode set (stale window-heap entries) */
    unsigned char over[MAX_WINDOWS];
    int first_done;    /* the first token has been delivered */
    int admitted_once;
    long resv;         /* admit reserve: the blocks promised to it for its whole life (0 otherwise) */
} req_t;

typedef struct deque {
    int *v;
    long cap, head, len;
} deque_t;

typedef struct wentry {
    long key;
    int req;
    unsigned stamp;
} wentry_t;

typedef struct wheap {
    wentry_t *v;
    long n, cap;
} wheap_t;

typedef struct pentry {
    long id;
    long blocks;
    int ref, used, resident, lprev, lnext;
} pentry_t;

typedef struct chunk {
    int req, q;
} chunk_t;

typedef struct inst {
    int role, gang;
    const deploy_t *dep;
    placement_t pl;
    double blockB, kv_cap_B, win_res_B;
    /* kv_pools_equal: the full-attention blocks and the sliding windows have pools of their own
     * (blk_cap_B, win_cap_B); else one pool, kv_cap_B, holds both */
    int split;
    double blk_cap_B, win_cap_B;
    long blocks_held;  /* prefill/ready own blocks + decode blocks + resident prefixes */
    long dec_blocks;   /* of which the decode set's */
    long prefix_blocks; /* of which resident prefixes' */
    long resv_blocks;  /* admit reserve: the running requests' promised blocks (req_t.resv) */
    double spec_frac;
    int nwin, win[MAX_WINDOWS];
    double win_bpt[MAX_WINDOWS]; /* bytes per token of the classes with that window */
    deque_t wait, swapped, ready;
    int run_head, run_tail, n_run, n_prefill;
    /* decode set */
    int *heap;
    long n_dec, heap_cap;
    long iter;
    double sum_base, sum_hit;
    long *phase;
    long n_under[MAX_WINDOWS];
    double sum_base_under[MAX_WINDOWS];
    wheap_t wh[MAX_WINDOWS];
    /* prefix cache */
    pentry_t *pt;
    long pt_cap, pt_used;
    int lru_head, lru_tail;
    /* this iteration */
    chunk_t *chunks;
    int n_chunks;
    long iter_dec;     /* decode requests in the running iteration */
    double pre_s;      /* time the planned iteration adds before its step (swapping in) */
    double link_free;  /* decode role: inbound KV link free from */
    double swapped_B;
} inst_t;

typedef struct gang {
    int first, n;
    int busy;
    double t_start;    /* the running iteration began */
    double t_end;      /* the last iteration ended */
} gang_t;

typedef struct event {
    double t;
    long seq;
    int kind, id;
} event_t;

typedef struct sim {
    const serve_cfg_t *cfg;
    workload_t *w;
    serve_result_t *r;
    req_t *req;
    long n_req, req_cap;
    int free_head;
    inst_t *inst;
    int n_inst, n_prefill_inst;
    gang_t *gang;
    int n_gang;
    event_t *ev;
    long n_ev, ev_cap, ev_seq;
    int rr_prefill, rr_decode;
    double e;          /* tokens per request per iteration */
    int q;             /* tokens each running request puts through the target per iteration */
    int B;
    double now, t_prev;
    long in_system, waiting_total, running_total;
    double area_sys, area_wait, area_run, area_kv;
    double emitted, emitted_at_sample, next_sample, sample_s;
    double last_arrival;
    double xfer_sum;
    long xfer_n;
    coll_plan_t xfer;
    double kv_B_per_token_all; /* model KV bytes per token (all chips), for transfers */
    placement_t draft_pl;
    double dyn_J;      /* with cfg->site: the steps' dynamic energy so far (all chips) */
    status_t err;
} sim_t;

/* ---------- small containers (grown geometrically, never per event in steady state) ---------- */

static int grow(void **p, long *cap, size_t elem, long need)
{
    if (need <= *cap)
        return 0;
    long c = *cap ? *cap : 64;
    while (c < need)
        c *= 2;
    void *n = realloc(*p, (size_t)c * elem);
    if (!n)
        return -1;
    *p = n;
    *cap = c;
    return 0;
}

static int dq_push(deque_t *q, int x, int front)
{
    if (q->len == q->cap) {
        long oc = q->cap, nc = oc ? 2 * oc : 64;
        int *v = malloc(sizeof(int) * (size_t)nc);
        if (!v)
            return -1;
        for (long i = 0; i < q->len; i++)
            v[i] = q->v[(q->head + i) % (oc ? oc : 1)];
        free(q->v);
        q->v = v;
        q->cap = nc;
        q->head = 0;
    }
    if (front) {
        q->head = (q->head + q->cap - 1) % q->cap;
        q->v[q->head] = x;
    } else {
        q->v[(q->head + q->len) % q->cap] = x;
    }
    q->len++;
    return 0;
}

static int dq_front(const deque_t *q)
{
    return q->v[q->head];
}

static int dq_pop(deque_t *q)
{
    int x = q->v[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    return x;
}

static int wh_push(wheap_t *h, wentry_t e)
{
    if (grow((void **)&h->v, &h->cap, sizeof(wentry_t), h->n + 1))
        return -1;
    long i = h->n++;
    while (i > 0) {
        long p = (i - 1) / 2;
        if (h->v[p].key <= e.key)
            break;
        h->v[i] = h->v[p];
        i = p;
    }
    h->v[i] = e;
    return 0;
}

static wentry_t wh_pop(wheap_t *h)
{
    wentry_t top = h->v[0], last = h->v[--h->n];
    long i = 0;
    for (;;) {
        long c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->v[c + 1].key < h->v[c].key)
            c++;
        if (last.key <= h->v[c].key)
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (h->n > 0)
        h->v[i] = last;
    return top;
}

/* events: earliest time first, then first pushed */
static int ev_less(const event_t *a, const event_t *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static int ev_push(sim_t *s, double t, int kind, int id)
{
    if (grow((void **)&s->ev, &s->ev_cap, sizeof(event_t), s->n_ev + 1))
        return -1;
    event_t e = {t, s->ev_seq++, kind, id};
    long i = s->n_ev++;
    while (i > 0) {
        long p = (i - 1) / 2;
        if (!ev_less(&e, &s->ev[p]))
            break;
        s->ev[i] = s->ev[p];
        i = p;
    }
    s->ev[i] = e;
    return 0;
}

static event_t ev_pop(sim_t *s)
{
    event_t top = s->ev[0], last = s->ev[--s->n_ev];
    long i = 0;
    for (;;) {
        long c = 2 * i + 1;
        if (c >= s->n_ev)
            break;
        if (c + 1 < s->n_ev && ev_less(&s->ev[c + 1], &s->ev[c]))
            c++;
        if (!ev_less(&s->ev[c], &last))
            break;
        s->ev[i] = s->ev[c];
        i = c;
    }
    if (s->n_ev > 0)
        s->ev[i] = last;
    return top;
}

/* decode completion heap of an instance, by finishing iteration */
static void dh_set(inst_t *I, req_t *R, long i, int x)
{
    I->heap[i] = x;
    R[x].heap_pos = (int)i;
}

static void dh_up(inst_t *I, req_t *R, long i)
{
    int x = I->heap[i];
    while (i > 0) {
        long p = (i - 1) / 2;
        if (R[I->heap[p]].finish_iter <= R[x].finish_iter)
            break;
        dh_set(I, R, i, I->heap[p]);
        i = p;
    }
    dh_set(I, R, i, x);
}

static void dh_down(inst_t *I, req_t *R, long i)
{
    int x = I->heap[i];
    for (;;) {
        long c = 2 * i + 1;
        if (c >= I->n_dec)
            break;
        if (c + 1 < I->n_dec && R[I->heap[c + 1]].finish_iter < R[I->heap[c]].finish_iter)
            c++;
        if (R[x].finish_iter <= R[I->heap[c]].finish_iter)
            break;
        dh_set(I, R, i, I->heap[c]);
        i = c;
    }
    dh_set(I, R, i, x);
}

static void dh_remove(inst_t *I, req_t *R, int x)
{
    long i = R[x].heap_pos, last = --I->n_dec;
    if (i != last) {
        dh_set(I, R, i, I->heap[last]);
        dh_down(I, R, i);
        dh_up(I, R, R[I->heap[i]].heap_pos);
    }
    R[x].heap_pos = -1;
}

/* ---------- requests ---------- */

static int req_alloc(sim_t *s)
{
    if (s->free_head >= 0) {
        int x = s->free_head;
        s->free_head = s->req[x].next;
        return x;
    }
    if (grow((void **)&s->req, &s->req_cap, sizeof(req_t), s->n_req + 1))
        return -1;
    return (int)s->n_req++;
}

static void req_free(sim_t *s, int x)
{
    s->req[x].state = ST_FREE;
    s->req[x].next = s->free_head;
    s->free_head = x;
}

/* running list (admission order: head oldest, tail newest); a request's promised blocks
 * (admit reserve) are held for exactly as long as it runs */
static void run_append(inst_t *I, req_t *R, int x)
{
    I->resv_blocks += R[x].resv;
    R[x].prev = I->run_tail;
    R[x].next = -1;
    if (I->run_tail >= 0)
        R[I->run_tail].next = x;
    else
        I->run_head = x;
    I->run_tail = x;
    I->n_run++;
}

static void run_unlink(inst_t *I, req_t *R, int x)
{
    I->resv_blocks -= R[x].resv;
    R[x].resv = 0;
    if (R[x].prev >= 0)
        R[R[x].prev].next = R[x].next;
    else
        I->run_head = R[x].next;
    if (R[x].next >= 0)
        R[R[x].next].prev = R[x].prev;
    else
        I->run_tail = R[x].prev;
    I->n_run--;
}

static long blocks_for(long tokens, int B)
{
    return tokens > 0 ? (tokens + B - 1) / B : 0;
}

static long free_blocks(const inst_t *I)
{
    double f = (I->split ? I->blk_cap_B : I->kv_cap_B - I->win_res_B) - (double)I->blocks_held * I->blockB;
    if (I->blockB <= 0)
        return f >= 0 ? (1L << 40) : -1;
    return (long)floor(f / I->blockB);
}

/* ---------- prefix cache ---------- */

static long ptab_slot(const inst_t *I, long id)
{
    long mask = I->pt_cap - 1, h = (long)(((unsigned long)id * 0x9E3779B97F4A7C15UL) >> 20) & mask;
    while (I->pt[h].used && I->pt[h].id != id)
        h = (h + 1) & mask;
    return h;
}

static void lru_unlink(inst_t *I, int e)
{
    pentry_t *p = &I->pt[e];
    if (p->lprev >= 0) I->pt[p->lprev].lnext = p->lnext; else I->lru_head = p->lnext;
    if (p->lnext >= 0) I->pt[p->lnext].lprev = p->lprev; else I->lru_tail = p->lprev;
    p->lprev = p->lnext = -1;
}

static void lru_append(inst_t *I, int e)
{
    pentry_t *p = &I->pt[e];
    p->lprev = I->lru_tail;
    p->lnext = -1;
    if (I->lru_tail >= 0) I->pt[I->lru_tail].lnext = e; else I->lru_head = e;
    I->lru_tail = e;
}

/* Entry of a prefix id (created, not resident, when absent); -1 when out of memory. */
static int ptab_get(inst_t *I, long id)
{
    if (I->pt_used * 2 >= I->pt_cap) {
        /* rehash into twice the slots; LRU links are rebuilt in their old order */
        long oc = I->pt_cap, nc = oc ? oc * 2 : 64;
        pentry_t *old = I->pt, *n = calloc((size_t)nc, sizeof *n);
        if (!n)
            return -1;
        int *order = NULL, no = 0;
        if (oc) {
            order = malloc(sizeof(int) * (size_t)oc);
            if (!order) {
                free(n);
                return -1;
            }
            for (int e = I->lru_head; e >= 0; e = old[e].lnext)
                order[no++] = e;
        }
        I->pt = n;
        I->pt_cap = nc;
        I->lru_head = I->lru_tail = -1;
        int *map = oc ? malloc(sizeof(int) * (size_t)oc) : NULL;
        if (oc && !map) {
            free(order);
            return -1;
        }
        for (long i = 0; i < oc; i++)
            if (old[i].used) {
                long h = ptab_slot(I, old[i].id);
                I->pt[h] = old[i];
                I->pt[h].lprev = I->pt[h].lnext = -1;
                map[i] = (int)h;
            }
        for (int k = 0; k < no; k++)
            lru_append(I, map[order[k]]);
        free(map);
        free(order);
        free(old);
    }
    long h = ptab_slot(I, id);
    if (!I->pt[h].used) {
        memset(&I->pt[h], 0, sizeof I->pt[h]);
        I->pt[h].used = 1;
        I->pt[h].id = id;
        I->pt[h].lprev = I->pt[h].lnext = -1;
        I->pt_used++;
    }
    return (int)h;
}

static void prefix_release(inst_t *I, req_t *R, int x)
{
    int e = R[x].pentry;
    if (e < 0)
        return;
    R[x].pentry = -1;
    if (--I->pt[e].ref == 0 && I->pt[e].resident)
        lru_append(I, e);
}

/* Free the least recently used unreferenced prefix; 0 when there is none. */
static int prefix_evict(inst_t *I)
{
    int e = I->lru_head;
    if (e < 0)
        return 0;
    lru_unlink(I, e);
    I->blocks_held -= I->pt[e].blocks;
    I->prefix_blocks -= I->pt[e].blocks;
    I->pt[e].blocks = 0;
    I->pt[e].resident = 0;
    return 1;
}

/* ---------- the decode set ---------- */

static double ctx_of(const sim_t *s, const inst_t *I, const req_t *r)
{
    return r->base + s->e * (double)I->iter;
}

/* The iteration from which a request of this base sees a full window w. */
static long cross_iter(const sim_t *s, double base, int w)
{
    return (long)ceil((w - s->q - base) / s->e - 1e-9);
}

static int dec_enter(sim_t *s, inst_t *I, int x)
{
    req_t *r = &s->req[x];
    double stored = r->prompt;
    r->state = ST_DECODE;
    r->base = stored - s->e * (double)I->iter;
    double rem = r->osl - r->gen;
    r->finish_iter = I->iter + (long)ceil(rem / s->e - 1e-9);
    r->stamp++;
    if (grow((void **)&I->heap, &I->heap_cap, sizeof(int), I->n_dec + 1))
        return -1;
    I->heap[I->n_dec] = x;
    r->heap_pos = (int)I->n_dec++;
    dh_up(I, s->req, r->heap_pos);
    I->sum_base += r->base;
    I->sum_hit += r->hit;
    long own = blocks_for((long)stored - r->hit, s->B);
    I->dec_blocks += own;
    r->own_blocks = 0; /* decode blocks are counted in dec_blocks */
    if (s->e == 1.0) {
        long b = (long)llround(r->base) % s->B;
        I->phase[b < 0 ? b + s->B : b]++;
    }
    for (int k = 0; k < I->nwin; k++) {
        long ci = cross_iter(s, r->base, I->win[k]);
        if (ci <= I->iter) {
            r->over[k] = 1;
        } else {
            r->over[k] = 0;
            I->n_under[k]++;
            I->sum_base_under[k] += r->base;
            if (wh_push(&I->wh[k], (wentry_t){ci, x, r->stamp}))
                return -1;
        }
    }
    return 0;
}

/* Take a request out of the decode set; returns the KV tokens it had stored. */
static double dec_leave(sim_t *s, inst_t *I, int x)
{
    req_t *r = &s->req[x];
    double stored = ctx_of(s, I, r);
    dh_remove(I, s->req, x);
    I->sum_base -= r->base;
    I->sum_hit -= r->hit;
    if (s->e == 1.0) {
        long b = (long)llround(r->base) % s->B;
        I->phase[b < 0 ? b + s->B : b]--;
        long own = blocks_for((long)llround(stored) - r->hit, s->B);
        I->dec_blocks -= own;
        I->blocks_held -= own;
    }
    for (int k = 0; k < I->nwin; k++)
        if (!r->over[k]) {
            I->n_under[k]--;
            I->sum_base_under[k] -= r->base;
        }
    r->stamp++; /* its window-heap entries are stale now */
    return stored;
}

/* Speculative decoding: the decode set's blocks follow the expected contexts. */
static long spec_dec_blocks(const sim_t *s, const inst_t *I, double extra)
{
    if (I->n_dec == 0)
        return 0;
    double ctx = I->sum_base + I->n_dec * (s->e * (double)I->iter + extra) - I->sum_hit;
    return (long)ceil(ctx / s->B + 0.5 * I->n_dec);
}

/* Speculative decoding: set the decode set's blocks to the expected ones. */
static void spec_resync(const sim_t *s, inst_t *I)
{
    if (s->e == 1.0)
        return;
    long b = spec_dec_blocks(s, I, 0);
    I->blocks_held += b - I->dec_blocks;
    I->dec_blocks = b;
}

/* ---------- metrics ---------- */

static void complete(sim_t *s, inst_t *I, int x, double t);

static void release_blocks_prefill(inst_t *I, req_t *r)
{
    I->blocks_held -= r->own_blocks;
    r->own_blocks = 0;
}

static void release_window(inst_t *I, req_t *r)
{
    I->win_res_B -= r->win_B;
    r->win_B = 0;
}

/* Bytes left for sliding windows: their own pool's, or the shared pool's. */
static double win_room(const inst_t *I)
{
    return (I->split ? I->win_cap_B : I->kv_cap_B) - I->win_res_B;
}

static double window_bytes(const inst_t *I, const req_t *r)
{
    double b = 0;
    for (int k = 0; k < I->nwin; k++) {
        double len = (double)r->isl + r->osl;
        b += I->win_bpt[k] * (len < I->win[k] ? len : I->win[k]);
    }
    return b;
}

/* ---------- routing ---------- */

static long load_of(const inst_t *I)
{
    return I->wait.len + I->ready.len + I->swapped.len + I->n_run;
}

static int route(sim_t *s, int role)
{
    int lo = role == ROLE_DECODE ? s->n_prefill_inst : 0;
    int hi = role == ROLE_PREFILL ? s->n_prefill_inst : s->n_inst;
    int n = hi - lo;
    if (s->cfg->router == ROUTE_ROUND_ROBIN) {
        int *rr = role == ROLE_DECODE ? &s->rr_decode : &s->rr_prefill;
        int k = lo + (*rr % n);
        *rr = (*rr + 1) % n;
        return k;
    }
    int best = lo;
    for (int k = lo + 1; k < hi; k++)
        if (load_of(&s->inst[k]) < load_of(&s->inst[best]))
            best = k;
    return best;
}

/* ---------- preemption ---------- */

static int preempt(sim_t *s, inst_t *I, int x)
{
    req_t *r = &s->req[x];
    s->r->preemptions++;
    s->r->events++;
    run_unlink(I, s->req, x);
    s->running_total--;
    double stored;
    int was_decode = r->state == ST_DECODE;
    if (was_decode) {
        stored = dec_leave(s, I, x);
    } else {
        stored = r->computed;
        I->n_prefill--;
    }
    double bytes = (was_decode ? blocks_for((long)llround(stored) - r->hit, s->B) : r->own_blocks) * I->blockB + r->win_B;
    const system_t *sys = I->dep->sys;
    if (s->cfg->preempt_swap && was_decode && sys->host_link_Bps > 0 && I->swapped_B + bytes <= sys->host_mem_B) {
        /* swap: keep the request's place; its KV crosses the host link out (and later back) */
        r->state = ST_SWAPPED;
        r->prompt = (int)llround(stored);
        r->swap_B = bytes;
        I->swapped_B += bytes;
        release_window(I, r);
        s->r->swaps++;
        if (dq_push(&I->swapped, x, 0))
            return -1;
        s->waiting_total++;
        return 0;
    }
    /* recompute: drop the KV; the prompt becomes the prompt plus the tokens so far */
    if (!was_decode)
        release_blocks_prefill(I, r);
    release_window(I, r);
    prefix_release(I, s->req, x);
    r->prompt = r->isl + (int)floor(r->gen);
    r->computed = 0;
    r->hit = 0;
    r->state = ST_WAIT;
    if (dq_push(&I->wait, x, 1))
        return -1;
    s->waiting_total++;
    return 0;
}

/* Blocks the decode set's next tokens need. */
static long decode_need(const sim_t *s, const inst_t *I)
{
    if (I->n_dec == 0)
        return 0;
    if (s->e == 1.0)
        return I->phase[(s->B - (I->iter % s->B)) % s->B];
    long need = spec_dec_blocks(s, I, s->e) - I->dec_blocks;
    return need > 0 ? need : 0;
}

/* Free the blocks the decode set's next tokens need: unused prefixes first, then preempt
 * the newest running requests.  0 when even the oldest request alone cannot grow (it then
 * grows into the reserve). */
static int make_room(sim_t *s, inst_t *I)
{
    while (free_blocks(I) < decode_need(s, I)) {
        if (prefix_evict(I))
            continue;
        int x = I->run_tail;
        if (x < 0 || (I->n_run == 1 && I->n_dec == 1))
            return 0;
        if (preempt(s, I, x)) {
            s->err = IS_ERR_NOMEM;
            return 0;
        }
        spec_resync(s, I);
    }
    return 1;
}

/* ---------- one iteration of one instance ---------- */

/* Blocks a prefill chunk of q more tokens needs. */
static long chunk_blocks(const sim_t *s, const req_t *r, int q)
{
    return blocks_for((long)r->computed + q - r->hit, s->B) - r->own_blocks;
}

/* The most of q that free blocks allow (after evicting unused prefixes). */
static int fit_chunk(sim_t *s, inst_t *I, req_t *r, int q)
{
    while (chunk_blocks(s, r, q) > free_blocks(I) && prefix_evict(I))
        ;
    long fb = free_blocks(I);
    if (chunk_blocks(s, r, q) <= fb)
        return q;
    long can = (r->own_blocks + fb) * s->B - (r->computed - r->hit);
    return can > 0 ? (int)(can < q ? can : q) : 0;
}

static int add_chunk(sim_t *s, inst_t *I, int x, int q)
{
    req_t *r = &s->req[x];
    long nb = chunk_blocks(s, r, q);
    r->own_blocks += nb;
    I->blocks_held += nb;
    I->chunks[I->n_chunks++] = (chunk_t){x, q};
    return 0;
}

/* Admit reserve (TensorRT-LLM's GUARANTEED_NO_EVICT): the blocks a request needs for the
 * rest of its life — its prompt (less a prefix hit) and the answer still to come.  It may
 * enter only when they are free beyond what the running requests were promised and do not
 * hold yet (promised in all, less the blocks they hold: everything held but resident
 * prefixes); then no running request ever lacks a block, and none is preempted. */
static long resv_need(const sim_t *s, const req_t *r, int hit)
{
    return blocks_for((long)r->prompt + (long)ceil(r->osl - r->gen) - hit, s->B);
}

static int resv_fits(const inst_t *I, long need)
{
    long owed = I->resv_blocks - (I->blocks_held - I->prefix_blocks);
    return free_blocks(I) - (owed > 0 ? owed : 0) >= need;
}

/* Admit request x (from a queue) into the running set of I with its first chunk. */
static int admit(sim_t *s, inst_t *I, int x, int budget)
{
    req_t *r = &s->req[x];
    int hit = 0, e = -1;
    if (s->cfg->prefix_cache && r->prefix_id >= 0 && r->prefix_tokens >= s->B) {
        e = ptab_get(I, r->prefix_id);
        if (e < 0) {
            s->err = IS_ERR_NOMEM;
            return 0;
        }
        if (I->pt[e].resident)
            hit = (r->prefix_tokens / s->B) * s->B;
    }
    long need = 0;
    if (s->cfg->admit_reserve) {
        need = resv_need(s, r, hit);
        while (!resv_fits(I, need) && prefix_evict(I))
            ;
        if (!resv_fits(I, need))
            return 0;
    }
    r->hit = hit;
    r->computed = hit;
    double wb = window_bytes(I, r);
    if (I->blockB <= 0 && win_room(I) < wb)
        return 0;
    I->win_res_B += wb; /* reserved first so the chunk's blocks see it */
    r->win_B = wb;
    int want = r->prompt - r->computed < budget ? r->prompt - r->computed : budget;
    int q = fit_chunk(s, I, r, want);
    if (q <= 0 || win_room(I) < 0) {
        release_window(I, r);
        r->hit = r->computed = 0;
        return 0;
    }
    if (e >= 0) {
        if (I->pt[e].resident && I->pt[e].ref == 0)
            lru_unlink(I, e);
        I->pt[e].ref++;
        r->pentry = e;
    }
    r->state = ST_PREFILL;
    r->resv = need;
    if (!r->admitted_once) {
        r->admitted_once = 1;
        r->t_admit = s->now;
        hist_add(&s->r->queue, s->now - r->arrival, 1);
        s->r->admitted++;
    }
    s->r->prefix_hit_tokens += hit;
    run_append(I, s->req, x);
    I->n_prefill++;
    s->running_total++;
    s->r->events++;
    add_chunk(s, I, x, q);
    return q;
}

/* Build the step: the decode set (aggregated) and the chunks; a decode set run as the CUDA
 * graph of batch g (0: none) is padded to g with dummies. */
static void build_step(const sim_t *s, const inst_t *I, step_t *st, int g)
{
    const model_t *m = I->dep->model;
    step_clear(st);
    if (I->n_dec > 0) {
        double n = (double)I->n_dec, q = s->q, sum_ctx = I->sum_base + n * s->e * (double)I->iter;
        st->tokens += n * q;
        st->lm_tokens += n * q;
        st->seqs += n;
        for (int c = 0; c < m->n_classes; c++) {
            int w = m->classes[c].window, k = -1;
            for (int j = 0; j < I->nwin; j++)
                if (I->win[j] == w)
                    k = j;
            double kv, pairs;
            if (w <= 0 || k < 0) {
                kv = sum_ctx + n * q;
                pairs = q * sum_ctx + n * q * (q + 1) / 2;
            } else {
                double nu = I->n_under[k], su = I->sum_base_under[k] + nu * s->e * (double)I->iter, no = n - nu;
                kv = su + nu * q + no * w;
                pairs = q * su + nu * q * (q + 1) / 2 + no * q * w;
            }
            st->kv_read[c] += kv;
            if (q == 1)
                st->pairs_dec[c] += pairs;
            else
                st->pairs_pre[c] += pairs;
        }
    }
    for (int i = 0; i < I->n_chunks; i++)
        step_add(st, m, 1, I->chunks[i].q, s->req[I->chunks[i].req].computed);
    /* the dummies filling a CUDA graph run every operator on their tokens, attending only
     * to themselves */
    if (g > I->n_dec)
        step_add(st, m, (double)(g - I->n_dec), s->q, 0);
}

/* The CUDA graph a decode-only iteration of n requests replays: the smallest captured batch
 * >= n; 0 when none is captured that large (it runs as it is). */
static int graph_batch(const serve_cfg_t *cfg, long n)
{
    for (int i = 0; i < cfg->n_graph_sizes; i++)
        if (cfg->graph_sizes[i] >= n)
            return cfg->graph_sizes[i];
    return 0;
}

static void step_scale(step_t *st, double f, int n_classes)
{
    st->tokens *= f;
    st->lm_tokens *= f;
    st->seqs *= f;
    for (int c = 0; c < n_classes; c++) {
        st->kv_read[c] *= f;
        st->pairs_dec[c] *= f;
        st->pairs_pre[c] *= f;
    }
}

/* Dynamic energy of one costed step on a DP rank of dep (its chips / dp). */
static double rank_J(const deploy_t *dep, const step_cost_t *c)
{
    return cost_step_dynamic_J(dep, c) * dep->cfg.plan.chips / dep->cfg.plan.dp;
}

/* engine_step on a DP rank of dep; with dyn_J, `times` the step's dynamic energy on the
 * rank's chips is added to it. */
static double step_costed(const deploy_t *dep, const placement_t *pl, const step_t *st, double *dyn_J, double times)
{
    step_cost_t c;
    double t = engine_step(dep, pl, st, dyn_J ? &c : NULL);
    if (dyn_J)
        *dyn_J += times * rank_J(dep, &c);
    return t;
}

/* Time of a step on one instance (a DP rank) of dep: pipelined over micro-batches when
 * PP > 1.  With dyn_J, the step's dynamic energy on the rank's chips is added to it. */
static double step_time(const deploy_t *dep, const placement_t *pl, step_t *st, double *dyn_J)
{
    int pp = dep->cfg.plan.pp;
    step_cost_t c;
    if (pp <= 1)
        return step_costed(dep, pl, st, dyn_J, 1);
    double m = st->seqs < pp ? (st->seqs > 1 ? st->seqs : 1) : pp;
    step_scale(st, 1.0 / m, dep->model->n_classes);
    double t = engine_step(dep, pl, st, &c);
    if (dyn_J)
        *dyn_J += m * rank_J(dep, &c);
    return t > m * c.stage_max_s ? t : m * c.stage_max_s;
}

/* A closed-loop user whose request was turned away tries again after thinking, and never
 * sooner than a millisecond (so a rejection cannot repeat at one instant). */
static double retry_after(sim_t *s)
{
    double t = workload_think(s->w);
    return t > 1e-3 ? t : 1e-3;
}

/* Schedule I's next iteration: its decode set and prompt chunks.  Returns the time it adds
 * before the step (swapping requests back in); iter_cost() then costs the step. */
static double plan(sim_t *s, inst_t *I)
{
    const serve_cfg_t *cfg = s->cfg;
    double extra_s = 0;
    I->n_chunks = 0;
    I->iter_dec = 0;
    /* swapped requests come back first, as vLLM resumes them before new work */
    while (I->role != ROLE_PREFILL && I->swapped.len > 0 && I->n_run < cfg->max_seqs) {
        int x = dq_front(&I->swapped);
        req_t *r = &s->req[x];
        long nb = blocks_for((long)r->prompt - r->hit, s->B);
        while (free_blocks(I) < nb && prefix_evict(I))
            ;
        if (free_blocks(I) < nb || win_room(I) - window_bytes(I, r) < 0)
            break;
        dq_pop(&I->swapped);
        s->waiting_total--;
        I->swapped_B -= r->swap_B;
        extra_s += r->swap_B / I->dep->sys->host_link_Bps; /* swap-in */
        r->swap_B = 0;
        r->win_B = window_bytes(I, r);
        I->win_res_B += r->win_B;
        I->blocks_held += nb;
        run_append(I, s->req, x);
        s->running_total++;
        if (dec_enter(s, I, x))
            return s->err = IS_ERR_NOMEM, 0;
        spec_resync(s, I);
    }
    /* a decode instance admits requests whose KV cache has arrived */
    while (I->role == ROLE_DECODE && I->ready.len > 0 && I->n_run < cfg->max_seqs) {
        int x = dq_front(&I->ready);
        req_t *r = &s->req[x];
        long nb = blocks_for(r->prompt, s->B), need = s->cfg->admit_reserve ? resv_need(s, r, 0) : 0;
        double wb = window_bytes(I, r);
        if (free_blocks(I) < nb || win_room(I) - wb < 0 || (need && !resv_fits(I, need))) {
            if (I->n_run == 0) {
                /* it can never fit: drop it rather than wait forever */
                dq_pop(&I->ready);
                s->waiting_total--;
                s->in_system--;
                s->r->rejected_too_long++;
                req_free(s, x);
                continue;
            }
            break;
        }
        dq_pop(&I->ready);
        s->waiting_total--;
        r->resv = need;
        r->win_B = wb;
        I->win_res_B += wb;
        I->blocks_held += nb;
        r->hit = 0;
        run_append(I, s->req, x);
        s->running_total++;
        if (dec_enter(s, I, x))
            return s->err = IS_ERR_NOMEM, 0;
        spec_resync(s, I);
    }
    /* room for the decode set's next tokens */
    if (I->n_dec > 0) {
        make_room(s, I);
        if (s->err)
            return 0;
        long need = decode_need(s, I);
        I->dec_blocks += need;
        I->blocks_held += need;
    }
    I->iter_dec = I->n_dec;
    long budget = cfg->max_tokens - (long)I->n_dec * s->q;
    /* running prompts, oldest first.  They sit near the newest end of the running list (a
     * request is admitted with its prompt and decodes once it is done), so the oldest of them
     * is found walking back from the tail: the walk forward then skips the decoding rest. */
    if (I->n_prefill > 0) {
        int from = I->run_tail;
        for (int seen = 0, x = I->run_tail; x >= 0; x = s->req[x].prev)
            if (s->req[x].state == ST_PREFILL) {
                from = x;
                if (++seen == I->n_prefill)
                    break;
            }
        for (int x = from; x >= 0 && budget > 0; x = s->req[x].next) {
            req_t *r = &s->req[x];
            if (r->state != ST_PREFILL)
                continue;
            int want = r->prompt - r->computed < budget ? r->prompt - r->computed : (int)budget;
            int q = fit_chunk(s, I, r, want);
            if (q <= 0)
                continue;
            add_chunk(s, I, x, q);
            budget -= q;
        }
    }
    /* new requests in arrival order while tokens, slots and blocks last.  A stack that schedules
     * one iteration ahead decided this one when the last began: a request that reached the queue
     * then or after waits for the next (the scheduler ran before the request got in), unless
     * nothing else runs (an idle engine schedules at once) */
    const gang_t *G = &s->gang[I->gang];
    const int ahead = cfg->schedule_ahead && I->n_run > 0 && s->now == G->t_end;
    while (I->role != ROLE_DECODE && budget > 0 && I->wait.len > 0 && I->n_run < cfg->max_seqs) {
        int x = dq_front(&I->wait);
        if (ahead && s->req[x].t_visible >= G->t_start)
            break;
        int q = admit(s, I, x, (int)budget);
        if (s->err)
            return 0;
        if (q <= 0) {
            if (I->n_run == 0 && I->n_chunks == 0) {
                /* alone and still too big for the KV cache: it can never run */
                dq_pop(&I->wait);
                s->waiting_total--;
                s->in_system--;
                s->r->rejected_too_long++;
                if (s->req[x].user >= 0 && ev_push(s, s->now + retry_after(s), EV_USER, s->req[x].user))
                    return s->err = IS_ERR_NOMEM, 0;
                req_free(s, x);
                continue;
            }
            break;
        }
        dq_pop(&I->wait);
        s->waiting_total--;
        budget -= q;
    }
    /* the next request to admit has waited long enough to leave the caches: fetch it while
     * this iteration runs (a long queue's admissions were a third of the run's time) */
    if (I->wait.len > 0)
        __builtin_prefetch(&s->req[dq_front(&I->wait)]);
    if (I->n_dec == 0 && I->n_chunks == 0) {
        /* running prompts that hold blocks but can get none more, with nothing decoding:
         * preempt the newest and plan again (as vLLM preempts to let the oldest proceed) */
        if (I->n_run > 1) {
            if (preempt(s, I, I->run_tail))
                return s->err = IS_ERR_NOMEM, 0;
            return plan(s, I) + extra_s;
        }
        /* a swapped request that cannot come back (prefixes held by others) is recomputed */
        if (I->n_run == 0 && I->swapped.len > 0) {
            int x = dq_pop(&I->swapped);
            req_t *r = &s->req[x];
            I->swapped_B -= r->swap_B;
            r->swap_B = 0;
            prefix_release(I, s->req, x);
            r->prompt = r->isl + (int)floor(r->gen);
            r->computed = r->hit = 0;
            r->state = ST_WAIT;
            if (dq_push(&I->wait, x, 1))
                return s->err = IS_ERR_NOMEM, 0;
            return plan(s, I) + extra_s;
        }
    }
    return extra_s;
}

/* The host's work for an iteration of n requests (serve_cfg_t.host_s_*). */
static double host_time(const serve_cfg_t *cfg, double n)
{
    return n > 0 ? cfg->host_s_per_iteration + cfg->host_s_per_request * n : 0.0;
}

/* The time of I's planned iteration, its decode set run as the CUDA graph of batch g (0:
 * none): the step on the chips, speculative proposals, and the host's work when that is
 * longer (the host prepares the next iteration while the chips run this one). */
static double iter_cost(sim_t *s, inst_t *I, int g, int *host_bound)
{
    const serve_cfg_t *cfg = s->cfg;
    step_t st;
    build_step(s, I, &st, g);
    double *dyn = cfg->site ? &s->dyn_J : NULL;
    double t = step_time(I->dep, &I->pl, &st, dyn);
    if (I->n_dec > 0 && cfg->spec != SPEC_NONE) {
        /* proposals: k draft-model decode steps, or k passes of one extra (MTP) layer */
        step_t ds;
        step_clear(&ds);
        double n = (double)I->n_dec, sum_ctx = I->sum_base + n * s->e * (double)I->iter;
        if (cfg->spec == SPEC_DRAFT) {
            const model_t *dm = cfg->draft_dep->model;
            ds.tokens = ds.lm_tokens = ds.seqs = n;
            for (int c = 0; c < dm->n_classes; c++) {
                ds.kv_read[c] = sum_ctx + n;
                ds.pairs_dec[c] = sum_ctx + n;
            }
            t += cfg->spec_k * step_costed(cfg->draft_dep, &s->draft_pl, &ds, dyn, cfg->spec_k);
        } else {
            const model_t *m = I->dep->model;
            ds.tokens = ds.lm_tokens = ds.seqs = n;
            int layers = 0;
            for (int c = 0; c < m->n_classes; c++) {
                ds.kv_read[c] = sum_ctx + n;
                ds.pairs_dec[c] = sum_ctx + n;
                layers += m->classes[c].count;
            }
            double one_layer = cfg->spec_k / (double)(layers > 0 ? layers : 1);
            t += one_layer * step_costed(I->dep, &I->pl, &ds, dyn, one_layer);
        }
    }
    const double h = host_time(cfg, (double)(I->n_dec + I->n_chunks));
    *host_bound = h > t;
    return h > t ? h : t;
}

/* A rank with nothing to do in a lockstep group still runs a step of dummies: one token, or
 * the group's CUDA graph of batch g (as attention-DP ranks do to join the MoE all-to-alls). */
static double idle_step(sim_t *s, inst_t *I, int g)
{
    step_t st;
    step_clear(&st);
    step_add(&st, I->dep->model, g > 0 ? g : 1, s->q, 0);
    return step_time(I->dep, &I->pl, &st, s->cfg->site ? &s->dyn_J : NULL);
}

static int start_transfer(sim_t *s, inst_t *P, int x, double t);

/* Apply a finished iteration of I at time t. */
static int apply(sim_t *s, inst_t *I, double t)
{
    serve_result_t *res = s->r;
    if (I->iter_dec > 0) {
        I->iter++;
        res->token_deliveries += (double)I->iter_dec;
        s->emitted += I->iter_dec * s->e;
        /* window crossings */
        for (int k = 0; k < I->nwin; k++)
            while (I->wh[k].n > 0 && I->wh[k].v[0].key <= I->iter) {
                wentry_t e = wh_pop(&I->wh[k]);
                req_t *r = &s->req[e.req];
                if (r->stamp != e.stamp || r->state != ST_DECODE || r->over[k])
                    continue;
                r->over[k] = 1;
                I->n_under[k]--;
                I->sum_base_under[k] -= r->base;
            }
        /* completions */
        while (I->n_dec > 0 && s->req[I->heap[0]].finish_iter <= I->iter) {
            int x = I->heap[0];
            s->req[x].gen = s->req[x].osl;
            dec_leave(s, I, x);
            spec_resync(s, I);
            run_unlink(I, s->req, x);
            s->running_total--;
            complete(s, I, x, t);
            if (s->err)
                return -1;
        }
    }
    for (int i = 0; i < I->n_chunks; i++) {
        int x = I->chunks[i].req;
        req_t *r = &s->req[x];
        if (r->state != ST_PREFILL)
            continue;
        r->computed += I->chunks[i].q;
        res->prefill_tokens += I->chunks[i].q;
        if (r->computed < r->prompt)
            continue;
        /* prompt done: the prefix becomes resident for the next requests that share it */
        if (r->pentry >= 0 && !I->pt[r->pentry].resident && r->prefix_tokens >= s->B) {
            pentry_t *p = &I->pt[r->pentry];
            long pb = r->prefix_tokens / s->B;
            if (pb <= r->own_blocks) {
                p->resident = 1;
                p->blocks = pb;
                I->prefix_blocks += pb;
                r->own_blocks -= pb;
                r->hit = (int)(pb * s->B); /* its own blocks now start after the prefix */
            }
        }
        I->n_prefill--;
        if (I->role == ROLE_PREFILL) {
            run_unlink(I, s->req, x);
            s->running_total--;
            if (start_transfer(s, I, x, t))
                return -1;
            continue;
        }
        r->gen += 1;
        s->emitted += 1;
        res->events++;
        if (!r->first_done) {
            r->first_done = 1;
            r->t_first = t;
        }
        if (r->gen >= r->osl) {
            run_unlink(I, s->req, x);
            s->running_total--;
            release_blocks_prefill(I, r);
            complete(s, I, x, t);
            if (s->err)
                return -1;
            continue;
        }
        long own = r->own_blocks;
        r->own_blocks = 0;
        I->blocks_held -= own; /* re-counted by dec_enter */
        I->blocks_held += blocks_for((long)r->prompt - r->hit, s->B);
        if (dec_enter(s, I, x))
            return s->err = IS_ERR_NOMEM, -1;
        spec_resync(s, I);
    }
    I->n_chunks = 0;
    I->iter_dec = 0;
    return 0;
}

static void complete(sim_t *s, inst_t *I, int x, double t)
{
    req_t *r = &s->req[x];
    serve_result_t *res = s->r;
    release_window(I, r);
    prefix_release(I, s->req, x);
    res->completed++;
    res->events++;
    s->in_system--;
    double e2e = t - r->arrival, ttft = r->t_first - r->arrival;
    hist_add(&res->e2e, e2e, 1);
    hist_add(&res->ttft, ttft, 1);
    double tpot = r->osl > 1 ? (t - r->t_first) / (r->osl - 1) : 0;
    if (r->osl > 1)
        hist_add(&res->tpot, tpot, 1);
    if (ttft <= s->cfg->slo_ttft_s && (r->osl <= 1 || tpot <= s->cfg->slo_tpot_s))
        res->goodput_requests++;
    res->input_tokens += r->isl;
    res->output_tokens += r->osl;
    if (t > res->last_completion_s)
        res->last_completion_s = t;
    if (s->w->cfg.arrival == ARRIVE_CLOSED && ev_push(s, t + workload_think(s->w), EV_USER, r->user))
        s->err = IS_ERR_NOMEM;
    req_free(s, x);
}

/* Disaggregated: send x's KV cache from prefill instance P to a decode instance. */
static int start_transfer(sim_t *s, inst_t *P, int x, double t)
{
    req_t *r = &s->req[x];
    int d = route(s, ROLE_DECODE);
    inst_t *D = &s->inst[d];
    int cp = P->dep->cfg.plan.chips;
    double bytes = s->kv_B_per_token_all * r->prompt / (cp > 0 ? cp : 1);
    double dur = collective_time(&s->xfer, bytes, NULL, NULL, NULL);
    double start = t > D->link_free ? t : D->link_free;
    D->link_free = start + dur;
    s->xfer_sum += D->link_free - t;
    s->xfer_n++;
    r->state = ST_XFER;
    r->dst = d;
    s->r->events++;
    return ev_push(s, D->link_free, EV_XFER, x);
}

/* ---------- the event loop ---------- */

static void kick(sim_t *s, int g);

/* Whether a request of isl + osl tokens could run on instance I with nothing else there
 * (as vLLM refuses a prompt longer than the whole KV cache): one that cannot would wait or
 * be preempted forever. */
static int fits_alone(const sim_t *s, const inst_t *I, int isl, int osl)
{
    req_t probe;
    memset(&probe, 0, sizeof probe);
    probe.isl = isl;
    probe.osl = osl;
    double tokens = (double)isl + osl + s->q;
    double blocks = blocks_for((long)tokens, s->B) * I->blockB, win = window_bytes(I, &probe);
    if (I->split)
        return blocks <= I->blk_cap_B && win <= I->win_cap_B;
    return blocks + win <= I->kv_cap_B;
}

/* Request x reaches its instance's scheduler queue. */
static int enqueue(sim_t *s, int x)
{
    req_t *r = &s->req[x];
    inst_t *I = &s->inst[r->inst];
    r->state = ST_WAIT;
    r->t_visible = s->now;
    if (dq_push(&I->wait, x, 0))
        return -1;
    s->waiting_total++;
    kick(s, I->gang);
    return 0;
}

static int arrive(sim_t *s, const request_spec_t *q, int user)
{
    serve_result_t *res = s->r;
    res->arrived++;
    res->events++;
    if (res->arrived == 1)
        res->first_arrival_s = q->arrival_s;
    s->last_arrival = q->arrival_s;
    int k = route(s, s->n_prefill_inst > 0 ? ROLE_PREFILL : ROLE_BOTH);
    inst_t *I = &s->inst[k];
    if (!fits_alone(s, I, q->isl, s->n_prefill_inst > 0 ? 0 : q->osl) ||
        (s->n_prefill_inst > 0 && !fits_alone(s, &s->inst[s->n_prefill_inst], q->isl, q->osl))) {
        res->rejected_too_long++;
        if (user >= 0 && ev_push(s, s->now + retry_after(s), EV_USER, user))
            return -1;
        return 0;
    }
    if (s->cfg->max_queue > 0 && I->wait.len >= s->cfg->max_queue) {
        res->rejected++;
        if (user >= 0 && ev_push(s, s->now + retry_after(s), EV_USER, user))
            return -1;
        return 0;
    }
    int x = req_alloc(s);
    if (x < 0)
        return -1;
    req_t *r = &s->req[x];
    memset(r, 0, sizeof *r);
    r->arrival = q->arrival_s;
    r->isl = r->prompt = q->isl;
    r->osl = q->osl;
    r->prefix_id = q->prefix_id;
    r->prefix_tokens = q->prefix_tokens;
    r->pentry = -1;
    r->heap_pos = -1;
    r->user = user;
    r->inst = k;
    r->prev = r->next = -1;
    s->in_system++;
    const double fe = s->cfg->frontend_s + s->cfg->frontend_s_per_token * q->isl;
    if (fe > 0) {
        /* the front end first (HTTP, tokenization): the scheduler sees the request after it */
        r->state = ST_FRONT;
        return ev_push(s, s->now + fe, EV_FRONT, x);
    }
    return enqueue(s, x);
}

/* Start gang g's next iteration now if it is idle and has work.  Its ranks step in lockstep,
 * so the iteration takes as long as the slowest.  CUDA graphs (cfg->graph_sizes) replay only
 * when every rank's iteration is decode-only, each rank padded to the graph of the largest
 * rank's batch; one rank's prompt chunk makes every rank run as it is (TensorRT-LLM's
 * CUDAGraphRunner.maybe_get_cuda_graph gathers can_run_cuda_graph and the batch sizes over
 * the attention-DP ranks and pads to their maximum, tensorrt_llm/_torch/pyexecutor/
 * cuda_graph_runner.py at commit 7b437aaa73bf5a44b1102aee5c631074da763b8f). */
static void kick(sim_t *s, int g)
{
    gang_t *G = &s->gang[g];
    if (G->busy || s->err)
        return;
    double dt = 0;
    int any = 0, mixed = 0;
    long nmax = 0;
    for (int i = 0; i < G->n; i++) {
        inst_t *I = &s->inst[G->first + i];
        double t = plan(s, I);
        if (s->err)
            return;
        I->pre_s = t;
        if (I->n_dec > 0 || I->n_chunks > 0)
            any = 1;
        if (I->n_chunks > 0)
            mixed = 1;
        if (I->n_dec > nmax)
            nmax = I->n_dec;
        if (t > dt)
            dt = t;
    }
    if (!any)
        return;
    const int gb = mixed ? 0 : graph_batch(s->cfg, nmax);
    int host_bound = 0;
    for (int i = 0; i < G->n; i++) {
        inst_t *I = &s->inst[G->first + i];
        int hb = 0;
        double t = I->n_dec > 0 || I->n_chunks > 0 ? I->pre_s + iter_cost(s, I, gb, &hb)
                   : G->n > 1                      ? idle_step(s, I, gb)
                                                   : 0.0;
        if (t > dt || (t == dt && hb)) {
            dt = t;
            host_bound = hb;
        }
    }
    s->r->host_bound_iterations += host_bound;
    dt += s->cfg->host_gap_s; /* the host time the overlap does not hide: the chips wait */
    G->busy = 1;
    G->t_start = s->now;
    s->r->iterations++;
    s->r->events++;
    if (ev_push(s, s->now + dt, EV_ITER, g))
        s->err = IS_ERR_NOMEM;
}

static void sample(sim_t *s, double ts)
{
    serve_result_t *r = s->r;
    double kv = 0;
    for (int k = 0; k < s->n_inst; k++) {
        const inst_t *I = &s->inst[k];
        kv += (I->blocks_held * I->blockB + I->win_res_B) / I->kv_cap_B;
    }
    kv /= s->n_inst;
    double tok_s = (s->emitted - s->emitted_at_sample) / s->sample_s;
    s->emitted_at_sample = s->emitted;
    if (s->cfg->timeseries)
        fprintf(s->cfg->timeseries, "%.6f,%ld,%ld,%.6f,%.3f\n", ts, s->waiting_total, s->running_total, kv, tok_s);
    if (r->n_samples == SERVE_MAX_SAMPLES) {
        /* halve the resolution: average neighbours, double the interval */
        for (int i = 0; i < SERVE_MAX_SAMPLES / 2; i++) {
            r->ts_t[i] = r->ts_t[2 * i + 1];
            r->ts_waiting[i] = 0.5 * (r->ts_waiting[2 * i] + r->ts_waiting[2 * i + 1]);
            r->ts_running[i] = 0.5 * (r->ts_running[2 * i] + r->ts_running[2 * i + 1]);
            r->ts_kv[i] = 0.5 * (r->ts_kv[2 * i] + r->ts_kv[2 * i + 1]);
            r->ts_tok_s[i] = 0.5 * (r->ts_tok_s[2 * i] + r->ts_tok_s[2 * i + 1]);
        }
        r->n_samples = SERVE_MAX_SAMPLES / 2;
        s->sample_s *= 2;
        r->sample_s = s->sample_s;
    }
    int i = r->n_samples++;
    r->ts_t[i] = ts;
    r->ts_waiting[i] = (double)s->waiting_total;
    r->ts_running[i] = (double)s->running_total;
    r->ts_kv[i] = kv;
    r->ts_tok_s[i] = tok_s;
}

/* Advance the clock to t: time averages and samples. */
static void advance(sim_t *s, double t)
{
    if (t > s->t_prev) {
        double dt = t - s->t_prev;
        double kv = 0;
        for (int k = 0; k < s->n_inst; k++) {
            const inst_t *I = &s->inst[k];
            double u = (I->blocks_held * I->blockB + I->win_res_B) / I->kv_cap_B;
            kv += u;
        }
        kv /= s->n_inst;
        s->area_sys += s->in_system * dt;
        s->area_wait += s->waiting_total * dt;
        s->area_run += s->running_total * dt;
        s->area_kv += kv * dt;
        if (kv > s->r->peak_kv_use)
            s->r->peak_kv_use = kv;
        if (s->waiting_total > s->r->peak_waiting)
            s->r->peak_waiting = (double)s->waiting_total;
        if (s->running_total > s->r->peak_running)
            s->r->peak_running = (double)s->running_total;
        while (s->next_sample <= t) {
            sample(s, s->next_sample);
            s->next_sample += s->sample_s;
        }
        s->t_prev = t;
    }
    s->now = t;
}

/* A progress bar on stderr: simulated time against the load's duration (or requests against
 * the request count), wall time, and requests done. */
static void show_progress(const sim_t *s, int final)
{
    static double t_last;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double wall = ts.tv_sec + ts.tv_nsec * 1e-9;
    if (!final && wall - t_last < 0.2)
        return;
    t_last = wall;
    const workload_cfg_t *w = &s->w->cfg;
    double f = w->duration_s > 0 ? s->now / w->duration_s
             : w->max_requests > 0 ? (double)s->r->arrived / w->max_requests : 0;
    if (f > 1 || final)
        f = 1;
    int bar = (int)(30 * f);
    long left = s->r->arrived - s->r->completed - s->r->rejected - s->r->rejected_too_long;
    char drain[64] = "";
    if (f >= 1 && !final)
        snprintf(drain, sizeof drain, ", draining: %ld in flight   ", left);
    fprintf(stderr, "\r[%.*s%*s] %3.0f%%  %.1f s simulated, %ld requests done%s%s", bar,
            "==============================", 30 - bar, "", 100 * f, s->now, s->r->completed, drain,
            final ? "\n" : "");
    fflush(stderr);
}

/* ---------- set-up ---------- */

static status_t inst_init(sim_t *s, inst_t *I, const deploy_t *dep, int role, int gang, diag_t *d)
{
    memset(I, 0, sizeof *I);
    I->role = role;
    I->gang = gang;
    I->dep = dep;
    I->run_head = I->run_tail = -1;
    I->lru_head = I->lru_tail = -1;
    const serve_cfg_t *cfg = s->cfg;
    deploy_place(dep, cfg->max_seqs, 0, cfg->max_tokens, &I->pl);
    int at = I->pl.act_tier;
    if (!I->pl.fits) {
        diag_error(d, NULL, 0, 0, NULL, "the weights of %s do not fit on %d x %s beside a %d-token step's workspace "
                   "for %d requests: lower --max-tokens or --max-seqs, add chips or lower the precision",
                   dep->model->name, dep->cfg.plan.chips, dep->sys->name, cfg->max_tokens, cfg->max_seqs);
        return IS_ERR_NOFIT;
    }
    I->kv_cap_B = dep->sys->tier[at].capacity_B - I->pl.used_B[at];
    if (cfg->spec == SPEC_DRAFT && cfg->draft_dep)
        I->kv_cap_B -= deploy_weight_bytes(cfg->draft_dep);
    /* a share of what every model's weights leave, as TensorRT-LLM sizes it after loading them */
    if (cfg->kv_fraction > 0 && cfg->kv_fraction < 1)
        I->kv_cap_B *= cfg->kv_fraction;
    I->pl.kv[at] = 1.0;
    /* the stage with the most KV per token */
    const model_t *m = dep->model;
    int sg = 0;
    double most = -1;
    for (int p = 0; p < dep->cfg.plan.pp; p++) {
        double v = 0;
        for (int c = 0; c < m->n_classes; c++)
            v += dep->kv_B_per_ctx_token[p][c];
        if (v > most) {
            most = v;
            sg = p;
        }
    }
    double full = 0;
    for (int c = 0; c < m->n_classes; c++) {
        int w = m->classes[c].window;
        if (w <= 0) {
            full += dep->kv_B_per_ctx_token[sg][c];
            continue;
        }
        int k;
        for (k = 0; k < I->nwin; k++)
            if (I->win[k] == w)
                break;
        if (k == I->nwin) {
            if (I->nwin == MAX_WINDOWS)
                return diag_error(d, NULL, 0, 0, NULL, "%s has more than %d distinct attention windows", m->name,
                                  MAX_WINDOWS);
            I->win[I->nwin++] = w;
        }
        I->win_bpt[k] += dep->kv_B_per_ctx_token[sg][c];
    }
    if (cfg->spec == SPEC_DRAFT && cfg->draft_dep) {
        const deploy_t *dd = cfg->draft_dep;
        for (int c = 0; c < dd->model->n_classes; c++)
            full += dd->kv_B_per_ctx_token[0][c];
    }
    I->blockB = full * s->B;
    if (cfg->kv_pools_equal && I->nwin > 0 && full > 0) {
        /* TensorRT-LLM's default for variable sliding windows: every window size gets an equal
         * share of the KV memory (cpp/tensorrt_llm/batch_manager/kvCacheManager.cpp,
         * BaseKVCacheManager::calculateMaxNumBlocks, since PR #7923, 2025-09) */
        I->split = 1;
        I->blk_cap_B = I->kv_cap_B / (1 + I->nwin);
        I->win_cap_B = I->kv_cap_B - I->blk_cap_B;
    }
    if (I->kv_cap_B <= (I->blockB > 0 ? I->blockB : 0)) {
        diag_error(d, NULL, 0, 0, NULL, "%s on %d x %s leaves no memory for a KV cache (%.1f GB free per chip "
                   "after weights, workspace and reserve): add chips or lower the precision",
                   m->name, dep->cfg.plan.chips, dep->sys->name, I->kv_cap_B / 1e9);
        return IS_ERR_NOFIT;
    }
    I->phase = calloc((size_t)s->B, sizeof(long));
    I->chunks = malloc(sizeof(chunk_t) * (size_t)(cfg->max_seqs + 1));
    if (!I->phase || !I->chunks)
        return IS_ERR_NOMEM;
    return IS_OK;
}

static void inst_free(inst_t *I)
{
    free(I->wait.v);
    free(I->swapped.v);
    free(I->ready.v);
    free(I->heap);
    free(I->phase);
    for (int k = 0; k < MAX_WINDOWS; k++)
        free(I->wh[k].v);
    free(I->pt);
    free(I->chunks);
}

void serve_cfg_default(serve_cfg_t *c)
{
    memset(c, 0, sizeof *c);
    c->max_seqs = 256;      /* vLLM's default max_num_seqs */
    c->max_tokens = 8192;   /* vLLM / TensorRT-LLM default tokens per step (PREDICT_PREFILL_CHUNK) */
    c->block_tokens = 16;   /* vLLM's default block size */
    c->prefix_cache = 1;
    c->replicas = 1;
    c->router = ROUTE_LEAST_LOADED;
    c->spec_accept = 0.7;
    c->slo_ttft_s = 2.0;    /* the example SLO: TTFT <= 2 s ... */
    c->slo_tpot_s = 0.05;   /* ... and TPOT <= 50 ms */
}

/* CUDA-graph batch sizes as serve_run takes them: at most SERVE_MAX_GRAPH_SIZES, each >= 1,
 * ascending. */
static int graph_sizes_ok(const serve_cfg_t *c)
{
    if (c->n_graph_sizes < 0 || c->n_graph_sizes > SERVE_MAX_GRAPH_SIZES)
        return 0;
    for (int i = 0; i < c->n_graph_sizes; i++)
        if (c->graph_sizes[i] < 1 || (i > 0 && c->graph_sizes[i] <= c->graph_sizes[i - 1]))
            return 0;
    return 1;
}

status_t serve_parse_graph_sizes(const char *list, const char *flag, serve_cfg_t *c, diag_t *d)
{
    c->n_graph_sizes = 0;
    if (!strcmp(list, "none"))
        return IS_OK;
    for (const char *p = list;; p++) {
        char *end;
        errno = 0;
        long v = strtol(p, &end, 10);
        int ok = end != p && !errno && v >= 1 && v <= 1000000 && (*end == ',' || *end == '\0') &&
                 c->n_graph_sizes < SERVE_MAX_GRAPH_SIZES;
        if (ok)
            c->graph_sizes[c->n_graph_sizes++] = (int)v;
        if (!ok || !graph_sizes_ok(c))
            return diag_error(d, NULL, 0, 0, flag,
                              "expected batch sizes in ascending order, comma-separated, at most %d of them "
                              "(e.g. 1,2,4,8,16,32,64,128,256,384,512,1024,2048), or none; got \"%.60s\"",
                              SERVE_MAX_GRAPH_SIZES, list);
        if (*end == '\0')
            return IS_OK;
        p = end;
    }
}

status_t serve_run(const deploy_t *dep, workload_t *w, const serve_cfg_t *cfg, serve_result_t *r, diag_t *d)
{
    memset(r, 0, sizeof *r);
    hist_clear(&r->ttft);
    hist_clear(&r->tpot);
    hist_clear(&r->e2e);
    hist_clear(&r->itl);
    hist_clear(&r->queue);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    if (!graph_sizes_ok(cfg))
        return diag_error(d, NULL, 0, 0, "--graph-batches",
                          "CUDA-graph batch sizes must be whole numbers >= 1 in ascending order (at most %d)",
                          SERVE_MAX_GRAPH_SIZES);
    if (cfg->max_seqs < 1 || cfg->max_tokens < 1 || cfg->block_tokens < 1 || cfg->block_tokens > 4096)
        return diag_error(d, NULL, 0, 0, cfg->block_tokens < 1 || cfg->block_tokens > 4096 ? "--block" : "--max-seqs",
                          "expected max_seqs >= 1, max_tokens >= 1 and a block of 1 to 4096 tokens");
    if (!(cfg->host_gap_s >= 0 && cfg->frontend_s >= 0 && cfg->frontend_s_per_token >= 0))
        return diag_error(d, NULL, 0, 0, !(cfg->host_gap_s >= 0) ? "--host-us-gap" : "--frontend-ms",
                          "expected a host gap and front-end times of 0 or more");
    if (cfg->spec != SPEC_NONE && (cfg->spec_k < 1 || !(cfg->spec_accept >= 0 && cfg->spec_accept <= 1)))
        return diag_error(d, NULL, 0, 0, "--spec-tokens", "speculative decoding needs k >= 1 proposed tokens and an "
                          "acceptance rate from 0 to 1");
    static sim_t s0;
    sim_t *s = &s0;
    memset(s, 0, sizeof *s);
    s->cfg = cfg;
    s->w = w;
    s->r = r;
    s->free_head = -1;
    s->B = cfg->block_tokens;
    s->q = cfg->spec != SPEC_NONE ? cfg->spec_k + 1 : 1;
    if (cfg->spec == SPEC_NONE)
        s->e = 1.0;
    else if (cfg->spec_accept >= 1.0)
        s->e = cfg->spec_k + 1.0;
    else
        s->e = (1.0 - pow(cfg->spec_accept, cfg->spec_k + 1)) / (1.0 - cfg->spec_accept);
    r->spec_tokens_per_step = s->e;
    serve_cfg_t c2 = *cfg;
    if ((long)c2.max_seqs * s->q > c2.max_tokens) {
        diag_warn(d, "max_seqs %d x %d tokens each exceeds the %d-token step budget: at most %d requests run at once",
                  c2.max_seqs, s->q, c2.max_tokens, c2.max_tokens / s->q);
        c2.max_seqs = c2.max_tokens / s->q;
        if (c2.max_seqs < 1)
            return diag_error(d, NULL, 0, 0, "--max-tokens", "a step of %d tokens cannot hold one request's %d tokens",
                              c2.max_tokens, s->q);
    }
    s->cfg = cfg = &c2;

    int disagg = cfg->prefill_dep != NULL;
    int dp = dep->cfg.plan.dp, lock = dep->cfg.plan.ep > dep->cfg.plan.tp;
    int n_dec_deploys = disagg ? cfg->decode_instances : cfg->replicas;
    s->n_prefill_inst = disagg ? cfg->prefill_instances * cfg->prefill_dep->cfg.plan.dp : 0;
    s->n_inst = s->n_prefill_inst + n_dec_deploys * dp;
    int n_gangs = s->n_prefill_inst + n_dec_deploys * (lock ? 1 : dp);
    s->inst = calloc((size_t)s->n_inst, sizeof(inst_t));
    s->gang = calloc((size_t)n_gangs, sizeof(gang_t));
    status_t st = IS_OK;
    if (!s->inst || !s->gang) {
        st = IS_ERR_NOMEM;
        goto out;
    }
    int k = 0, g = 0;
    for (int i = 0; i < s->n_prefill_inst; i++, k++, g++) {
        s->gang[g] = (gang_t){k, 1, 0, 0, -1};
        if ((st = inst_init(s, &s->inst[k], cfg->prefill_dep, ROLE_PREFILL, g, d)) != IS_OK)
            goto out;
    }
    for (int i = 0; i < n_dec_deploys; i++) {
        for (int j = 0; j < dp; j++, k++) {
            if (!lock || j == 0)
                s->gang[g++] = (gang_t){k, lock ? dp : 1, 0, 0, -1};
            if ((st = inst_init(s, &s->inst[k], dep, disagg ? ROLE_DECODE : ROLE_BOTH, g - 1, d)) != IS_OK)
                goto out;
        }
    }
    s->n_gang = g;
    r->instances = s->n_inst;
    const inst_t *last = &s->inst[s->n_inst - 1];
    r->kv_capacity_tokens = last->blockB > 0 ? (last->split ? last->blk_cap_B : last->kv_cap_B) / (last->blockB / s->B) : 0;
    if (cfg->spec == SPEC_DRAFT)
        deploy_place(cfg->draft_dep, cfg->max_seqs, 0, cfg->max_tokens, &s->draft_pl);
    if (disagg) {
        int chips = cfg->prefill_instances * cfg->prefill_dep->cfg.plan.chips +
                    cfg->decode_instances * dep->cfg.plan.chips;
        if ((st = collective_plan(dep->sys, COLL_SENDRECV, chips, &s->xfer, d)) != IS_OK)
            goto out;
        s->kv_B_per_token_all = model_kv_bytes_per_token(dep->model, &dep->cfg.kv);
    }
    /* the time series: about 1000 samples over the load, finer when a trace is short */
    s->sample_s = cfg->sample_s > 0 ? cfg->sample_s : w->cfg.duration_s > 0 ? w->cfg.duration_s / 1000 : 1.0;
    s->next_sample = s->sample_s;
    r->sample_s = s->sample_s;
    if (cfg->timeseries)
        fprintf(cfg->timeseries, "time_s,waiting,running,kv_use,output_tok_s\n");

    /* first arrivals */
    request_spec_t q;
    if (w->cfg.arrival == ARRIVE_CLOSED) {
        for (int u = 0; u < w->cfg.users; u++)
            if (ev_push(s, 0.0, EV_USER, u)) {
                st = IS_ERR_NOMEM;
                goto out;
            }
    } else {
        int got = workload_next(w, &q, d);
        if (got < 0) {
            st = IS_ERR_INPUT;
            goto out;
        }
        if (got && ev_push(s, q.arrival_s, EV_ARRIVAL, 0)) {
            st = IS_ERR_NOMEM;
            goto out;
        }
    }
    unsigned polls = 0;
    while (s->n_ev > 0 && !s->err) {
        if ((polls & 0xffff) == 0 && cfg->progress)
            show_progress(s, 0);
        if ((++polls & 1023) == 0 && interrupt_requested()) {
            diag_error(d, NULL, 0, 0, NULL, "interrupted at %.1f s of simulated time, %ld of %ld requests completed: "
                       "nothing written", s->now, r->completed, r->arrived);
            st = IS_INTERRUPTED;
            goto out;
        }
        event_t e = ev_pop(s);
        advance(s, e.t);
        switch (e.kind) {
        case EV_ARRIVAL: {
            if (arrive(s, &q, -1)) {
                s->err = IS_ERR_NOMEM;
                break;
            }
            int got = workload_next(w, &q, d);
            if (got < 0) {
                st = IS_ERR_INPUT;
                goto out;
            }
            if (got && ev_push(s, q.arrival_s, EV_ARRIVAL, 0))
                s->err = IS_ERR_NOMEM;
            break;
        }
        case EV_USER: {
            request_spec_t u;
            if (workload_closed_request(w, s->now, &u) && arrive(s, &u, e.id))
                s->err = IS_ERR_NOMEM;
            break;
        }
        case EV_FRONT:
            if (enqueue(s, e.id))
                s->err = IS_ERR_NOMEM;
            break;
        case EV_XFER: {
            req_t *rq = &s->req[e.id];
            inst_t *P = &s->inst[rq->inst];
            release_blocks_prefill(P, rq);
            release_window(P, rq);
            prefix_release(P, s->req, e.id);
            rq->gen = 1;
            rq->first_done = 1;
            rq->t_first = s->now;
            s->emitted += 1;
            r->events++;
            inst_t *D = &s->inst[rq->dst];
            rq->inst = rq->dst;
            if (rq->gen >= rq->osl) {
                complete(s, D, e.id, s->now);
            } else {
                rq->state = ST_READY;
                if (dq_push(&D->ready, e.id, 0)) {
                    s->err = IS_ERR_NOMEM;
                    break;
                }
                s->waiting_total++;
                kick(s, D->gang);
            }
            kick(s, P->gang);
            break;
        }
        case EV_ITER: {
            gang_t *G = &s->gang[e.id];
            for (int i = 0; i < G->n; i++) {
                inst_t *I = &s->inst[G->first + i];
                /* every decoding request waited this iteration for its next e tokens */
                if (I->iter_dec > 0)
                    hist_add(&r->itl, (s->now - G->t_start) / s->e, (uint32_t)I->iter_dec);
                if (apply(s, I, s->now))
                    break;
            }
            G->busy = 0;
            G->t_end = s->now;
            kick(s, e.id);
            break;
        }
        }
    }
    if (cfg->progress)
        show_progress(s, 1);
    if (s->err) {
        st = s->err;
        if (st == IS_ERR_NOMEM)
            diag_error(d, NULL, 0, 0, NULL, "out of memory during the simulation");
        goto out;
    }
    /* the tail of the time series */
    if (s->t_prev > 0 && s->next_sample - s->sample_s < s->t_prev)
        sample(s, s->t_prev);
    r->makespan_s = r->last_completion_s - r->first_arrival_s;
    double span = s->t_prev - r->first_arrival_s;
    if (r->makespan_s > 0) {
        r->output_tok_s = r->output_tokens / r->makespan_s;
        r->total_tok_s = (r->input_tokens + r->output_tokens) / r->makespan_s;
        r->request_s = r->completed / r->makespan_s;
        r->goodput_req_s = r->goodput_requests / r->makespan_s;
    }
    r->chips = (disagg ? cfg->decode_instances : cfg->replicas) * dep->cfg.plan.chips +
               (disagg ? cfg->prefill_instances * cfg->prefill_dep->cfg.plan.chips : 0);
    if (cfg->site)
        cost_run(dep->sys, cfg->site, r->chips, s->dyn_J, r->makespan_s, r->output_tokens, &r->cost);
    if (span > 0) {
        r->mean_in_system = s->area_sys / span;
        r->mean_waiting = s->area_wait / span;
        r->mean_running = s->area_run / span;
        r->mean_kv_use = s->area_kv / span;
    }
    if (r->arrived > 1 && s->last_arrival > r->first_arrival_s)
        r->mean_arrival_rate = (r->arrived - 1) / (s->last_arrival - r->first_arrival_s);
    r->kv_transfer_mean_s = s->xfer_n ? s->xfer_sum / s->xfer_n : 0;
out:
    for (int i = 0; i < s->n_inst && s->inst; i++)
        inst_free(&s->inst[i]);
    free(s->inst);
    free(s->gang);
    free(s->req);
    free(s->ev);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->wall_s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
    return st;
}
