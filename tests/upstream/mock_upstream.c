/*
 * mock-upstream: a librdkafka mock cluster (rdkafka_mock.h) as a daemon, the
 * Kafka upstream of the integration tests (there is no Apache Kafka broker
 * here). Built twice, against librdkafka 2.0.2 (Debian) and 2.15.1, because
 * the two generations speak different protocol versions; see README.md.
 *
 *   mock-upstream [--brokers N] [--topic NAME:PARTITIONS[:RF]]...
 *                 [--bootstrap-file PATH] [--debug CONTEXTS]
 *
 * Runs until stdin reaches EOF or SIGTERM/SIGINT. Control is a line protocol
 * on stdin: one command per line, one answer line on stdout, "ok ..." or
 * "error ...". The commands are listed in usage() below.
 *
 * Partition leaders are set deterministically (partition p of every topic
 * created here is led by broker p % N + 1) so tests know which broker to take
 * down; the mock itself would pick a random replica.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* 2.15 has per-partition error stacks and topic deletion; 2.0.2 has not. */
#define HAVE_2_15_API (RD_KAFKA_VERSION >= 0x020f0000)

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
        (void)sig;
        stop_requested = 1;
}

static rd_kafka_mock_cluster_t *mcluster;
static int broker_cnt = 3;

static void usage(FILE *f) {
        fprintf(f,
                "usage: mock-upstream [--brokers N] [--topic "
                "NAME:PARTITIONS[:RF]]... [--bootstrap-file PATH] [--debug "
                "CONTEXTS]\n"
                "librdkafka %s mock cluster. Commands on stdin, one a line:\n"
                "  bootstrap                          -> ok host:port,...\n"
                "  version                            -> ok <librdkafka "
                "version>\n"
                "  down ID | up ID | down-all | up-all\n"
                "  rtt ID MS                          (ID -1 = all brokers)\n"
                "  leader TOPIC PARTITION ID          (ID -1 = no leader)\n"
                "  follower TOPIC PARTITION ID\n"
                "  create TOPIC PARTITIONS RF\n"
                "  error APIKEY CODE [COUNT]          next COUNT requests of "
                "APIKEY, any broker\n"
                "  broker-error ID APIKEY CODE RTT_MS [COUNT]\n"
                "                                     next COUNT requests "
                "of APIKEY on broker ID\n"
                "  clear-errors APIKEY\n"
                "  apiversion APIKEY MIN MAX          versions ApiVersions "
                "offers (set before clients connect)\n"
                "  topic-error TOPIC CODE             (CODE 0 clears it)\n"
                "  coordinator group|transaction KEY ID\n"
#if HAVE_2_15_API
                "  controller ID                      (Metadata's ControllerId)\n"
                "  partition-error TOPIC PARTITION APIKEY CODE [COUNT]\n"
                "  delete TOPIC\n"
#endif
                "  ping\n",
                rd_kafka_version_str());
}

/* Parses a whole decimal integer; returns 0 on success. */
static int parse_int(const char *s, long min, long max, long *out) {
        char *end;
        long v;
        if (!s || !*s)
                return -1;
        errno = 0;
        v     = strtol(s, &end, 10);
        if (errno || *end || v < min || v > max)
                return -1;
        *out = v;
        return 0;
}

static void answer(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        vfprintf(stdout, fmt, ap);
        va_end(ap);
        fputc('\n', stdout);
        fflush(stdout); /* the harness waits for each answer line */
}

static void answer_err(rd_kafka_resp_err_t err) {
        if (err)
                answer("error %s", rd_kafka_err2name(err));
        else
                answer("ok");
}

static int create_topic(const char *topic, long partitions, long rf) {
        rd_kafka_resp_err_t err;
        long p;

        err = rd_kafka_mock_topic_create(mcluster, topic, (int)partitions,
                                         (int)rf);
        if (err) {
                fprintf(stderr, "mock-upstream: create %s: %s\n", topic,
                        rd_kafka_err2str(err));
                return -1;
        }
        for (p = 0; p < partitions; p++) {
                err = rd_kafka_mock_partition_set_leader(
                    mcluster, topic, (int32_t)p, (int32_t)(p % broker_cnt) + 1);
                if (err) {
                        fprintf(stderr, "mock-upstream: leader %s/%ld: %s\n",
                                topic, p, rd_kafka_err2str(err));
                        return -1;
                }
        }
        return 0;
}

