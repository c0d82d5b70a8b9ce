/* fuzz_system_yaml.c — system YAML parser: any bytes get a system or an error, and a
 * system gets a finite prediction of a small model. */
#include "fuzzutil.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static model_t m;
    static int ready;
    diag_t d;
    if (!ready) {
        diag_clear(&d);
        if (model_load_buffer(fuzz_model_json, sizeof fuzz_model_json - 1, "fuzz.json", &m, &d) != IS_OK)
            abort();
        ready = 1;
    }
    static system_t s;
    diag_clear(&d);
    if (system_load_buffer((const char *)data, size, "fuzz.yaml", &s, &d) == IS_OK)
        fuzz_predict(&m, &s);
    return 0;
}
