/* fuzz_model_config.c — config.json parser: any bytes get a model or an error, and a
 * model gets a finite prediction. */
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static system_t s;
    static int ready;
    diag_t d;
    if (!ready) {
        diag_clear(&d);
        if (system_load_buffer(fuzz_system_yaml, sizeof fuzz_system_yaml - 1, "fuzz.yaml", &s, &d) != IS_OK)
            abort();
        ready = 1;
    }
    static model_t m;
    diag_clear(&d);
    if (model_load_buffer((const char *)data, size, "fuzz.json", &m, &d) == IS_OK)
        fuzz_predict(&m, &s);
    return 0;
}
