/* fuzz_sweep_spec.c — sweep spec parser: any bytes get a spec or an error. */
#include "fuzzutil.h"
#include "../src/io/sweep_spec.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static sweep_spec_t sp;
    diag_t d;
    diag_clear(&d);
    sweep_spec_load_buffer((const char *)data, size, "fuzz.yaml", &sp, &d);
    return 0;
}
