/*
 * An inbound QoS 2 message is delivered once across a restart (ours only).
 *
 * The test plays the broker itself (exact bytes, no threads) and runs the
 * client, a synchronous client with a file store (MQTTCLIENT_PERSISTENCE_
 * DEFAULT) and cleansession 0, in forked child processes:
 *
 *  1. the broker sends PUBLISH QoS 2 id 7; the client answers PUBREC and its
 *     messageArrived runs (it tells the test through a pipe); the store now
 *     holds r-7 (r5-7 for MQTT 5); the client process is killed (SIGKILL)
 *     before any PUBREL;
 *  2. a new client process with the same store connects (session present 1)
 *     and the broker goes on where it was:
 *       resend:  PUBLISH id 7 again with DUP (it had not seen the PUBREC):
 *                the client answers PUBREC and does not deliver it again;
 *                then PUBREL -> PUBCOMP;
 *       pubrel:  PUBREL id 7 (it had seen the PUBREC) -> PUBCOMP, nothing
 *                delivered;
 *     then a new PUBLISH QoS 2 with the same id 7 is a new message: it is
 *     delivered, and r-7 is gone once its PUBCOMP is out.
 */
#define _XOPEN_SOURCE 700
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "testutil.h"

static int listener, port, report[2];
static char base[300], client_id[32];

/* ---- the client side (child processes) ---- */

static int arrived(void *ctx, char *topic, int topic_len, MQTTClient_message *m)
{
    char line[128];
    int n;
    ssize_t ignored;
    (void)ctx;
    (void)topic_len;
    n = snprintf(line, sizeof line, "%.*s\n", m->payloadlen, (char *)m->payload);
    ignored = write(report[1], line, (size_t)n);
    (void)ignored;
    MQTTClient_freeMessage(&m);
    MQTTClient_free(topic);
    return 1;
}

static void lost(void *ctx, char *cause)
{
    (void)ctx;
    (void)cause;
}

/* Runs until killed. */
static void run_client(int v5)
{
    MQTTClient c;
    MQTTClient_createOptions co = MQTTClient_createOptions_initializer;
    char uri[64];
    int rc;

    tu_watchdog(20);
    snprintf(uri, sizeof uri, "tcp://127.0.0.1:%d", port);
    co.MQTTVersion = v5 ? MQTTVERSION_5 : MQTTVERSION_3_1_1;
    if ((rc = MQTTClient_createWithOptions(&c, uri, client_id, MQTTCLIENT_PERSISTENCE_DEFAULT, base, &co)) != 0)
        tu_fail("child: create %d", rc);
    MQTTClient_setCallbacks(c, NULL, lost, arrived, NULL);
    if (v5) {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer5;
        MQTTResponse r;
        o.cleanstart = 0;
        r = MQTTClient_connect5(c, &o, NULL, NULL);
        rc = r.reasonCode;
        MQTTResponse_free(r);
    } else {
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        o.cleansession = 0;
        rc = MQTTClient_connect(c, &o);
    }
    if (rc != 0)
        tu_fail("child: connect %d", rc);
    for (;;)
        pause();
}

static pid_t start_client(int v5)
{
    pid_t pid;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        tu_fail("fork");
    if (pid == 0) {
        close(listener);
        run_client(v5);
        _exit(0);
    }
    return pid;
}

static void kill_client(pid_t pid)
{
    int status;
    kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        tu_fail("the client process ended on its own (status %#x)", status);
}

/* ---- the broker side (this process) ---- */

static int wait_readable(int fd, int ms)
{
    struct pollfd p;
    p.fd = fd;
    p.events = POLLIN;
    return poll(&p, 1, ms) == 1;
}

static void read_exact(int fd, unsigned char *b, int n)
{
    while (n > 0) {
        ssize_t r;
        if (!wait_readable(fd, 5000))
            tu_fail("broker: the client sent nothing for 5 s");
        r = read(fd, b, (size_t)n);
        if (r <= 0)
            tu_fail("broker: the client closed the connection");
        b += r;
        n -= (int)r;
    }
}

/* One packet: its first byte, and its body in body[] (returns the length). */
static int read_packet(int fd, unsigned char *first, unsigned char *body, int max)
{
    unsigned char b;
    int len = 0, mult = 1, i;
    read_exact(fd, first, 1);
    for (i = 0; i < 4; i++) {
        read_exact(fd, &b, 1);
        len += (b & 127) * mult;
        mult *= 128;
        if (!(b & 128))
            break;
    }
    if (len > max)
        tu_fail("broker: a packet of %d bytes", len);
    read_exact(fd, body, len);
    return len;
}

/* Expects an acknowledgement of `type` (5 PUBREC, 7 PUBCOMP) for `id`. */
static void expect_ack(int fd, int type, int id, const char *what)
{
    unsigned char first, body[64];
    int len = read_packet(fd, &first, body, sizeof body);
    if (first >> 4 != type || len < 2 || (body[0] << 8 | body[1]) != id)
        tu_fail("broker: expected %s %d, got packet type %d id %d", what, id, first >> 4,
                len >= 2 ? body[0] << 8 | body[1] : -1);
    if (len > 2 && body[2] >= 0x80)
        tu_fail("broker: %s %d with failure reason %#x", what, id, body[2]);
}

static void send_all(int fd, const unsigned char *b, int n)
{
    if (write(fd, b, (size_t)n) != n)
        tu_fail("broker: write failed");
}

