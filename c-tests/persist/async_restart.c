/*
 * Asynchronous client, file store (MQTTCLIENT_PERSISTENCE_DEFAULT), restart
 * in a new process (ours only).
 *
 * Phase 1, against a "black hole" broker of the test's own (CONNACK, then it
 * reads and never acknowledges; it closes a connection after its 4th
 * PUBLISH), publisher processes die with _exit(0), no disconnect or destroy:
 *   A  sends a1 (QoS 1), a2 (QoS 2), a0 (QoS 0) before any connect (offline
 *      buffer, allowDisconnectedSendAtAnyTime) and dies;
 *   B  sends o1, o2 before connecting, connects (both go out), sends i1, i2
 *      (in flight), loses the connection, sends b1, b2, b0 (buffered) and
 *      dies: its store holds 4 s- and 3 q- entries;
 *   C  as A with persistQoS0 0 (so only 2 entries are stored).
 * Phase 2, against mosquitto (persistent, on the same port, so the stores'
 * directory names match; it already knew B's session, so B's connect finds
 * it): a new process per publisher, same client id and store, cleansession 0:
 *   C  with restoreMessages 0: its store is emptied at create, nothing goes;
 *   A, B  every message arrives exactly once at a subscriber, the QoS 1 ones
 *      in the order published, the QoS 2 ones too, and the stores are empty.
 */
// link: paho-mqtt3a
#define _XOPEN_SOURCE 700
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "MQTTAsync.h"
#include "ownbroker.h"
#include "testutil.h"
#include "testutil_async.h"

/* ---- publisher processes ------------------------------------------------ */

static const char *c_base, *c_id, *c_uri;
static ta_done c_conn;

static void c_lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
    ta_event("lost");
}

static void c_delivered(void *ctx, MQTTAsync_token t)
{
    (void)ctx;
    ta_event("delivered %d", t);
}

static int c_arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)topic_len;
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static MQTTAsync c_create(int restore, int persist_qos0)
{
    MQTTAsync c;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    int rc;
    co.sendWhileDisconnected = 1;
    co.allowDisconnectedSendAtAnyTime = 1;
    co.restoreMessages = restore;
    co.persistQoS0 = persist_qos0;
    co.MQTTVersion = MQTTVERSION_3_1_1;
    if ((rc = MQTTAsync_createWithOptions(&c, c_uri, c_id, MQTTCLIENT_PERSISTENCE_DEFAULT, (void *)c_base, &co)) != 0)
        tu_fail("%s: create %d", c_id, rc);
    if (MQTTAsync_setCallbacks(c, NULL, c_lost, c_arrived, c_delivered) != MQTTASYNC_SUCCESS)
        tu_fail("%s: setCallbacks", c_id);
    return c;
}

static void c_send(MQTTAsync c, const char *scenario, const char *payload, int qos)
{
    int rc = MQTTAsync_send(c, tu_topic(scenario), (int)strlen(payload), payload, qos, 0, NULL);
    if (rc != MQTTASYNC_SUCCESS)
        tu_fail("%s: send %s: %d", c_id, payload, rc);
}

static void c_connect(MQTTAsync c)
{
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    o.cleansession = 0;
    if (ta_connect_static(c, &o, MQTTVERSION_3_1_1, &c_conn) != 0)
        tu_fail("%s: connect failed", c_id);
}

static int pending(MQTTAsync c)
{
    MQTTAsync_token *t = NULL;
    int n = 0;
    MQTTAsync_getPendingTokens(c, &t);
    while (t && t[n] != -1)
        n++;
    MQTTAsync_free(t);
    return n;
}

