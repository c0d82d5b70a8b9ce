/* fuzz_site_yaml.c — site file parser: any bytes get a site or an error. */
#include "fuzzutil.h"
#include "../src/io/site_yaml.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static site_t s;
    diag_t d;
    diag_clear(&d);
    site_load_buffer((const char *)data, size, "fuzz.yaml", &s, &d);
    return 0;
}
