/* fuzz_ui_api.c — the ui's JSON API: any request body to /api/predict (and, for a body
 * starting with '!', the rest to /api/sweep) gets a 200 with a prediction or an error
 * object, never a crash; the answer is always JSON with "error" exactly when it is not 200. */
#include "fuzzutil.h"
#include "../src/cli/ui_api.h"

#include <jansson.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size > 65536)
        return 0;
    const char *body = (const char *)data;
    const char *path = "/api/predict";
    if (size > 0 && body[0] == '!') {
        path = "/api/sweep";
        body++;
        size--;
    }
    char *out = NULL;
    int status = ui_api("POST", path, body, size, &out);
    if (!out)
        abort();
    json_t *o = json_loads(out, 0, NULL);
    if (!o || (status == 200) == (json_object_get(o, "error") != NULL))
        abort();
    json_decref(o);
    free(out);
    return 0;
}
