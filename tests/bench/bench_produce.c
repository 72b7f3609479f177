/*
 * bench-produce: a produce load generator on the librdkafka 2.15.1 C API,
 * for tests/bench/bench.py. P producer threads, each with its own client,
 * send COUNT/P records of SIZE bytes as fast as the client's queue takes
 * them; every delivery report's latency (produce() to report) is kept.
 * Prints one JSON object:
 *
 *   {"records": N, "bytes": B, "seconds": S, "errors": E,
 *    "latency_ms": {"p50": .., "p99": .., "p999": .., "max": ..}}
 *
 *   bench-produce --bootstrap B --topic T --count N --size BYTES
 *       [--producers P] [--linger-ms MS] [--acks all|1] [--idempotent]
 *       [--compression none|gzip|snappy|lz4|zstd] [--timeout S]
 *       [--payload random|orders]
 *
 * Payloads are random bytes by default: incompressible, so that no codec
 * flatters a figure. `orders` makes each record a JSON order of about SIZE
 * bytes whose fields vary record by record (ids, customers, products,
 * amounts, a note from a small vocabulary): compressible as real payloads
 * are, for the compression figure only.
 */
#define DRIVER "bench-produce"

#include <getopt.h>
#include <pthread.h>
#include <stdint.h>

#include "../integration/clients/rdkafka_common.h"

struct options {
        const char *bootstrap, *topic, *acks, *compression;
        long count, size, producers, linger_ms;
        int idempotent, orders;
        double timeout_s;
};

struct producer {
        const struct options *o;
        long count;        /* records this thread sends */
        double *sent_at;   /* per record, seconds */
        double *latencies; /* per delivered record, seconds */
        long delivered, errors;
        char first_error[256];
};

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
        struct producer *p = opaque;
        long i             = (long)(intptr_t)m->_private;
        (void)rk;
        if (m->err) {
                if (p->errors++ == 0)
                        snprintf(p->first_error, sizeof(p->first_error), "%s",
                                 rd_kafka_err2str(m->err));
                return;
        }
        p->latencies[p->delivered++] = now_s() - p->sent_at[i];
}

static uint32_t next_random(uint32_t *state) {
        *state ^= *state << 13;
        *state ^= *state >> 17;
        *state ^= *state << 5;
        return *state;
}

/* Writes record `seq` as a JSON order padded to `size` bytes with a note
 * (cut at `size`, so a small SIZE gives a truncated record: still text). */
static void order_json(char *out, long size, long seq, uint32_t *rng) {
        static const char *const statuses[] = {"created", "paid", "packed",
                                               "shipped", "delivered"};
        static const char *const currencies[] = {"EUR", "USD", "GBP"};
        static const char *const words[] = {
            "please",   "leave", "at",    "the",     "door",  "gift",
            "wrap",     "call",  "before", "delivery", "fragile", "handle",
            "with",     "care",  "back",  "entrance", "no",    "invoice"};
        char buf[8192];
        uint32_t r = next_random(rng);
        int n      = snprintf(
            buf, sizeof(buf),
            "{\"order_id\":%ld,\"customer\":\"cust-%05u\",\"sku\":\"SKU-%04u-%c\","
            "\"qty\":%u,\"price_cents\":%u,\"currency\":\"%s\",\"status\":\"%s\","
            "\"created_at\":\"2024-05-%02uT%02u:%02u:%02u.%03uZ\",\"note\":\"",
            1000000 + seq, r % 20000, next_random(rng) % 5000,
            'A' + (char)(r % 4), 1 + r % 9, 199 + next_random(rng) % 50000,
            currencies[r % 3], statuses[(r >> 8) % 5], 1 + (r >> 4) % 28,
            (r >> 12) % 24, (r >> 16) % 60, (r >> 20) % 60, (r >> 22) % 1000);
        while (n < (int)sizeof(buf) - 32 && n < size - 2)
                n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%s ",
                              words[next_random(rng) % 18]);
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, "\"}");
        if (n > size)
                n = (int)size;
        memcpy(out, buf, (size_t)n);
        memset(out + n, ' ', (size_t)(size - n));
}

