/*
 * cli.h — the command-line front end: argument parsing, output choice, exit codes.
 * Everything else lives in the library; commands only call it and print.
 *
 * Exit codes (documented in the README):
 *   0 success, 1 I/O error, 2 bad input (flag, file, value), 3 does not fit in memory,
 *   130 interrupted (SIGINT or SIGTERM during a long search or simulation).
 */
#ifndef INFERSIM_CLI_H
#define INFERSIM_CLI_H

#include "../core/deploy.h"
#include "../core/diag.h"
#include "../core/model.h"
#include "../core/site.h"
#include "../core/system.h"

#include "../version.h"

enum exit_code { EXIT_OK = 0, EXIT_IO = 1, EXIT_INPUT = 2, EXIT_NOFIT = 3, EXIT_INTERRUPTED = 130 };

/* Print d's error in compiler form on stderr; return the exit code for st. */
int cli_fail(status_t st, const diag_t *d);

/* Print warnings on stderr ("infersim: warning: ..."). */
void cli_warnings(const diag_t *d);

/* Parse a positive integer flag value; on error fills d. */
status_t cli_int(const char *flag, const char *v, int min, int *out, diag_t *d);

/* One of n names: *out = its index, or IS_ERR_INPUT naming the flag, a near match and the
 * names expected. */
status_t cli_choose(const char *flag, const char *v, const char *const *names, int n, int *out, diag_t *d);

struct option;
/* An unknown option of command `cmd`: an error with a near match among `opts`
 * (getopt_long's table), printed; returns the exit code. */
int cli_bad_option(const struct option *opts, const char *arg, const char *cmd);

/* Print a JSON value (indented) on stdout and release it; EXIT_IO, with a message, when
 * memory ran out while it was built or printed (nothing is printed then). */
int cli_print_json(void *json);

/* Route jansson's allocations through a counter (once, at start-up), and whether one failed. */
void cli_json_init(void);
int cli_json_failed(void);

/* A command that already reported a failed write to stdout says so, and main() does not
 * report it a second time. */
void cli_stdout_failure_reported(void);
int cli_stdout_failure_was_reported(void);

/* Everything derived from a model / a system, as `show model|system --json` prints it
 * (a jansson json_t *, returned as void * to keep jansson out of this header). */
void *cli_model_json(const model_t *m);
void *cli_system_json(const system_t *s);

/* Load a model / system / site by preset name or path. */
status_t cli_load_model(const char *name, model_t *m, diag_t *d);
status_t cli_load_system(const char *name, system_t *s, diag_t *d);
status_t cli_load_site(const char *name, site_t *s, diag_t *d);

/* getopt_long returned '?' for command cmd: an option missing its value (long options are
 * numbered from first_long) or an unknown one with a near match; printed; returns the exit code. */
int cli_getopt_error(const struct option *opts, char **argv, int first_long, const char *cmd);

/* The long name of option value c in opts (NULL if none), and "--name" in fl. */
const char *cli_option_name(const struct option *opts, int c, char *fl, size_t cap);

/* After the options: no stray argument, and --model and --system were given. */
status_t cli_after_options(int argc, char **argv, const char *model, const char *system, const char *cmd, diag_t *d);

/* The flags every deployment-taking command shares: --model --system --chips --tp --pp --ep
 * --dp --weights --experts --kv --act --expert-slots --expert-skew --decode-attention. */
typedef struct cli_deploy_flags {
    const char *model, *system, *weights, *experts, *kv, *act;
    int chips, tp, pp, ep, dp, expert_slots;
    double expert_skew;
    int decode_attn_per_head; /* --decode-attention per-head (deploy_cfg_t.decode_attn_per_head) */
} cli_deploy_flags_t;

void cli_deploy_flags_default(cli_deploy_flags_t *f);

/* Take option `name` (without dashes) when it is one of them: 1 (*st set), else 0. */
int cli_deploy_option(cli_deploy_flags_t *f, const char *name, const char *value, status_t *st, diag_t *d);

/* Chips and parallelism as flags give them: unset chips are tp x pp x dp; unset TP takes
 * every chip PP and DP leave (a count the plan does not multiply to is deploy_setup's error). */
status_t cli_split_chips(const char *flag, int *chips, int *tp, int pp, int dp, diag_t *d);

/* The precision flags (NULL: unset) applied to cfg: --weights sets the experts and the
 * embeddings' format too; an fp8/int8/fp4 --weights runs its GEMMs in that format unless
 * --act says otherwise.  Unknown names get a near match. */
status_t cli_precisions(deploy_cfg_t *cfg, const char *weights, const char *experts, const char *kv, const char *act,
                        diag_t *d);

/* search's value lists ("8" | "1,2,4" | "1..16" | "1..64:x2", "max" where allowed) and
 * precision lists ("fp8,bf16"); each returns the count, or -1 with d set. */
int cli_parse_values(const char *flag, const char *v, int *out, int max, int allow_max, diag_t *d);
int cli_parse_precisions(const char *flag, const char *v, precision_t *out, int max, diag_t *d);

/* One kept point of a search as `search --json` prints it (a json_t *). */
struct search_result;
struct search_space;
void *cli_search_point_json(const struct search_result *r, const struct search_space *sp, size_t i);

int cmd_predict(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_models(int argc, char **argv);
int cmd_systems(int argc, char **argv);
int cmd_sites(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_study(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_ui(int argc, char **argv);

#endif