static void send_publish(int fd, int v5, int dup, int id, const char *payload)
{
    unsigned char p[128];
    const char *topic = "t/once";
    int tl = (int)strlen(topic), pl = (int)strlen(payload), i = 0;
    p[i++] = (unsigned char)(0x34 | (dup ? 8 : 0));
    p[i++] = (unsigned char)(2 + tl + 2 + (v5 ? 1 : 0) + pl);
    p[i++] = 0;
    p[i++] = (unsigned char)tl;
    memcpy(p + i, topic, tl);
    i += tl;
    p[i++] = (unsigned char)(id >> 8);
    p[i++] = (unsigned char)id;
    if (v5)
        p[i++] = 0;
    memcpy(p + i, payload, pl);
    send_all(fd, p, i + pl);
}

static void send_ack(int fd, int first, int id)
{
    unsigned char p[4];
    p[0] = (unsigned char)first;
    p[1] = 2;
    p[2] = (unsigned char)(id >> 8);
    p[3] = (unsigned char)id;
    send_all(fd, p, 4);
}

/* Accepts the client's connection and answers its CONNECT (cleansession 0). */
static int accept_client(int v5, int session_present)
{
    unsigned char first, body[256];
    int fd, len;
    if (!wait_readable(listener, 10000))
        tu_fail("broker: no connection within 10 s");
    if ((fd = accept(listener, NULL, NULL)) < 0)
        tu_fail("broker: accept");
    len = read_packet(fd, &first, body, sizeof body);
    /* Variable header: protocol name (2 + 4), level, flags. */
    if (first != 0x10 || len < 8 || body[6] != (v5 ? 5 : 4))
        tu_fail("broker: not the CONNECT expected");
    if (body[7] & 2)
        tu_fail("broker: the client asked for a clean session");
    if (v5) {
        unsigned char ack[] = { 0x20, 3, 0, 0, 0 };
        ack[2] = (unsigned char)session_present;
        send_all(fd, ack, sizeof ack);
    } else {
        unsigned char ack[] = { 0x20, 2, 0, 0 };
        ack[2] = (unsigned char)session_present;
        send_all(fd, ack, sizeof ack);
    }
    return fd;
}

/* What the client delivered within ms (lines joined with ','). */
static void deliveries(char *out, size_t size, int ms)
{
    size_t n = 0;
    out[0] = '\0';
    while (wait_readable(report[0], ms)) {
        ssize_t r = read(report[0], out + n, size - n - 1);
        if (r <= 0)
            break;
        n += (size_t)r;
        out[n] = '\0';
        ms = 100;
    }
    for (n = 0; out[n]; n++)
        if (out[n] == '\n')
            out[n] = out[n + 1] ? ',' : '\0';
}

static int stored(int v5, int id)
{
    char path[700];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s-127.0.0.1-%d/%s%d.msg", base, client_id, port, v5 ? "r5-" : "r-", id);
    return stat(path, &st) == 0;
}

static void scenario(int v5, int resend_publish)
{
    const char *name = resend_publish ? "resend" : "pubrel";
    char got[256];
    pid_t pid;
    int fd;

    printf("MQTT %s, %s:\n", v5 ? "5" : "3.1.1", name);
    snprintf(client_id, sizeof client_id, "%s", tu_client_id(name));

    tu_step("first process");
    pid = start_client(v5);
    fd = accept_client(v5, 0);
    send_publish(fd, v5, 0, 7, "once");
    expect_ack(fd, 5, 7, "PUBREC");
    deliveries(got, sizeof got, 5000);
    if (strcmp(got, "once") != 0)
        tu_fail("first process delivered [%s], expected once", got);
    if (!stored(v5, 7))
        tu_fail("no %s7 entry in the store after PUBREC", v5 ? "r5-" : "r-");
    kill_client(pid);
    close(fd);
    printf("  first process: delivered 'once', PUBREC sent, killed before PUBREL\n");

    tu_step("second process");
    pid = start_client(v5);
    fd = accept_client(v5, 1);
    if (resend_publish) {
        send_publish(fd, v5, 1, 7, "once");
        expect_ack(fd, 5, 7, "PUBREC");
    }
    send_ack(fd, 0x62, 7);
    expect_ack(fd, 7, 7, "PUBCOMP");
    if (stored(v5, 7))
        tu_fail("the entry of id 7 is still stored after PUBCOMP");
    /* The same id again is a new message now. */
    send_publish(fd, v5, 0, 7, "again");
    expect_ack(fd, 5, 7, "PUBREC");
    send_ack(fd, 0x62, 7);
    expect_ack(fd, 7, 7, "PUBCOMP");
    deliveries(got, sizeof got, 1000);
    if (strcmp(got, "again") != 0)
        tu_fail("second process delivered [%s], expected only again", got);
    kill_client(pid);
    close(fd);
    if (stored(v5, 7))
        tu_fail("the entry of id 7 is still stored at the end");
    printf("  second process: %s, PUBCOMP; 'once' not delivered again; the next id 7 delivered\n",
           resend_publish ? "PUBLISH with DUP answered PUBREC" : "PUBREL answered");
}

int main(void)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    char cwd[256];

    check_library();
    tu_watchdog(50);
    signal(SIGPIPE, SIG_IGN);
    if (!getcwd(cwd, sizeof cwd))
        tu_fail("getcwd");
    snprintf(base, sizeof base, "%s/inbound-%d", cwd, (int)getpid());
    if (mkdir(base, 0755) != 0)
        tu_fail("mkdir %s", base);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if ((listener = socket(AF_INET, SOCK_STREAM, 0)) < 0 || bind(listener, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(listener, 4) != 0 || getsockname(listener, (struct sockaddr *)&a, &alen) != 0)
        tu_fail("listen");
    port = ntohs(a.sin_port);
    if (pipe(report) != 0)
        tu_fail("pipe");

    scenario(0, 1);
    scenario(0, 0);
    scenario(1, 1);
    {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
        if (system(cmd) != 0)
            tu_log("could not remove %s", base);
    }
    return 0;
}