static void *run(void *arg) {
        struct producer *p     = arg;
        const struct options *o = p->o;
        char errstr[512], linger[32];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_t *rk;
        char *payload = malloc((size_t)o->size);
        long i;
        double deadline;
        uint32_t noise = 2463534242u;

        /* Incompressible bytes (xorshift) unless --payload orders: what a
         * codec saves is not the point of the other figures. */
        for (i = 0; i < o->size; i++)
                payload[i] = (char)(next_random(&noise) & 0xff);
        set(conf, "bootstrap.servers", o->bootstrap);
        set(conf, "acks", o->acks);
        set(conf, "compression.codec", o->compression);
        snprintf(linger, sizeof(linger), "%ld", o->linger_ms);
        set(conf, "linger.ms", linger);
        set(conf, "queue.buffering.max.messages", "1000000");
        set(conf, "message.timeout.ms", "120000");
        if (o->idempotent)
                set(conf, "enable.idempotence", "true");
        rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
        rd_kafka_conf_set_opaque(conf, p);
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk)
                usage(errstr);

        for (i = 0; i < p->count; i++) {
                if (o->orders)
                        order_json(payload, o->size, i, &noise);
                p->sent_at[i] = now_s();
                while (rd_kafka_producev(
                           rk, RD_KAFKA_V_TOPIC(o->topic),
                           RD_KAFKA_V_VALUE(payload, (size_t)o->size),
                           /* Copied: an orders payload is rewritten per record. */
                           RD_KAFKA_V_MSGFLAGS(o->orders ? RD_KAFKA_MSG_F_COPY : 0),
                           RD_KAFKA_V_OPAQUE((void *)(intptr_t)i),
                           RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                        rd_kafka_poll(rk, 1);
                        p->sent_at[i] = now_s();
                }
                rd_kafka_poll(rk, 0);
        }
        deadline = now_s() + o->timeout_s;
        while (rd_kafka_outq_len(rk) > 0 && now_s() < deadline)
                rd_kafka_poll(rk, 10);
        rd_kafka_destroy(rk);
        free(payload);
        return NULL;
}

static int by_value(const void *a, const void *b) {
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

static double quantile_ms(const double *sorted, long n, double q) {
        long at;
        if (n == 0)
                return 0;
        at = (long)(q * (double)(n - 1) + 0.5);
        return sorted[at] * 1e3;
}

int main(int argc, char **argv) {
        struct options o = {.acks = "all", .compression = "none", .size = 100,
                            .producers = 1, .linger_ms = 5, .timeout_s = 300};
        struct producer *producers;
        pthread_t *threads;
        double *all, started, seconds;
        long i, j, n = 0, errors = 0;
        const char *first_error = NULL;
        static const struct option longopts[] = {
            {"bootstrap", required_argument, 0, 'b'},
            {"topic", required_argument, 0, 't'},
            {"count", required_argument, 0, 'n'},
            {"size", required_argument, 0, 's'},
            {"producers", required_argument, 0, 'p'},
            {"linger-ms", required_argument, 0, 'l'},
            {"acks", required_argument, 0, 'a'},
            {"compression", required_argument, 0, 'c'},
            {"idempotent", no_argument, 0, 'i'},
            {"timeout", required_argument, 0, 'T'},
            {"payload", required_argument, 0, 'P'},
            {0, 0, 0, 0}};
        int opt;

        while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (opt) {
                case 'b': o.bootstrap = optarg; break;
                case 't': o.topic = optarg; break;
                case 'n': o.count = atol(optarg); break;
                case 's': o.size = atol(optarg); break;
                case 'p': o.producers = atol(optarg); break;
                case 'l': o.linger_ms = atol(optarg); break;
                case 'a': o.acks = optarg; break;
                case 'c': o.compression = optarg; break;
                case 'i': o.idempotent = 1; break;
                case 'T': o.timeout_s = atof(optarg); break;
                case 'P':
                        if (strcmp(optarg, "orders") && strcmp(optarg, "random"))
                                usage("--payload is random or orders");
                        o.orders = !strcmp(optarg, "orders");
                        break;
                default: usage("unknown option");
                }
        }
        if (!o.bootstrap || !o.topic || o.count <= 0 || o.size <= 0 || o.producers <= 0)
                usage("--bootstrap, --topic, --count > 0 and --size > 0 are required");

        producers = calloc((size_t)o.producers, sizeof(*producers));
        threads   = calloc((size_t)o.producers, sizeof(*threads));
        for (i = 0; i < o.producers; i++) {
                struct producer *p = &producers[i];
                p->o               = &o;
                p->count     = o.count / o.producers + (i < o.count % o.producers);
                p->sent_at   = calloc((size_t)p->count + 1, sizeof(double));
                p->latencies = calloc((size_t)p->count + 1, sizeof(double));
        }
        started = now_s();
        for (i = 0; i < o.producers; i++)
                pthread_create(&threads[i], NULL, run, &producers[i]);
        for (i = 0; i < o.producers; i++)
                pthread_join(threads[i], NULL);
        seconds = now_s() - started;

        all = calloc((size_t)o.count + 1, sizeof(double));
        for (i = 0; i < o.producers; i++) {
                for (j = 0; j < producers[i].delivered; j++)
                        all[n++] = producers[i].latencies[j];
                errors += producers[i].count - producers[i].delivered;
                if (!first_error && producers[i].errors)
                        first_error = producers[i].first_error;
        }
        qsort(all, (size_t)n, sizeof(double), by_value);
        printf("{\"records\": %ld, \"bytes\": %ld, \"seconds\": %.6f, \"errors\": %ld, "
               "\"latency_ms\": {\"p50\": %.3f, \"p99\": %.3f, \"p999\": %.3f, \"max\": %.3f}",
               n, n * o.size, seconds, errors, quantile_ms(all, n, 0.5),
               quantile_ms(all, n, 0.99), quantile_ms(all, n, 0.999),
               quantile_ms(all, n, 1.0));
        if (first_error) {
                printf(", \"first_error\": ");
                json_str(first_error);
        }
        printf("}\n");
        return errors ? 1 : 0;
}
