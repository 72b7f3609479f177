/*
 * rdkafka-consume-2.15: consumer-group member on the librdkafka 2.15.1 C
 * API. Interface and output: the consumer drivers' (see common.py):
 *
 *   rdkafka-consume-2.15 --bootstrap B --topic T --group G
 *       [--stop-file PATH] [--timeout S] [--session-timeout-ms N]
 *
 * librdkafka stores the offset of every message poll returns; commit()
 * commits those synchronously after each poll batch, when partitions are
 * revoked and before close.
 */
#define DRIVER "rdkafka-consume-2.15"

#include <getopt.h>
#include <inttypes.h>
#include <unistd.h>

#include "rdkafka_common.h"

static void print_partitions(const char *event,
                             const rd_kafka_topic_partition_list_t *parts) {
        int i;
        printf("{\"event\": \"%s\", \"partitions\": [", event);
        for (i = 0; i < parts->cnt; i++)
                printf("%s%" PRId32, i ? ", " : "", parts->elems[i].partition);
        printf("]}\n");
        fflush(stdout);
}

static void commit(rd_kafka_t *rk) {
        rd_kafka_resp_err_t err = rd_kafka_commit(rk, NULL, 0 /* sync */);
        if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET)
                fprintf(stderr, DRIVER ": commit: %s\n", rd_kafka_err2str(err));
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque) {
        (void)opaque;
        if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                print_partitions("assigned", parts);
                rd_kafka_assign(rk, parts);
        } else {
                commit(rk); /* before another member takes them over */
                print_partitions("revoked", parts);
                rd_kafka_assign(rk, NULL);
        }
}

int main(int argc, char **argv) {
        const char *bootstrap = NULL, *topic = NULL, *group = NULL;
        const char *stop_file = NULL;
        long session_ms = 6000;
        double deadline, timeout_s = 60;
        char errstr[512], buf[32];
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        rd_kafka_topic_partition_list_t *topics;
        int opt, pending = 0, failed = 0;
        static const struct option longopts[] = {
            {"bootstrap", required_argument, NULL, 'b'},
            {"topic", required_argument, NULL, 't'},
            {"group", required_argument, NULL, 'g'},
            {"stop-file", required_argument, NULL, 's'},
            {"timeout", required_argument, NULL, 'T'},
            {"session-timeout-ms", required_argument, NULL, 'S'},
            {NULL, 0, NULL, 0}};

        while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (opt) {
                case 'b': bootstrap = optarg; break;
                case 't': topic = optarg; break;
                case 'g': group = optarg; break;
                case 's': stop_file = optarg; break;
                case 'T': timeout_s = strtod(optarg, NULL); break;
                case 'S': session_ms = strtol(optarg, NULL, 10); break;
                default: usage("bad option");
                }
        }
        if (!bootstrap || !topic || !group)
                usage("--bootstrap, --topic and --group are required");

        conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", bootstrap);
        set(conf, "group.id", group);
        set(conf, "client.id", DRIVER);
        set(conf, "auto.offset.reset", "earliest");
        set(conf, "enable.auto.commit", "false");
        /* The protocol name every driver offers (see common.py). */
        set(conf, "partition.assignment.strategy", "roundrobin");
        snprintf(buf, sizeof(buf), "%ld", session_ms);
        set(conf, "session.timeout.ms", buf);
        snprintf(buf, sizeof(buf), "%ld", session_ms / 6);
        set(conf, "heartbeat.interval.ms", buf);
        rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
        if (!rk)
                usage(errstr);
        rd_kafka_poll_set_consumer(rk);

        topics = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
        if (rd_kafka_subscribe(rk, topics))
                usage("subscribe failed");
        rd_kafka_topic_partition_list_destroy(topics);

        deadline = now_s() + timeout_s;
        while (!failed && !(stop_file && access(stop_file, F_OK) == 0) &&
               now_s() < deadline) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
                if (!m || pending >= 500) { /* a batch ends */
                        if (pending)
                                commit(rk);
                        pending = 0;
                }
                if (!m)
                        continue;
                if (m->err) {
                        fprintf(stderr, DRIVER ": %s\n",
                                rd_kafka_message_errstr(m));
                        failed = m->err == RD_KAFKA_RESP_ERR__FATAL;
                } else {
                        printf("{\"partition\": %" PRId32
                               ", \"offset\": %" PRId64 ", \"value\": ",
                               m->partition, m->offset);
                        if (m->payload)
                                json_strn(m->payload, m->len);
                        else
                                printf("null");
                        printf("}\n");
                        fflush(stdout);
                        pending++;
                }
                rd_kafka_message_destroy(m);
        }
        commit(rk);
        rd_kafka_consumer_close(rk); /* revokes (and commits), leaves */
        rd_kafka_destroy(rk);
        printf("{\"event\": \"closed\"}\n");
        return failed;
}