/* "NAME:PARTITIONS[:RF]" as given to --topic. */
static int create_topic_spec(const char *spec) {
        char buf[512];
        char *name, *parts, *rf;
        long partitions, replicas = broker_cnt < 3 ? broker_cnt : 3;

        if (strlen(spec) >= sizeof(buf))
                return -1;
        strcpy(buf, spec);
        name  = buf;
        parts = strchr(name, ':');
        if (!parts)
                return -1;
        *parts++ = '\0';
        rf       = strchr(parts, ':');
        if (rf)
                *rf++ = '\0';
        if (!*name || parse_int(parts, 1, 100000, &partitions) ||
            (rf && parse_int(rf, 1, broker_cnt, &replicas)))
                return -1;
        return create_topic(name, partitions, replicas);
}

/* Writes the bootstrap list to PATH via a temp file and rename, so a reader
 * polling for the file never sees it half written. */
static int write_bootstrap_file(const char *path) {
        char tmp[4096];
        FILE *f;

        if (snprintf(tmp, sizeof(tmp), "%s.tmp%d", path, (int)getpid()) >=
            (int)sizeof(tmp))
                return -1;
        f = fopen(tmp, "w");
        if (!f)
                return -1;
        fprintf(f, "%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        if (fclose(f) != 0 || rename(tmp, path) != 0) {
                unlink(tmp);
                return -1;
        }
        return 0;
}

#define MAX_ARGS 8

