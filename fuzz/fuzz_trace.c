/* fuzz_trace.c — trace CSV reader: any bytes get rows or an error with a line. */
#include "fuzzutil.h"
#include "../src/io/trace.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size == 0)
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        return 0;
    trace_reader_t t;
    diag_t d;
    diag_clear(&d);
    if (trace_attach(&t, f, "fuzz.csv", &d) == IS_OK) {
        trace_row_t r;
        while (trace_next(&t, &r, &d) > 0)
            if (r.input_tokens < 1 || r.output_tokens < 1 || r.prefix_tokens >= r.input_tokens || !(r.arrival_s >= 0))
                abort();
        trace_close(&t);
    }
    return 0;
}
