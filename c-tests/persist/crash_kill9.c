/*
 * kill -9 of a publishing process at random moments (ours only).
 *
 * A publisher process (this program run again as "child") creates a sync client
 * with the file store (MQTTCLIENT_PERSISTENCE_DEFAULT), connects with
 * cleansession 0 and publishes numbered messages, QoS 1 and QoS 2 in turn, up
 * to 20 in flight. Before each publish it appends "a N" to a log file and after
 * the call returned a token "d N". The test kills it with SIGKILL after a
 * random time, 24 times; in every third round the broker (a mosquitto of the
 * test's own) is stopped with SIGSTOP for part of the round, so that messages
 * are in flight when the kill comes. Each new publisher process reads the same
 * store back (its messages are resent on connect) and goes on after the last
 * number attempted. A last process only waits until nothing is pending.
 *
 * A subscriber in this process (QoS 2, connected throughout) must get every
 * message whose publish returned a token at least once, and no QoS 2 message
 * twice.
 */
// timeout: 180
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "ownbroker.h"
#include "testutil.h"

#define KILLS 24
#define MAXN 200000

static const char *CLIENT_ID = "crash-kill9-pub";

/* ---- the publisher process ---- */

static void log_line(int fd, char what, int n)
{
    char line[32];
    int len = snprintf(line, sizeof line, "%c %d\n", what, n);
    if (write(fd, line, (size_t)len) != len)
        _exit(5);
}

static MQTTClient connect_publisher(const char *uri, const char *store)
{
    MQTTClient c;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    int rc = MQTTClient_create(&c, uri, CLIENT_ID, MQTTCLIENT_PERSISTENCE_DEFAULT, (void *)store);
    if (rc != MQTTCLIENT_SUCCESS) {
        fprintf(stderr, "child: create %d\n", rc);
        _exit(4);
    }
    o.cleansession = 0;
    o.reliable = 0;
    o.maxInflightMessages = 20;
    o.connectTimeout = 2;
    o.keepAliveInterval = 20;
    while ((rc = MQTTClient_connect(c, &o)) != MQTTCLIENT_SUCCESS) {
        fprintf(stderr, "child: connect %d, again\n", rc);
        usleep(50 * 1000);
    }
    return c;
}

static int child(const char *uri, const char *store, const char *logpath, const char *topic, int start)
{
    int fd = open(logpath, O_WRONLY | O_APPEND | O_CREAT, 0644);
    MQTTClient c;
    int n;
    if (fd < 0)
        _exit(4);
    c = connect_publisher(uri, store);
    for (n = start; n < MAXN; n++) {
        char payload[16];
        MQTTClient_deliveryToken t = 0;
        int rc, len = snprintf(payload, sizeof payload, "%d", n);
        log_line(fd, 'a', n);
        rc = MQTTClient_publish(c, topic, len, payload, n % 2 ? 2 : 1, 0, &t);
        if (rc == MQTTCLIENT_SUCCESS)
            log_line(fd, 'd', n);
        else {
            fprintf(stderr, "child: publish %d: %d\n", n, rc);
            usleep(20 * 1000);
            if (!MQTTClient_isConnected(c)) {
                MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
                o.cleansession = 0;
                o.reliable = 0;
                o.maxInflightMessages = 20;
                o.connectTimeout = 2;
                MQTTClient_connect(c, &o);
            }
        }
    }
    return 0;
}

static int drain(const char *uri, const char *store)
{
    MQTTClient c = connect_publisher(uri, store);
    long long until = tu_now_ms() + 30000;
    for (;;) {
        MQTTClient_deliveryToken *toks = NULL;
        int pending = 0;
        MQTTClient_getPendingDeliveryTokens(c, &toks);
        while (toks && toks[pending] != -1)
            pending++;
        MQTTClient_free(toks);
        if (pending == 0)
            break;
        if (tu_now_ms() > until) {
            fprintf(stderr, "drain: %d still pending\n", pending);
            return 6;
        }
        usleep(20 * 1000);
    }
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
    return 0;
}

/* ---- the test ---- */

static unsigned char got[MAXN];
static int dup_qos2, received;
static char *self_path;

