/* rawjson.c — see rawjson.h. The input is already valid JSON (cJSON parsed
 * it), so this scanner only has to find boundaries, not to validate. */
#include <string.h>

#include "rawjson.h"

typedef struct {
    const char *p, *end;
} scanner;

static void skip_ws(scanner *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* Skips a string starting at its opening quote. */
static bool skip_string(scanner *s) {
    for (s->p++; s->p < s->end; s->p++) {
        if (*s->p == '\\')
            s->p++;
        else if (*s->p == '"') {
            s->p++;
            return true;
        }
    }
    return false;
}

/* Skips one value: a string, an object or array (by nesting depth, strings
 * skipped whole), or a scalar (up to the next delimiter). */
static bool skip_value(scanner *s) {
    skip_ws(s);
    if (s->p >= s->end)
        return false;
    if (*s->p == '"')
        return skip_string(s);
    if (*s->p == '{' || *s->p == '[') {
        int depth = 0;
        while (s->p < s->end) {
            char c = *s->p;
            if (c == '"') {
                if (!skip_string(s))
                    return false;
                continue;
            }
            s->p++;
            if (c == '{' || c == '[')
                depth++;
            else if ((c == '}' || c == ']') && --depth == 0)
                return true;
        }
        return false;
    }
    while (s->p < s->end && !strchr(",}] \t\r\n", *s->p))
        s->p++;
    return true;
}

bool raw_member(const char *json, size_t len, const char *key, const char **value, size_t *value_len) {
    scanner s = {json, json + len};
    size_t key_len = strlen(key);
    skip_ws(&s);
    if (s.p >= s.end || *s.p != '{')
        return false;
    s.p++;
    for (;;) {
        skip_ws(&s);
        if (s.p >= s.end || *s.p != '"')
            return false; /* '}' of an empty object, or malformed */
        const char *name = s.p + 1;
        if (!skip_string(&s))
            return false;
        bool match = (size_t)(s.p - 1 - name) == key_len && memcmp(name, key, key_len) == 0;
        skip_ws(&s);
        if (s.p >= s.end || *s.p != ':')
            return false;
        s.p++;
        skip_ws(&s);
        const char *start = s.p;
        if (!skip_value(&s))
            return false;
        if (match) {
            *value = start;
            *value_len = (size_t)(s.p - start);
            return true;
        }
        skip_ws(&s);
        if (s.p >= s.end || *s.p != ',')
            return false;
        s.p++;
    }
}