/* Executes one command line and writes its answer. */
static void run_command(char *line) {
        char *argv[MAX_ARGS + 1];
        int argc = 0;
        char *save, *tok;
        long a, b, c, d, n = 1;
        rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
        const char *cmd;

        for (tok = strtok_r(line, " \t\r\n", &save); tok && argc <= MAX_ARGS;
             tok = strtok_r(NULL, " \t\r\n", &save))
                argv[argc++] = tok;
        if (argc == 0)
                return; /* blank line: no answer */
        if (argc > MAX_ARGS) {
                answer("error too many arguments");
                return;
        }
        cmd = argv[0];

#define ARGS(nmin, nmax)                                                       \
        do {                                                                   \
                if (argc - 1 < (nmin) || argc - 1 > (nmax)) {                  \
                        answer("error %s: wrong number of arguments", cmd);   \
                        return;                                                \
                }                                                              \
        } while (0)
#define INT(i, min, max, out)                                                  \
        do {                                                                   \
                if (parse_int(argv[i], (min), (max), &(out))) {                \
                        answer("error %s: bad number '%s'", cmd, argv[i]);    \
                        return;                                                \
                }                                                              \
        } while (0)

        if (!strcmp(cmd, "ping")) {
                answer("ok pong");
        } else if (!strcmp(cmd, "version")) {
                answer("ok %s", rd_kafka_version_str());
        } else if (!strcmp(cmd, "bootstrap")) {
                answer("ok %s", rd_kafka_mock_cluster_bootstraps(mcluster));
        } else if (!strcmp(cmd, "down") || !strcmp(cmd, "up")) {
                ARGS(1, 1);
                INT(1, 1, broker_cnt, a);
                err = cmd[0] == 'd'
                          ? rd_kafka_mock_broker_set_down(mcluster, (int32_t)a)
                          : rd_kafka_mock_broker_set_up(mcluster, (int32_t)a);
                answer_err(err);
        } else if (!strcmp(cmd, "down-all")) {
                ARGS(0, 0);
                answer_err(rd_kafka_mock_broker_set_down(mcluster, -1));
        } else if (!strcmp(cmd, "up-all")) {
                ARGS(0, 0);
                answer_err(rd_kafka_mock_broker_set_up(mcluster, -1));
        } else if (!strcmp(cmd, "rtt")) {
                ARGS(2, 2);
                INT(1, -1, broker_cnt, a);
                INT(2, 0, 3600 * 1000, b);
                answer_err(rd_kafka_mock_broker_set_rtt(mcluster, (int32_t)a,
                                                        (int)b));
        } else if (!strcmp(cmd, "leader") || !strcmp(cmd, "follower")) {
                ARGS(3, 3);
                INT(2, 0, 100000, a);
                INT(3, -1, broker_cnt, b);
                err = cmd[0] == 'l'
                          ? rd_kafka_mock_partition_set_leader(
                                mcluster, argv[1], (int32_t)a, (int32_t)b)
                          : rd_kafka_mock_partition_set_follower(
                                mcluster, argv[1], (int32_t)a, (int32_t)b);
                answer_err(err);
        } else if (!strcmp(cmd, "create")) {
                ARGS(3, 3);
                INT(2, 1, 100000, a);
                INT(3, 1, broker_cnt, b);
                if (create_topic(argv[1], a, b))
                        answer("error create %s failed (see stderr)", argv[1]);
                else
                        answer("ok");
        } else if (!strcmp(cmd, "apiversion")) {
                ARGS(3, 3);
                INT(1, 0, 32767, a);
                INT(2, 0, 32767, b);
                INT(3, 0, 32767, c);
                answer_err(rd_kafka_mock_set_apiversion(
                    mcluster, (int16_t)a, (int16_t)b, (int16_t)c));
        } else if (!strcmp(cmd, "error")) {
                /* Cluster-wide error stack: the next COUNT requests of APIKEY
                 * to any broker fail with CODE (-195 = __TRANSPORT closes the
                 * connection instead). */
                ARGS(2, 3);
                INT(1, 0, 32767, a);
                INT(2, -32768, 32767, b);
                if (argc == 4)
                        INT(3, 1, 1000000, n);
                for (long i = 0; i < n; i++)
                        rd_kafka_mock_push_request_errors(
                            mcluster, (int16_t)a, 1, (rd_kafka_resp_err_t)b);
                answer("ok");
        } else if (!strcmp(cmd, "broker-error")) {
                ARGS(4, 5);
                INT(1, 1, broker_cnt, a);
                INT(2, 0, 32767, b);
                INT(3, -32768, 32767, c);
                INT(4, 0, 3600 * 1000, d);
                if (argc == 6)
                        INT(5, 1, 1000000, n);
                for (long i = 0; i < n && !err; i++)
                        err = rd_kafka_mock_broker_push_request_error_rtts(
                            mcluster, (int32_t)a, (int16_t)b, 1,
                            (rd_kafka_resp_err_t)c, (int)d);
                answer_err(err);
        } else if (!strcmp(cmd, "clear-errors")) {
                ARGS(1, 1);
                INT(1, 0, 32767, a);
                rd_kafka_mock_clear_request_errors(mcluster, (int16_t)a);
                answer("ok");
        } else if (!strcmp(cmd, "topic-error")) {
                ARGS(2, 2);
                INT(2, -32768, 32767, a);
                rd_kafka_mock_topic_set_error(mcluster, argv[1],
                                              (rd_kafka_resp_err_t)a);
                answer("ok");
        } else if (!strcmp(cmd, "coordinator")) {
                ARGS(3, 3);
                INT(3, 1, broker_cnt, a);
                answer_err(rd_kafka_mock_coordinator_set(mcluster, argv[1],
                                                         argv[2], (int32_t)a));
#if HAVE_2_15_API
        } else if (!strcmp(cmd, "partition-error")) {
                ARGS(4, 5);
                INT(2, 0, 100000, a);
                INT(3, 0, 32767, b);
                INT(4, -32768, 32767, c);
                if (argc == 6)
                        INT(5, 1, 1000000, n);
                for (long i = 0; i < n && !err; i++)
                        err = rd_kafka_mock_partition_push_request_errors(
                            mcluster, argv[1], (int32_t)a, (int16_t)b, 1,
                            (rd_kafka_resp_err_t)c);
                answer_err(err);
        } else if (!strcmp(cmd, "controller")) {
                ARGS(1, 1);
                INT(1, -1, broker_cnt, a);
                rd_kafka_mock_set_controller_id(mcluster, (int32_t)a);
                answer("ok");
        } else if (!strcmp(cmd, "delete")) {
                ARGS(1, 1);
                answer_err(rd_kafka_mock_topic_delete(mcluster, argv[1]));
#endif
        } else {
                answer("error unknown command '%s'", cmd);
        }
#undef ARGS
#undef INT
}

/* librdkafka's own log lines (the mock logs unsupported requests at
 * LOG_ERR) go to stderr, which the harness keeps in a log file. */
static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
                   const char *buf) {
        (void)rk;
        fprintf(stderr, "mock-upstream: %d %s %s\n", level, fac, buf);
}

