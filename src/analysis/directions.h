/*
 * directions.h — the paper's research directions as changes to a system, with the figures of
 * data/paper/technologies.yaml: High Bandwidth Flash stacks as a read-only tier, 3D
 * memory-logic stacking (more bandwidth, less energy per bit, logic power capped), a
 * lower-latency interconnect, and processing in or near memory on the first tier.
 * `infersim study paper` and the search's `directions.*` sweep fields both use them.
 */
#ifndef INFERSIM_DIRECTIONS_H
#define INFERSIM_DIRECTIONS_H

#include "../core/system.h"
#include "../io/paper_yaml.h"

/* Add an HBF tier of `stacks` stacks (Table 3: capacity, bandwidth, read size, latency —
 * the text's 50 us when text_latency —, energy, price, endurance); the chip's price and
 * TDP grow by the stacks'.  No-op when the system has no free tier slot. */
void directions_add_hbf(system_t *s, const paper_data_t *p, double stacks, int text_latency);

/* 3D stacking: the first tier's bandwidth x stack_bandwidth_multiplier, its energy per bit
 * / stack_energy_per_bit_divisor, and the logic's dynamic power capped to
 * stack_logic_power_fraction of the chip's. */
void directions_add_3d(system_t *s, const paper_data_t *p);

/* Low-latency interconnect: hop, switch and collective-launch latencies / the divisor. */
void directions_add_lowlat(system_t *s, const paper_data_t *p);

/* Small messages landed in on-chip SRAM: every level's per-step landing (written and read
 * back, 2 x the DRAM latency by default) becomes sram_landing_latency_ns. */
void directions_add_sram_landing(system_t *s, const paper_data_t *p);

/* Logic in (pim) or near (!pim) the first tier's memory. */
void directions_add_near(system_t *s, const paper_data_t *p, int pim);

/* A sweep's `directions.NAME: value`: hbf_stacks (a count, 0 = none), stack_3d, low_latency,
 * sram_landing, pim, pnm (0 off, 1 on).  Returns 0, or -1 for an unknown name. */
int directions_apply(system_t *s, const paper_data_t *p, const char *name, double value);

#endif