static int child_main(const char *role, const char *scenario)
{
    MQTTAsync c;
    tu_watchdog(20);
    if (strcmp(role, "never") == 0 || strcmp(role, "never-noqos0") == 0) {
        char p[3][8];
        int q;
        c = c_create(1, strcmp(role, "never") == 0);
        for (q = 1; q <= 3; q++) {
            snprintf(p[q - 1], sizeof p[0], "%c%d", scenario[0] + 'a' - 'A', q % 3);
            c_send(c, scenario, p[q - 1], q % 3);
        }
        _exit(0);
    }
    if (strcmp(role, "inflight") == 0) {
        c = c_create(1, 1);
        c_send(c, scenario, "o1", 1);
        c_send(c, scenario, "o2", 2);
        c_connect(c);
        c_send(c, scenario, "i1", 1);
        c_send(c, scenario, "i2", 2);
        /* The black hole closes the connection after the 4th PUBLISH. */
        if (ta_wait_events(1, 10000) < 1)
            tu_fail("%s: the connection was not lost", c_id);
        c_send(c, scenario, "b1", 1);
        c_send(c, scenario, "b2", 2);
        c_send(c, scenario, "b0", 0);
        _exit(0);
    }
    if (strcmp(role, "discard") == 0) {
        c = c_create(0, 1);
        if (pending(c) != 0)
            tu_fail("%s: restoreMessages 0, yet pending tokens", c_id);
        c_connect(c);
        tu_sleep_ms(1000);
        if (pending(c) != 0)
            tu_fail("%s: restoreMessages 0, yet pending tokens after connect", c_id);
    } else if (strcmp(role, "restart") == 0) {
        int n, waited = 0;
        c = c_create(1, 1);
        n = pending(c);
        tu_log("%s: %d pending tokens after create", c_id, n);
        c_connect(c);
        while (pending(c) > 0 && waited < 10000) {
            tu_sleep_ms(50);
            waited += 50;
        }
        if (pending(c) != 0)
            tu_fail("%s: still %d pending tokens 10 s after connect", c_id, pending(c));
    } else
        tu_fail("unknown role %s", role);
    ta_close(&c);
    return 0;
}

/* Runs this program again as a publisher process; returns when it exited 0. */
static void run_child(const char *role, const char *scenario, const char *base, const char *id, const char *uri)
{
    pid_t pid;
    int status;
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0)
        tu_fail("fork");
    if (pid == 0) {
        execl("/proc/self/exe", "child", "--child", role, scenario, base, id, uri, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        tu_fail("publisher %s (%s) ended with status %#x", scenario, role, status);
}

/* ---- the black hole ------------------------------------------------------ */

static int bh_listener, bh_stop_fd[2], bh_publishes;
static pthread_t bh_thread;

/* Reads n bytes; -1 on EOF, error, or when the test stops the black hole. */
static int bh_read(int fd, unsigned char *b, int n)
{
    while (n > 0) {
        struct pollfd p[2];
        ssize_t r;
        p[0].fd = fd;
        p[0].events = POLLIN;
        p[1].fd = bh_stop_fd[0];
        p[1].events = POLLIN;
        if (poll(p, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (p[1].revents)
            return -1;
        r = read(fd, b, (size_t)n);
        if (r <= 0)
            return -1;
        b += r;
        n -= (int)r;
    }
    return 0;
}

/* One connection: CONNACK to its CONNECT, then nothing; closed after its 4th PUBLISH. */
static void bh_serve(int fd)
{
    unsigned char first, b, body[4096];
    int publishes = 0;
    for (;;) {
        int len = 0, mult = 1, i;
        if (bh_read(fd, &first, 1))
            break;
        for (i = 0; i < 4; i++) {
            if (bh_read(fd, &b, 1))
                goto out;
            len += (b & 127) * mult;
            mult *= 128;
            if (!(b & 128))
                break;
        }
        if (len > (int)sizeof body || bh_read(fd, body, len))
            break;
        if (first >> 4 == 1) {
            static const unsigned char connack[] = { 0x20, 2, 0, 0 };
            if (write(fd, connack, sizeof connack) != (ssize_t)sizeof connack)
                break;
        } else if (first >> 4 == 3) {
            ta_lock();
            bh_publishes++;
            ta_unlock_notify();
            if (++publishes == 4)
                break;
        }
    }
out:
    close(fd);
}

static void *bh_main(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd p[2];
        int fd;
        p[0].fd = bh_listener;
        p[0].events = POLLIN;
        p[1].fd = bh_stop_fd[0];
        p[1].events = POLLIN;
        if (poll(p, 2, -1) < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            break;
        if (p[0].revents && (fd = accept(bh_listener, NULL, NULL)) >= 0)
            bh_serve(fd);
    }
    return NULL;
}

static void bh_start(int port)
{
    struct sockaddr_in a;
    int one = 1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)port);
    if ((bh_listener = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
        setsockopt(bh_listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(bh_listener, (struct sockaddr *)&a, sizeof a) != 0 || listen(bh_listener, 8) != 0)
        tu_fail("black hole: cannot listen on %d: %s", port, strerror(errno));
    if (pipe(bh_stop_fd) != 0 || pthread_create(&bh_thread, NULL, bh_main, NULL) != 0)
        tu_fail("black hole: thread");
}

static void bh_stop(void)
{
    if (write(bh_stop_fd[1], "x", 1) != 1)
        tu_fail("black hole: stop");
    pthread_join(bh_thread, NULL);
    close(bh_listener);
    close(bh_stop_fd[0]);
    close(bh_stop_fd[1]);
}

/* ---- the subscriber and checks ------------------------------------------- */

#define MAXGOT 64
static char got[MAXGOT][16];
static int ngot;

static int sub_arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)topic_len;
    ta_lock();
    if (ngot < MAXGOT)
        snprintf(got[ngot++], sizeof got[0], "%.*s", m->payloadlen, (char *)m->payload);
    ta_unlock_notify();
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static int at_least(void *arg)
{
    return ngot >= *(int *)arg;
}

static int publishes_at_least(void *arg)
{
    return bh_publishes >= *(int *)arg;
}

/* Position of payload p in what arrived; fails unless it came exactly once. */
static int once(const char *p)
{
    int i, at = -1, n = 0;
    for (i = 0; i < ngot; i++)
        if (strcmp(got[i], p) == 0) {
            at = i;
            n++;
        }
    if (n != 1)
        tu_fail("%s arrived %d times", p, n);
    return at;
}

static void in_order(const char *a, const char *b)
{
    if (once(a) > once(b))
        tu_fail("%s arrived after %s", a, b);
}

/* Store entries of a client: how many files start with prefix (NULL: any .msg). */
static int entries(const char *base, const char *id, int port, const char *prefix)
{
    char dir[700];
    DIR *d;
    struct dirent *e;
    int n = 0;
    snprintf(dir, sizeof dir, "%s/%s-127.0.0.1-%d", base, id, port);
    if (!(d = opendir(dir)))
        return 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".msg") == 0 &&
            (!prefix || strncmp(e->d_name, prefix, strlen(prefix)) == 0))
            n++;
    }
    closedir(d);
    return n;
}

