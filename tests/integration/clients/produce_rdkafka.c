/*
 * rdkafka-produce-2.15: producer driver on the librdkafka 2.15.1 C API, the
 * modern client generation (flexible protocol versions). Same interface and
 * JSON output as the Python drivers (see common.py):
 *
 *   rdkafka-produce-2.15 --bootstrap B --topic T --count N --prefix P
 *       [--idempotent] [--acks all|1|0] [--compression none|gzip|snappy|lz4|zstd]
 *       [--key-mod K] [--headers] [--partition P] [--timestamp-base MS]
 *       [--linger-ms MS] [--timeout S]
 */
#define DRIVER "rdkafka-produce-2.15"

#include <getopt.h>
#include <inttypes.h>
#include <sys/time.h>

#include "rdkafka_common.h"

struct ack {
        int32_t partition;
        int64_t offset;
        long index;
        char *error; /* NULL when acked */
};

static struct ack *acks; /* in the order delivery reports arrived */
static long ack_cnt;
static long count;
static const char *prefix;
static long key_mod = 16;
static int64_t ts_base;

static void value_of(long i, char *buf, size_t size) {
        snprintf(buf, size, "%s-%06ld", prefix, i);
}

/* Returns 0 and no key when key_mod is 0. */
static size_t key_of(long i, char *buf, size_t size) {
        if (key_mod <= 0)
                return 0;
        return (size_t)snprintf(buf, size, "%s-k%ld", prefix, i % key_mod);
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
        struct ack *a = &acks[ack_cnt++];
        (void)rk;
        (void)opaque;
        a->index     = (long)(intptr_t)m->_private;
        a->partition = m->partition;
        a->offset    = m->offset;
        a->error     = m->err ? strdup(rd_kafka_err2str(m->err)) : NULL;
}

