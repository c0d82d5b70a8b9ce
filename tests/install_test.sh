#!/bin/sh
# make install into a temporary prefix, then, away from this checkout:
#  - the installed command runs and finds its presets (no INFERSIM_DATA);
#  - a small program builds against the installed library with pkg-config, shared and
#    static, and its prediction equals the command's (same engine in-process);
#  - the man page and the pkg-config file are in place.
# Ends with "install: N passed, M failed".
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }
unset INFERSIM_DATA

prefix="$tmp/prefix"
if ! make -C "$top" --no-print-directory install PREFIX="$prefix" >"$tmp/log" 2>&1; then
    echo "make install failed:"; tail -20 "$tmp/log"; echo "install: 0 passed, 1 failed"; exit 1
fi
cd "$tmp" || exit 1
for f in bin/infersim lib/libinfersim.a lib/libinfersim.so lib/libinfersim.so.0 lib/pkgconfig/infersim.pc \
         include/infersim/infersim.h include/infersim/analysis/predict.h share/man/man1/infersim.1 \
         share/infersim/data/models/llama-3.1-8b.json; do
    [ -e "$prefix/$f" ] && ok || bad "$f not installed"
done
"$prefix/bin/infersim" predict --model llama-3.1-8b --system h100-sxm --batch 8 --json >"$tmp/cmd.json" 2>"$tmp/err" &&
    ok || { bad "the installed command"; cat "$tmp/err"; }
grep -q '^\.TH INFERSIM 1' "$prefix/share/man/man1/infersim.1" && ok || bad "man page header"
if command -v man >/dev/null 2>&1; then
    MANPATH="$prefix/share/man" man -w infersim 2>/dev/null | grep -q "infersim.1" && ok || bad "man finds infersim"
fi

cat >"$tmp/prog.c" <<'C'
/* A program on the installed library: Llama-3.1-8B, batch 8, on one H100; prints TPOT. */
#include <infersim/infersim.h>
#include <stdio.h>

int main(void)
{
    static model_t m;
    static system_t s;
    static predict_result_t r;
    char p[4096];
    diag_t d;
    diag_clear(&d);
    if (catalog_resolve(CATALOG_MODELS, "llama-3.1-8b", p, sizeof p, &d) || model_load(p, &m, &d) ||
        catalog_resolve(CATALOG_SYSTEMS, "h100-sxm", p, sizeof p, &d) || system_load(p, &s, &d)) {
        fprintf(stderr, "%s\n", d.message);
        return 2;
    }
    predict_req_t req;
    predict_req_default(&req, &m);
    req.batch = 8;
    if (predict_run(&m, &s, &req, &r, &d) != IS_OK) {
        fprintf(stderr, "%s\n", d.message);
        return 1;
    }
    printf("%.9g\n", r.tpot_s);
    return 0;
}
C
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
pkg-config --modversion infersim | grep -qx "0.1.0" && ok || bad "pkg-config version"
if cc -o "$tmp/prog" "$tmp/prog.c" $(pkg-config --cflags --libs infersim) 2>"$tmp/err"; then ok; else bad "build against the shared library"; cat "$tmp/err"; fi
if cc -static-libgcc -o "$tmp/prog-static" "$tmp/prog.c" $(pkg-config --cflags infersim) "$prefix/lib/libinfersim.a" \
      $(pkg-config --libs-only-l --static libfyaml jansson) -lm -pthread 2>"$tmp/err"; then ok; else bad "build against the static library"; cat "$tmp/err"; fi
want=$(jq -r '.tpot_s' "$tmp/cmd.json" 2>/dev/null)
got=$(LD_LIBRARY_PATH="$prefix/lib" "$tmp/prog" 2>"$tmp/err")
[ -n "$got" ] && awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= 1e-9 * b) }' &&
    ok || { bad "the program's TPOT ($got) equals the command's ($want)"; cat "$tmp/err"; }
ldd "$tmp/prog" | grep -q "$prefix/lib/libinfersim.so.0\|libinfersim.so.0 => $prefix" && ok ||
    { LD_LIBRARY_PATH="$prefix/lib" ldd "$tmp/prog" | grep -q "libinfersim.so.0" && ok || bad "linked to the shared library"; }
got=$("$tmp/prog-static" 2>"$tmp/err")
[ "$got" = "$(LD_LIBRARY_PATH="$prefix/lib" "$tmp/prog")" ] && ok || { bad "static and shared agree ($got)"; cat "$tmp/err"; }
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
