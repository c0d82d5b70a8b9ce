/*
 * system.h — one chip and what surrounds it: compute, memory tiers, interconnect
 * levels, host, power, price, and the software stack's fixed costs.
 *
 * A system_t is filled from a YAML system file by system_load() (io/system_yaml.c)
 * and is then read-only.  All values are SI base units (bytes, bytes/s, FLOP/s,
 * seconds, watts, joules, US dollars); the file's units (GB, GB/s, TFLOP/s, ns, pJ)
 * are converted on load.  No pointers: copy freely.
 */
#ifndef INFERSIM_SYSTEM_H
#define INFERSIM_SYSTEM_H

#include "precision.h"

#define SYS_MAX_TIERS 4
#define SYS_MAX_LEVELS 4
#define SYS_MAX_TORUS_DIMS 6

#define TOPOLOGIES(X)                       \
    X(TOPO_SWITCH, "switch")                \
    X(TOPO_RING, "ring")                    \
    X(TOPO_TORUS, "torus")                  \
    X(TOPO_FULLY_CONNECTED, "fully_connected") \
    X(TOPO_FAT_TREE, "fat_tree")            \
    X(TOPO_DRAGONFLY, "dragonfly")

typedef enum topology {
#define X(e, s) e,
    TOPOLOGIES(X)
#undef X
    TOPO_COUNT
} topology_t;
extern const char *const topology_names[TOPO_COUNT];

#define SYS_MAX_WEIGHT_EFF 8

typedef struct mem_tier {
    char name[32];
    double capacity_B;      /* bytes per chip */
    double bw_Bps;          /* peak bandwidth per chip, bytes/s */
    double efficiency;      /* achievable fraction of bw_Bps for streaming reads */
    double copy_efficiency; /* ... for a stream half read, half written (a copy, an element-wise
                             * kernel): memory[].copy_efficiency; 0 = efficiency */
    double grouped_efficiency; /* ... at which a grouped (MoE) GEMM streams expert weights:
                             * memory[].grouped_efficiency; 0 = as dense weights */
    double latency_s;       /* load-to-use latency of one access */
    double access_B;        /* access granularity (bytes); a smaller read costs this much */
    double energy_J_per_bit;/* access energy per bit moved */
    double usd_per_GB;      /* price per 1e9 bytes */
    double endurance_pe;    /* program/erase cycles (flash tiers); 0 = unlimited (DRAM) */
    double embodied_kg_per_GB; /* manufacturing footprint, kg CO2e per 1e9 bytes */
    /* processing in or near this memory (PIM: logic in the DRAM dies; PNM: a nearby die) */
    double near_flops;      /* peak FLOP/s of the logic at this tier, all units of a chip; 0 = none */
    double near_bw_Bps;     /* bandwidth that logic sees inside the memory (bank/stack internal) */
    double unit_B;          /* memory one unit of that logic holds: tensors shard into pieces this big */
    int read_only;          /* 1: holds weights / read-mostly data only (HBF, flash) */
    int spill_only;         /* read-only tier that takes weights only when the tiers before it
                             * are full (a phone's UFS storage), not first as an HBF stack does */
    /* the fraction of bw_Bps at which decode kernels stream weights stored in a format, where it
     * differs from `efficiency` (on a CPU, dequantizing int8 or bf16 competes with the stream) */
    int n_weight_eff;
    struct {
        char format[16];
        double eff;
    } weight_eff[SYS_MAX_WEIGHT_EFF];
} mem_tier_t;

typedef struct net_level {
    char name[32];
    int domain_chips;       /* chips reachable at this level; 0 = unbounded */
    double bw_Bps;          /* per chip, per direction */
    double efficiency;      /* achievable fraction of bw_Bps */
    topology_t topology;
    int ndims;              /* torus: number of dimensions (dims below) */
    int dims[SYS_MAX_TORUS_DIMS]; /* torus: extent of each dimension */
    int switch_radix;       /* fat tree: chips (or switches) below each switch */
    double hop_latency_s;   /* one link traversal */
    double switch_latency_s;/* one switch traversal (switch topology) */
    double landing_s;       /* per algorithm step: what arrived becomes readable by the next step
                             * (written to DRAM and read back: 2 x its latency; less when it
                             * lands in on-chip SRAM) */
    int in_network_reduction; /* the switch can reduce/multicast (NVLink/IB SHARP) */
    double energy_J_per_bit;
} net_level_t;