int main(int argc, char **argv) {
        const char *bootstrap = NULL, *topic = NULL, *acks_opt = "all";
        const char *compression = "none";
        int idempotent = 0, headers = 0;
        long partition = -1, linger_ms = 5;
        double timeout_s = 60, started;
        char errstr[512], buf[64];
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        long i, errors = 0, acked = 0;
        int first = 1;
        struct timeval tv;
        enum {
                O_BOOTSTRAP = 1,
                O_TOPIC,
                O_COUNT,
                O_PREFIX,
                O_IDEMPOTENT,
                O_ACKS,
                O_COMPRESSION,
                O_KEYMOD,
                O_HEADERS,
                O_PARTITION,
                O_TSBASE,
                O_LINGER,
                O_TIMEOUT
        };
        static const struct option longopts[] = {
            {"bootstrap", required_argument, NULL, O_BOOTSTRAP},
            {"topic", required_argument, NULL, O_TOPIC},
            {"count", required_argument, NULL, O_COUNT},
            {"prefix", required_argument, NULL, O_PREFIX},
            {"idempotent", no_argument, NULL, O_IDEMPOTENT},
            {"acks", required_argument, NULL, O_ACKS},
            {"compression", required_argument, NULL, O_COMPRESSION},
            {"key-mod", required_argument, NULL, O_KEYMOD},
            {"headers", no_argument, NULL, O_HEADERS},
            {"partition", required_argument, NULL, O_PARTITION},
            {"timestamp-base", required_argument, NULL, O_TSBASE},
            {"linger-ms", required_argument, NULL, O_LINGER},
            {"timeout", required_argument, NULL, O_TIMEOUT},
            {NULL, 0, NULL, 0}};
        int opt;

        gettimeofday(&tv, NULL);
        ts_base = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
        while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (opt) {
                case O_BOOTSTRAP: bootstrap = optarg; break;
                case O_TOPIC: topic = optarg; break;
                case O_COUNT: count = strtol(optarg, NULL, 10); break;
                case O_PREFIX: prefix = optarg; break;
                case O_IDEMPOTENT: idempotent = 1; break;
                case O_ACKS: acks_opt = optarg; break;
                case O_COMPRESSION: compression = optarg; break;
                case O_KEYMOD: key_mod = strtol(optarg, NULL, 10); break;
                case O_HEADERS: headers = 1; break;
                case O_PARTITION: partition = strtol(optarg, NULL, 10); break;
                case O_TSBASE: ts_base = strtoll(optarg, NULL, 10); break;
                case O_LINGER: linger_ms = strtol(optarg, NULL, 10); break;
                case O_TIMEOUT: timeout_s = strtod(optarg, NULL); break;
                default: usage("bad option");
                }
        }
        if (!bootstrap || !topic || !prefix || count < 0)
                usage("--bootstrap, --topic, --count and --prefix are required");

        acks = calloc((size_t)count + 1, sizeof(*acks));
        conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", bootstrap);
        set(conf, "acks", acks_opt);
        set(conf, "compression.type", compression);
        snprintf(buf, sizeof(buf), "%ld", linger_ms);
        set(conf, "linger.ms", buf);
        set(conf, "enable.idempotence", idempotent ? "true" : "false");
        /* The whole run's budget: librdkafka keeps retrying until then. */
        snprintf(buf, sizeof(buf), "%ld", (long)(timeout_s * 1000));
        set(conf, "message.timeout.ms", buf);
        snprintf(buf, sizeof(buf), "ks-test-%s", prefix);
        set(conf, "client.id", buf);
        rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk)
                usage(errstr);

        started = now_s();
        for (i = 0; i < count; i++) {
                char value[256], key[256];
                size_t key_len = key_of(i, key, sizeof(key));
                char seq[32];
                rd_kafka_resp_err_t err;
                rd_kafka_headers_t *hdrs = NULL;

                value_of(i, value, sizeof(value));
                if (headers) {
                        hdrs = rd_kafka_headers_new(2);
                        snprintf(seq, sizeof(seq), "%ld", i);
                        rd_kafka_header_add(hdrs, "seq", -1, seq, -1);
                        rd_kafka_header_add(hdrs, "producer", -1, prefix, -1);
                }
                for (;;) {
                        err = rd_kafka_producev(
                            rk, RD_KAFKA_V_TOPIC(topic),
                            RD_KAFKA_V_PARTITION(partition >= 0
                                                     ? (int32_t)partition
                                                     : RD_KAFKA_PARTITION_UA),
                            RD_KAFKA_V_VALUE(value, strlen(value)),
                            RD_KAFKA_V_KEY(key_len ? key : NULL, key_len),
                            RD_KAFKA_V_TIMESTAMP(ts_base + i),
                            RD_KAFKA_V_HEADERS(hdrs),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_OPAQUE((void *)(intptr_t)i),
                            RD_KAFKA_V_END);
                        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                                break;
                        rd_kafka_poll(rk, 100); /* let deliveries drain */
                }
                if (err) {
                        /* Not enqueued: the headers are still ours. */
                        if (hdrs)
                                rd_kafka_headers_destroy(hdrs);
                        acks[ack_cnt].index     = i;
                        acks[ack_cnt].partition = -1;
                        acks[ack_cnt].offset    = -1;
                        acks[ack_cnt++].error = strdup(rd_kafka_err2str(err));
                }
                rd_kafka_poll(rk, 0);
        }
        while (rd_kafka_outq_len(rk) > 0 &&
               now_s() - started < timeout_s + 5)
                rd_kafka_flush(rk, 1000);

        /* Output: see common.py. */
        printf("{\"client\": \"librdkafka %s\", \"topic\": ",
               rd_kafka_version_str());
        json_str(topic);
        printf(", \"requested\": %ld, \"acked\": [", count);
        for (i = 0; i < ack_cnt; i++) {
                char value[256], key[256];
                if (acks[i].error)
                        continue;
                value_of(acks[i].index, value, sizeof(value));
                printf("%s{\"partition\": %" PRId32 ", \"offset\": %" PRId64
                       ", \"key\": ",
                       first ? "" : ", ", acks[i].partition, acks[i].offset);
                if (key_of(acks[i].index, key, sizeof(key)))
                        json_str(key);
                else
                        printf("null");
                printf(", \"value\": ");
                json_str(value);
                printf(", \"timestamp\": %" PRId64 "}",
                       ts_base + acks[i].index);
                first = 0;
                acked++;
        }
        printf("], \"errors\": [");
        for (i = 0; i < ack_cnt; i++) {
                char value[256];
                if (!acks[i].error)
                        continue;
                value_of(acks[i].index, value, sizeof(value));
                printf("%s{\"value\": ", errors ? ", " : "");
                json_str(value);
                printf(", \"error\": ");
                json_str(acks[i].error);
                printf("}");
                errors++;
        }
        /* Records with no report by the deadline. */
        if (ack_cnt < count) {
                char *reported = calloc((size_t)count, 1);
                for (i = 0; i < ack_cnt; i++)
                        reported[acks[i].index] = 1;
                for (i = 0; i < count; i++) {
                        char value[256];
                        if (reported[i])
                                continue;
                        value_of(i, value, sizeof(value));
                        printf("%s{\"value\": ", errors ? ", " : "");
                        json_str(value);
                        printf(", \"error\": \"no delivery report before "
                               "timeout\"}");
                        errors++;
                }
                free(reported);
        }
        printf("], \"elapsed_s\": %.3f}\n", now_s() - started);
        fflush(stdout);

        for (i = 0; i < ack_cnt; i++)
                free(acks[i].error);
        free(acks);
        rd_kafka_destroy(rk);
        return errors == 0 && acked == count ? 0 : 1;
}