int main(int argc, char **argv) {
        const char *topics[256];
        int topic_cnt              = 0;
        const char *bootstrap_file = NULL;
        const char *debug          = NULL;
        rd_kafka_conf_t *conf;
        rd_kafka_t *rk;
        char errstr[512];
        char line[4096];
        size_t line_len = 0;
        int i;
        struct sigaction sa;

        for (i = 1; i < argc; i++) {
                const char *opt = argv[i];
                const char *val = i + 1 < argc ? argv[i + 1] : NULL;
                long v;
                if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
                        usage(stdout);
                        return 0;
                }
                if (!val) {
                        fprintf(stderr, "mock-upstream: %s needs a value\n",
                                opt);
                        return 2;
                }
                i++;
                if (!strcmp(opt, "--brokers")) {
                        if (parse_int(val, 1, 64, &v)) {
                                fprintf(stderr, "mock-upstream: bad --brokers\n");
                                return 2;
                        }
                        broker_cnt = (int)v;
                } else if (!strcmp(opt, "--topic")) {
                        if (topic_cnt == (int)(sizeof(topics) / sizeof(*topics))) {
                                fprintf(stderr, "mock-upstream: too many topics\n");
                                return 2;
                        }
                        topics[topic_cnt++] = val;
                } else if (!strcmp(opt, "--bootstrap-file")) {
                        bootstrap_file = val;
                } else if (!strcmp(opt, "--debug")) {
                        debug = val;
                } else {
                        fprintf(stderr, "mock-upstream: unknown option %s\n",
                                opt);
                        usage(stderr);
                        return 2;
                }
        }

        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_signal; /* no SA_RESTART: poll() returns EINTR */
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);

        /* The mock cluster lives inside an rd_kafka_t; this one is never
         * used as a client. */
        conf = rd_kafka_conf_new();
        rd_kafka_conf_set_log_cb(conf, log_cb);
        if (debug &&
            rd_kafka_conf_set(conf, "debug", debug, errstr, sizeof(errstr))) {
                fprintf(stderr, "mock-upstream: --debug: %s\n", errstr);
                return 2;
        }
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "mock-upstream: rd_kafka_new: %s\n", errstr);
                return 1;
        }
        mcluster = rd_kafka_mock_cluster_new(rk, broker_cnt);
        if (!mcluster) {
                fprintf(stderr, "mock-upstream: cannot create mock cluster\n");
                rd_kafka_destroy(rk);
                return 1;
        }

#if HAVE_2_15_API
        /* The mock leaves ControllerId at 0, a broker that does not exist
         * (ids are 1..N); clients that send requests to the controller
         * (kafkajs' InitProducerId) fail on that. 2.0.2 cannot change it. */
        rd_kafka_mock_set_controller_id(mcluster, 1);
#endif

        for (i = 0; i < topic_cnt; i++) {
                if (create_topic_spec(topics[i])) {
                        fprintf(stderr, "mock-upstream: bad --topic '%s'\n",
                                topics[i]);
                        rd_kafka_mock_cluster_destroy(mcluster);
                        rd_kafka_destroy(rk);
                        return 2;
                }
        }

        if (bootstrap_file && write_bootstrap_file(bootstrap_file)) {
                fprintf(stderr, "mock-upstream: cannot write %s: %s\n",
                        bootstrap_file, strerror(errno));
                rd_kafka_mock_cluster_destroy(mcluster);
                rd_kafka_destroy(rk);
                return 1;
        }
        fprintf(stderr, "mock-upstream: librdkafka %s, %d brokers at %s\n",
                rd_kafka_version_str(), broker_cnt,
                rd_kafka_mock_cluster_bootstraps(mcluster));

        /* Read stdin by hand (poll + read) rather than stdio, so SIGTERM
         * interrupts the wait and a closed stdin ends the daemon. */
        while (!stop_requested) {
                struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
                ssize_t r;
                char *nl;

                if (poll(&pfd, 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                r = read(STDIN_FILENO, line + line_len,
                         sizeof(line) - 1 - line_len);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        break; /* EOF: the test that started us is gone */
                line_len += (size_t)r;
                line[line_len] = '\0';
                while ((nl = strchr(line, '\n'))) {
                        size_t used = (size_t)(nl - line) + 1;
                        *nl         = '\0';
                        run_command(line);
                        memmove(line, line + used, line_len - used + 1);
                        line_len -= used;
                }
                if (line_len == sizeof(line) - 1) {
                        answer("error line too long");
                        line_len = 0;
                }
        }

        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