static int arrived(void *ctx, char *topic, int topic_len, MQTTClient_message *m)
{
    char buf[16];
    int n, len = m->payloadlen < 15 ? m->payloadlen : 15;
    (void)ctx;
    (void)topic_len;
    memcpy(buf, m->payload, (size_t)len);
    buf[len] = 0;
    n = atoi(buf);
    if (n >= 0 && n < MAXN) {
        if (got[n] < 255)
            got[n]++;
        if (got[n] > 1 && n % 2)
            dup_qos2++;
    }
    __atomic_add_fetch(&received, 1, __ATOMIC_SEQ_CST);
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static void lost(void *ctx, char *cause) { (void)ctx; tu_log("subscriber: connection lost: %s", cause ? cause : "?"); }

static pid_t spawn(const char *mode, const char *uri, const char *store, const char *logpath, const char *topic, int start)
{
    char startbuf[16];
    pid_t pid;
    snprintf(startbuf, sizeof startbuf, "%d", start);
    pid = fork();
    if (pid < 0)
        tu_fail("fork: %s", strerror(errno));
    if (pid == 0) {
        execl(self_path, self_path, mode, uri, store, logpath, topic, startbuf, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Scan the log: the highest number attempted, and mark those done. */
static int scan_log(const char *logpath, unsigned char *done, int *ndone)
{
    FILE *f = fopen(logpath, "r");
    char what;
    int n, max = -1;
    *ndone = 0;
    if (!f)
        return -1;
    while (fscanf(f, " %c %d", &what, &n) == 2) {
        if (n < 0 || n >= MAXN)
            continue;
        if (n > max)
            max = n;
        if (what == 'd' && !done[n]) {
            done[n] = 1;
        }
    }
    fclose(f);
    for (n = 0; n < MAXN; n++)
        *ndone += done[n];
    return max;
}

static void sleep_ms(int ms) { tu_sleep_ms(ms); }

int main(int argc, char **argv)
{
    static unsigned char done[MAXN];
    tb_broker b;
    char store[512], logpath[512];
    const char *tmp;
    MQTTClient sub;
    MQTTClient_connectOptions so = MQTTClient_connectOptions_initializer;
    int k, next = 0, ndone = 0, missing = 0, rc, stops = 0;
    const char *topic;
    pid_t pid;

    if (argc == 7 && strcmp(argv[1], "child") == 0)
        return child(argv[2], argv[3], argv[4], argv[5], atoi(argv[6]));
    if (argc == 7 && strcmp(argv[1], "drain") == 0)
        return drain(argv[2], argv[3]);

    check_library();
    tu_watchdog(170);
    self_path = realpath("/proc/self/exe", NULL);
    if (!self_path)
        tu_fail("realpath");
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    tmp = tu_env_opt("MQTT_TEST_TMPDIR");
    snprintf(store, sizeof store, "%s/crash-store-%d", tmp ? tmp : "/tmp", (int)getpid());
    snprintf(logpath, sizeof logpath, "%s/crash-log-%d", tmp ? tmp : "/tmp", (int)getpid());
    if (mkdir(store, 0700) != 0)
        tu_fail("mkdir %s", store);
    memset(&b, 0, sizeof b);
    tb_start(&b);
    topic = tu_topic("crash");

    tu_step("subscriber");
    if (MQTTClient_create(&sub, b.uri, tu_client_id("crash-sub"), MQTTCLIENT_PERSISTENCE_NONE, NULL) != 0)
        tu_fail("create subscriber");
    MQTTClient_setCallbacks(sub, NULL, lost, arrived, NULL);
    so.keepAliveInterval = 60;
    if ((rc = MQTTClient_connect(sub, &so)) != 0)
        tu_fail("subscriber connect %d", rc);
    if ((rc = MQTTClient_subscribe(sub, topic, 2)) != 0)
        tu_fail("subscribe %d", rc);

    for (k = 0; k < KILLS; k++) {
        int run_ms = 40 + rand() % 260, status;
        tu_step("publisher round");
        pid = spawn("child", b.uri, store, logpath, topic, next);
        if (k % 3 == 1) {
            /* Let it connect and publish a little, then stop the broker so that
             * what follows stays in flight, and kill while it is stopped. */
            sleep_ms(run_ms / 2);
            kill(b.pid, SIGSTOP);
            stops++;
            sleep_ms(run_ms / 2);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            kill(b.pid, SIGCONT);
        } else {
            sleep_ms(run_ms);
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
        }
        if (!WIFSIGNALED(status))
            tu_fail("publisher round %d ended by itself (status %d)", k, status);
        next = scan_log(logpath, done, &ndone) + 1;
        tu_log("round %d: killed after %d ms%s; attempted up to %d, %d done so far", k, run_ms,
               k % 3 == 1 ? " (broker stopped)" : "", next - 1, ndone);
    }

    tu_step("drain");
    pid = spawn("drain", b.uri, store, logpath, topic, next);
    {
        int status;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            tu_fail("the last publisher could not deliver what was pending (status %d)", status);
    }

    tu_step("collect");
    {
        long long until = tu_now_ms() + 20000;
        int n;
        for (;;) {
            missing = 0;
            for (n = 0; n < next; n++)
                if (done[n] && !__atomic_load_n(&got[n], __ATOMIC_SEQ_CST))
                    missing++;
            if (missing == 0 || tu_now_ms() > until)
                break;
            sleep_ms(50);
        }
        if (missing) {
            for (n = 0; n < next; n++)
                if (done[n] && !got[n])
                    tu_log("missing: %d (QoS %d)", n, n % 2 ? 2 : 1);
        }
    }
    MQTTClient_disconnect(sub, 1000);
    MQTTClient_destroy(&sub);
    tb_stop(&b, 0);
    {
        char cmd[1200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s'", store, logpath);
        if (system(cmd) != 0)
            tu_log("could not remove %s", store);
    }
    printf("kills=%d broker_stops=%d accepted=%d received=%d missing=%d qos2_duplicates=%d\n", KILLS,
           stops, ndone, received, missing, dup_qos2);
    if (missing || dup_qos2)
        tu_fail("%d accepted messages missing, %d QoS 2 duplicates", missing, dup_qos2);
    if (ndone < KILLS)
        tu_fail("only %d messages were accepted in %d rounds", ndone, KILLS);
    return 0;
}
