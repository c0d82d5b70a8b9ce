#!/bin/sh
# Every number in a system preset carries its source: a trailing comment naming a
# source id of the file's `sources:` map ([id]), or saying `derived:` or `guess:`.
# Usage: check_sources.sh FILE...   (prints offending lines; exit 1 if any)
status=0
for f in "$@"; do
    awk -v F="$f" '
    function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
    /^sources:/ { insrc = 1; next }
    insrc && /^[^ \t#]/ { insrc = 0 }
    insrc {
        line = $0; sub(/#.*/, "", line); line = trim(line)
        if (line != "") { split(line, kv, ":"); ids[trim(kv[1])] = 1 }
        next
    }
    {
        val = $0; com = ""
        p = index($0, "#")
        if (p > 0) { val = substr($0, 1, p - 1); com = substr($0, p + 1) }
        # the value part: after the first colon
        q = index(val, ":")
        v = q > 0 ? substr(val, q + 1) : val
        if (v !~ /[0-9]/) next
        if (com ~ /derived:/ || com ~ /guess:/) next
        if (com !~ /\[[A-Za-z0-9_.-]+\]/) { printf "%s:%d: number without a source: %s\n", F, NR, $0; bad = 1; next }
        rest = com
        while (match(rest, /\[[A-Za-z0-9_.-]+\]/)) {
            id = substr(rest, RSTART + 1, RLENGTH - 2)
            refs[NR] = refs[NR] " " id
            rest = substr(rest, RSTART + RLENGTH)
        }
        lines[NR] = $0
    }
    END {
        for (n in refs) {
            k = split(refs[n], a, " ")
            for (i = 1; i <= k; i++)
                if (!(a[i] in ids)) { printf "%s:%d: unknown source id [%s]\n", F, n, a[i]; bad = 1 }
        }
        exit bad
    }' "$f" || status=1
done
exit $status