int main(int argc, char **argv)
{
    tb_broker m;
    MQTTAsync sub, prime;
    MQTTAsync_connectOptions so = MQTTAsync_connectOptions_initializer;
    MQTTAsync_connectOptions po = MQTTAsync_connectOptions_initializer;
    static ta_done sub_done;
    char base[300], cwd[256], id_a[32], id_b[32], id_c[32];
    int want, i;

    if (argc == 7 && strcmp(argv[1], "--child") == 0) {
        check_library_async();
        c_base = argv[4];
        c_id = argv[5];
        c_uri = argv[6];
        return child_main(argv[2], argv[3]);
    }
    if (argc > 1) {
        tu_fail("usage: %s (the publisher processes get --child ROLE SCENARIO BASE ID URI)", argv[0]);
    }
    check_library_async();
    tu_watchdog(55);
    if (!getcwd(cwd, sizeof cwd))
        tu_fail("getcwd");
    snprintf(base, sizeof base, "%s/restart-%d", cwd, (int)getpid());
    if (mkdir(base, 0755) != 0)
        tu_fail("mkdir %s", base);
    snprintf(id_a, sizeof id_a, "%s", tu_client_id("A"));
    snprintf(id_b, sizeof id_b, "%s", tu_client_id("B"));
    snprintf(id_c, sizeof id_c, "%s", tu_client_id("C"));

    tu_step("phase 0: sessions at the broker");
    memset(&m, 0, sizeof m);
    m.persistent = 1;
    tb_start(&m);
    sub = ta_create(m.uri, "sub", MQTTVERSION_3_1_1);
    MQTTAsync_setCallbacks(sub, NULL, NULL, sub_arrived, NULL);
    so.cleansession = 0;
    if (ta_connect_static(sub, &so, MQTTVERSION_3_1_1, &sub_done) != 0)
        tu_fail("subscriber connect");
    ta_subscribe(sub, tu_topic("#"), 2, 0);
    {
        /* Away while the black hole has the port; its session waits at the broker. */
        MQTTAsync_disconnectOptions d = MQTTAsync_disconnectOptions_initializer;
        static ta_done dd;
        d.onSuccess = ta_on_success;
        d.onFailure = ta_on_failure;
        d.context = &dd;
        if (MQTTAsync_disconnect(sub, &d) != MQTTASYNC_SUCCESS || ta_wait_done(&dd, 5000) != 1)
            tu_fail("subscriber disconnect");
    }
    /* B's session exists at the broker before B ever runs. */
    if (MQTTAsync_create(&prime, m.uri, id_b, MQTTCLIENT_PERSISTENCE_NONE, NULL) != 0)
        tu_fail("create prime");
    po.cleansession = 0;
    if (ta_connect(prime, &po, MQTTVERSION_3_1_1) != 0)
        tu_fail("prime connect");
    ta_close(&prime);
    tb_stop(&m, 0);

    tu_step("phase 1: publishers die");
    bh_start(m.port);
    run_child("never", "A", base, id_a, m.uri);
    run_child("inflight", "B", base, id_b, m.uri);
    want = 4;
    if (!ta_wait_until(publishes_at_least, &want, 1000))
        tu_fail("the black hole saw %d PUBLISH packets from B, expected 4", bh_publishes);
    run_child("never-noqos0", "C", base, id_c, m.uri);
    bh_stop();
    printf("A stored: %d buffered\n", entries(base, id_a, m.port, "q-"));
    printf("B stored: %d in flight, %d buffered\n", entries(base, id_b, m.port, "s-"),
           entries(base, id_b, m.port, "q-"));
    printf("C stored (persistQoS0 0): %d buffered\n", entries(base, id_c, m.port, "q-"));
    if (entries(base, id_a, m.port, "q-") != 3 || entries(base, id_a, m.port, NULL) != 3)
        tu_fail("A: expected 3 q- entries");
    if (entries(base, id_b, m.port, "s-") != 4 || entries(base, id_b, m.port, "q-") != 3 ||
        entries(base, id_b, m.port, NULL) != 7)
        tu_fail("B: expected 4 s- and 3 q- entries");
    if (entries(base, id_c, m.port, "q-") != 2 || entries(base, id_c, m.port, NULL) != 2)
        tu_fail("C: expected 2 q- entries (QoS 0 not persisted)");

    tu_step("phase 2: restart");
    tb_start(&m);
    if (ta_connect_static(sub, &so, MQTTVERSION_3_1_1, &sub_done) != 0)
        tu_fail("subscriber reconnect");
    run_child("discard", "C", base, id_c, m.uri);
    if (entries(base, id_c, m.port, NULL) != 0)
        tu_fail("C: entries left after restoreMessages 0");
    run_child("restart", "A", base, id_a, m.uri);
    run_child("restart", "B", base, id_b, m.uri);
    want = 10;
    ta_wait_until(at_least, &want, 10000);
    tu_sleep_ms(500); /* duplicates, if any, would come now */
    ta_lock();
    printf("arrived:");
    for (i = 0; i < ngot; i++)
        printf(" %s", got[i]);
    printf("\n");
    for (i = 0; i < ngot; i++)
        if (got[i][0] == 'c')
            tu_fail("C's message %s arrived although restoreMessages was 0", got[i]);
    if (ngot != 10)
        tu_fail("%d messages arrived, expected 10", ngot);
    once("a0");
    once("a1");
    once("a2");
    once("b0");
    in_order("o1", "i1");
    in_order("i1", "b1");
    in_order("o2", "i2");
    in_order("i2", "b2");
    ta_unlock_notify();
    if (entries(base, id_a, m.port, NULL) != 0 || entries(base, id_b, m.port, NULL) != 0)
        tu_fail("entries left in A's or B's store after delivery");
    printf("every message once, QoS 1 and QoS 2 each in order; stores empty\n");
    ta_close(&sub);
    tb_stop(&m, 0);
    {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
        if (system(cmd) != 0)
            tu_log("could not remove %s", base);
    }
    return 0;
}
