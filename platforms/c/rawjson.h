/* rawjson.h — find the exact source text of an object member in JSON that
 * cJSON has already validated. The driver hands tether these spans rather
 * than cJSON's re-printed values, because cJSON keeps numbers as doubles:
 * re-printing would turn 9007199254740993 into 9007199254740992. */
#ifndef RAWJSON_H
#define RAWJSON_H

#include <stdbool.h>
#include <stddef.h>

/* Looks for member `key` (compared with the raw text of member names: a name
 * spelled with escapes is not found) among the top-level members of the JSON object at `json` (len bytes). On success sets
 * *value and *value_len to the member's value text and returns true. Returns
 * false if json is not an object or has no such member. */
bool raw_member(const char *json, size_t len, const char *key, const char **value, size_t *value_len);

#endif
