/* SPDX-License-Identifier: MIT */
/*
 * JSON output of the CLIs, over jansson: always valid JSON, errors
 * included ({"error": "..."}).
 */
#ifndef AP_JSON_OUT_H
#define AP_JSON_OUT_H

#include <jansson.h>
#include <stdio.h>

/* Print v (compact, one line) to f and release it. 0, or 1 when v is NULL. */
int json_out(FILE *f, json_t *v);
/* {"error": msg} on f; returns 1 (the exit status). */
int json_out_error(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A field value from the control socket: an integer when s is all digits
 * (and fits), else a string. */
json_t *json_from_field(const char *s);
/* A JSON string of s; bytes that are not UTF-8 become '?'. */
json_t *json_text(const char *s);

#endif