typedef struct system {
    char name[64];
    char description[256];
    char klass[16];          /* "datacenter", "edge" or "cpu" */
    char chip_name[64];
    char path[512];

    double clock_Hz;
    double sram_B;                 /* on-chip SRAM (caches, scratchpads) */
    double peak_flops[CC_COUNT];   /* dense peak per compute class, FLOP/s; 0 = no fast path */
    double compute_eff;            /* achievable fraction of peak on large GEMMs */
    double compute_eff_by[CC_COUNT]; /* ... for one compute class, where it differs (Hopper's fp8 GEMMs
                                    * reach less of their peak than its bf16 ones): chip.
                                    * compute_efficiency_by_precision; 0 = compute_eff */
    double gemv_eff;               /* ... and on one token (a decode GEMV at batch 1): chip.gemv_efficiency;
                                    * 0 = as compute_eff (a CPU's GEMV kernel can beat its GEMM kernel) */
    double mixed_eff;              /* ... of the activations' peak, for matrix products whose weights are in a
                                    * narrower format that the matrix units cannot take (W4A16, W8A16): the
                                    * kernel converts every weight in registers, and the conversions take
                                    * issue slots from the MMAs; chip.mixed_input_efficiency; 0 = as the
                                    * activations' format's own GEMMs */
    int mixed_fp_native;           /* 1: the matrix units take fp4 weights (MXFP4, NVFP4) against fp8
                                    * activations as they are (Blackwell's block-scaled MMA, kind::f8f6f4),
                                    * so that pair is not converted: chip.mixed_fp_native */
    double energy_J_per_flop[CC_COUNT]; /* dynamic energy per FLOP per compute class; 0 = unknown */
    double exp_rate;               /* exponentials per second of the special-function units (chip.exp_Gops): a
                                    * softmax takes one per attention score; 0 = not modelled (free) */
    double embodied_kg;            /* package manufacturing footprint (memory excluded), kg CO2e */

    int n_tiers;
    mem_tier_t tier[SYS_MAX_TIERS];
    int n_levels;
    net_level_t level[SYS_MAX_LEVELS];

    double host_mem_B;             /* host DRAM per chip */
    double host_link_Bps;          /* chip <-> host, per direction */
    double tdp_W, idle_W;
    double logic_power_cap_W;      /* thermal cap on the logic's dynamic power (3D-stacked logic); 0 = none */
    double battery_J;              /* battery of a phone or laptop; 0 = mains powered */
    double chip_usd;

    /* the server the chips sit in */
    int server_chips;              /* chips per server (0: unknown, taken as 1) */
    double host_usd;               /* server price without its chips */
    double host_power_W;           /* server power beyond the chips */
    double server_embodied_kg;     /* server footprint without its chips, kg CO2e */
    double server_rack_units;      /* height in a rack */

    double kernel_overhead_s;      /* per kernel on the critical path (launch / sync gap) */
    double collective_launch_s;    /* fixed software cost of one collective */
    double reserved_B;             /* runtime memory unavailable to weights/KV, on tier 0 */
} system_t;

/* Peak FLOP/s the chip reaches for compute class `cc`, following fallbacks when the
 * chip lacks it; *used (may be NULL) gets the class actually used. 0 if none. */
double system_peak_flops(const system_t *s, compute_class_t cc, compute_class_t *used);

/* Achievable fraction of peak for GEMMs of compute class cc (the class a peak was found
 * for): chip.compute_efficiency_by_precision's, else chip.compute_efficiency. */
static inline double system_compute_eff(const system_t *s, compute_class_t cc)
{
    return cc >= 0 && cc < CC_COUNT && s->compute_eff_by[cc] > 0 ? s->compute_eff_by[cc] : s->compute_eff;
}

/* Dynamic energy per FLOP for compute class cc, following the same fallbacks as the
 * peaks (a class without a value takes the next wider one's); 0 if none is given. */
double system_energy_per_flop(const system_t *s, compute_class_t cc);

/* The same, or where the file gives none the upper bound (TDP - idle) / peak of that class
 * (at full power the whole dynamic power charged to the matrix units); 0 without power data. */
double system_flop_energy(const system_t *s, compute_class_t cc);

/* Sum of tier capacities (bytes per chip). */
double system_capacity(const system_t *s);

/* The first read-only tier that takes the weights first (an HBF stack; not a spill_only one), or -1. */
int system_read_only_tier(const system_t *s);

/* The streaming efficiency of weights in `format` (a precision name) on tier t: its
 * weight_efficiency entry, else t->efficiency. */
double system_weight_efficiency(const mem_tier_t *t, const char *format);

#endif
