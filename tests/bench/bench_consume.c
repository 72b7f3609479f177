/*
 * bench-consume: a consumer-group member on the librdkafka 2.15.1 C API,
 * for tests/bench/bench.py. Subscribes to TOPIC in GROUP and reads until
 * COUNT records arrived (from the earliest offset). Prints one JSON object:
 *
 *   {"records": N, "bytes": B, "seconds": S, "first_record_s": F}
 *
 * `seconds` runs from the first record to the last, so the group's join
 * (the same with or without the sidecar) stays out of the rate;
 * `first_record_s` is the time from subscribing to the first record.
 *
 *   bench-consume --bootstrap B --topic T --group G --count N [--timeout S]
 */
#define DRIVER "bench-consume"

#include <getopt.h>

#include "../integration/clients/rdkafka_common.h"

int main(int argc, char **argv) {
        const char *bootstrap = NULL, *topic = NULL, *group = NULL;
        long count = 0, records = 0, bytes = 0;
        double timeout_s = 300, started, first = 0, last = 0, deadline;
        char errstr[512];
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        rd_kafka_topic_partition_list_t *topics;
        static const struct option longopts[] = {
            {"bootstrap", required_argument, 0, 'b'},
            {"topic", required_argument, 0, 't'},
            {"group", required_argument, 0, 'g'},
            {"count", required_argument, 0, 'n'},
            {"timeout", required_argument, 0, 'T'},
            {0, 0, 0, 0}};
        int opt;

        while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
                switch (opt) {
                case 'b': bootstrap = optarg; break;
                case 't': topic = optarg; break;
                case 'g': group = optarg; break;
                case 'n': count = atol(optarg); break;
                case 'T': timeout_s = atof(optarg); break;
                default: usage("unknown option");
                }
        }
        if (!bootstrap || !topic || !group || count <= 0)
                usage("--bootstrap, --topic, --group and --count > 0 are required");

        conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", bootstrap);
        set(conf, "group.id", group);
        set(conf, "auto.offset.reset", "earliest");
        set(conf, "enable.auto.commit", "false");
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
        if (!rk)
                usage(errstr);
        rd_kafka_poll_set_consumer(rk);
        topics = rd_kafka_topic_partition_list_new(1);
        rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
        rd_kafka_subscribe(rk, topics);
        rd_kafka_topic_partition_list_destroy(topics);

        started  = now_s();
        deadline = started + timeout_s;
        while (records < count && now_s() < deadline) {
                rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
                if (!m)
                        continue;
                if (!m->err) {
                        if (records++ == 0)
                                first = now_s();
                        bytes += (long)m->len;
                        last = now_s();
                }
                rd_kafka_message_destroy(m);
        }
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
        printf("{\"records\": %ld, \"bytes\": %ld, \"seconds\": %.6f, \"first_record_s\": %.6f}\n",
               records, bytes, last - first, first ? first - started : -1.0);
        return records < count ? 1 : 0;
}
