/*
 * What the librdkafka 2.15.1 C drivers share (produce_rdkafka.c,
 * consume_rdkafka.c). Define DRIVER (the program name, for messages) before
 * including this.
 */
#ifndef KS_RDKAFKA_COMMON_H
#define KS_RDKAFKA_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

static inline void usage(const char *msg) {
        fprintf(stderr, DRIVER ": %s\n", msg);
        exit(2);
}

/* Sets a config property or exits 2 (usage error). */
static inline void set(rd_kafka_conf_t *conf, const char *k, const char *v) {
        char errstr[512];
        if (rd_kafka_conf_set(conf, k, v, errstr, sizeof(errstr)) !=
            RD_KAFKA_CONF_OK)
                usage(errstr);
}

/* Prints s[0..len) as a JSON string. */
static inline void json_strn(const char *s, size_t len) {
        size_t i;
        putchar('"');
        for (i = 0; i < len; i++) {
                unsigned char c = (unsigned char)s[i];
                if (c == '"' || c == '\\')
                        printf("\\%c", c);
                else if (c < 0x20)
                        printf("\\u%04x", c);
                else
                        putchar(c);
        }
        putchar('"');
}

static inline void json_str(const char *s) {
        json_strn(s, strlen(s));
}

static inline double now_s(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif
