/*
 * A damaged file store (MQTTCLIENT_PERSISTENCE_DEFAULT), ours only: the
 * client is created anyway, the good entries are restored (pending tokens at
 * create, sent after connect, delivered), each damaged one is skipped with an
 * ERROR trace line that names it, and left on disk. A store directory that
 * cannot be made gives MQTTCLIENT_PERSISTENCE_ERROR at create. Never a crash.
 *
 * Debian's Paho skips most damaged MQTT 3 entries silently, fails create with
 * -2 on a damaged MQTT 5 entry, lists a PUBLISH whose id differs from its key
 * twice, and crashes (SIGSEGV) on a PUBREL in an s- file (see the deviations
 * in c-tests/diff/README.md).
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "testutil.h"

static pthread_mutex_t trace_lock = PTHREAD_MUTEX_INITIALIZER;
static char traces[16384];

static void on_trace(enum MQTTCLIENT_TRACE_LEVELS level, char *message)
{
    pthread_mutex_lock(&trace_lock);
    if (level >= MQTTCLIENT_TRACE_ERROR && strlen(traces) + strlen(message) + 2 < sizeof traces) {
        strcat(traces, message);
        strcat(traces, "\n");
    }
    pthread_mutex_unlock(&trace_lock);
}

/* The trace names `key` (followed by a colon, as every persistence line does). */
static int traced(const char *key)
{
    char pat[64];
    int found;
    snprintf(pat, sizeof pat, " %s:", key);
    pthread_mutex_lock(&trace_lock);
    found = strstr(traces, pat) != NULL;
    pthread_mutex_unlock(&trace_lock);
    return found;
}

static char dir[512];

static void write_entry(const char *name, const void *bytes, size_t len)
{
    char path[700];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (!(f = fopen(path, "wb")) || fwrite(bytes, 1, len, f) != len || fclose(f) != 0)
        tu_fail("cannot write %s", path);
}

static int exists(const char *name)
{
    char path[700];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* A PUBLISH as on the wire (MQTT 3.1.1, no DUP), as Paho stores it. */
static size_t publish(unsigned char *out, int qos, int id, const char *topic, const char *payload)
{
    size_t tl = strlen(topic), pl = strlen(payload), i = 0;
    out[i++] = (unsigned char)(0x30 | qos << 1);
    out[i++] = (unsigned char)(2 + tl + 2 + pl);
    out[i++] = 0;
    out[i++] = (unsigned char)tl;
    memcpy(out + i, topic, tl);
    i += tl;
    out[i++] = (unsigned char)(id >> 8);
    out[i++] = (unsigned char)id;
    memcpy(out + i, payload, pl);
    return i + pl;
}

static void check_create_fails(const char *context, const char *what)
{
    MQTTClient c = NULL;
    int rc;
    traces[0] = '\0';
    rc = MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("bad"), MQTTCLIENT_PERSISTENCE_DEFAULT,
                           (void *)context);
    if (rc != MQTTCLIENT_PERSISTENCE_ERROR)
        tu_fail("%s: create returned %d, expected -2", what, rc);
    if (!strstr(traces, "MQTTClient_create"))
        tu_fail("%s: no trace line says why create failed:\n%s", what, traces);
    printf("%s: create -2\n", what);
}

int main(void)
{
    const char *uri = tu_env("MQTT_TEST_URI"), *topic;
    const char *damaged[] = { "s-2", "s-3", "notes", "s-4", "s-5", "s-7", "sc-9", "s-11", "s5-12", "s-13", "s-14" };
    char id[32], base[300], cwd[256];
    unsigned char rec[512];
    size_t n, i;
    MQTTClient c;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken *tokens = NULL;
    tu_sub *s;
    int got1 = 0, got8 = 0, rc;

    check_library();
    MQTTClient_setTraceCallback(on_trace);
    MQTTClient_setTraceLevel(MQTTCLIENT_TRACE_ERROR);
    if (!getcwd(cwd, sizeof cwd))
        tu_fail("getcwd");
    snprintf(base, sizeof base, "%s/damaged-%d", cwd, (int)getpid());
    snprintf(id, sizeof id, "%s", tu_client_id("dmg"));
    topic = tu_topic("damaged");
    /* The directory the library uses: <base>/<client id>-<host>-<port>. */
    snprintf(dir, sizeof dir, "%s/%s-%s-%s", base, id, tu_env("MQTT_TEST_HOST"), tu_env("MQTT_TEST_PORT"));
    if (mkdir(base, 0755) != 0 || mkdir(dir, 0755) != 0)
        tu_fail("mkdir %s: %s", dir, strerror(errno));

    n = publish(rec, 1, 1, topic, "good1");
    write_entry("s-1.msg", rec, n);                         /* good, as Paho writes it */
    write_entry("s-2.msg", rec, 5);                         /* truncated */
    write_entry("s-3.msg", "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\x00\x01", 10); /* garbage */
    write_entry("notes.msg", "not ours", 8);                /* a key that is not ours */
    write_entry("s-4.msg", "", 0);                          /* empty */
    n = publish(rec, 1, 6, topic, "wrong id");
    write_entry("s-5.msg", rec, n);                         /* id 6 under key s-5 */
    {
        char path[700];
        snprintf(path, sizeof path, "%s/s-7.msg", dir);      /* a directory, not a file */
        if (mkdir(path, 0755) != 0)
            tu_fail("mkdir %s", path);
    }
    n = publish(rec, 2, 8, topic, "good8");
    memcpy(rec + n, "\0\0\0\0\0\0\0\x02", 8);               /* ours: an 8-byte sequence number after it */
    write_entry("s-8.msg", rec, n + 8);
    write_entry("sc-9.msg", "\x62\x02\x00\x09", 4);         /* PUBREL stage of a message not there */
    write_entry("r-10.msg", "\x50\x02\x00\x0a", 4);         /* an inbound QoS 2 id: fine */
    write_entry("s-11.msg", "\x62\x02\x00\x0b", 4);         /* a PUBREL where a PUBLISH belongs */
    write_entry("s5-12.msg", "\xff\xff\xff", 3);            /* garbage, MQTT 5 */
    n = publish(rec, 1, 13, topic, "trailing");
    memcpy(rec + n, "abc", 3);                              /* 3 stray bytes after the packet */
    write_entry("s-13.msg", rec, n + 3);
    write_entry("s-14.msg", "\x32\xff\xff\xff\xff\x01\x00", 7); /* 5-byte remaining length */

    tu_step("create");
    rc = MQTTClient_create(&c, uri, id, MQTTCLIENT_PERSISTENCE_DEFAULT, base);
    if (rc != MQTTCLIENT_SUCCESS)
        tu_fail("create with a damaged store returned %d", rc);
    MQTTClient_getPendingDeliveryTokens(c, &tokens);
    printf("pending after create:");
    for (i = 0; tokens && tokens[i] != -1; i++)
        printf(" %d", tokens[i]);
    printf("\n");
    if (!tokens || tokens[0] != 1 || tokens[1] != 8 || tokens[2] != -1)
        tu_fail("expected pending tokens 1 and 8 only");
    MQTTClient_free(tokens);
    for (i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
        if (!traced(damaged[i]))
            tu_fail("no trace line names %s; the trace:\n%s", damaged[i], traces);
        printf("traced: %s\n", damaged[i]);
    }
    if (traced("s-1") || traced("s-8") || traced("r-10"))
        tu_fail("a good entry was traced as damaged:\n%s", traces);

    tu_step("connect");
    s = tu_sub_open(uri, topic, 2);
    o.cleansession = 0;
    if ((rc = MQTTClient_connect(c, &o)) != MQTTCLIENT_SUCCESS)
        tu_fail("connect: %d", rc);
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, 1, 5000), MQTTCLIENT_SUCCESS);
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, 8, 5000), MQTTCLIENT_SUCCESS);
    for (;;) {
        char *t;
        MQTTClient_message *m = tu_sub_next(s, got1 && got8 ? 500 : 5000, &t);
        if (!m)
            break;
        if (m->payloadlen == 5 && memcmp(m->payload, "good1", 5) == 0)
            got1++;
        else if (m->payloadlen == 5 && memcmp(m->payload, "good8", 5) == 0)
            got8++;
        else
            tu_fail("a damaged entry was sent: %.*s", m->payloadlen, (char *)m->payload);
        MQTTClient_freeMessage(&m);
        MQTTClient_free(t);
    }
    printf("delivered: good1 x%d, good8 x%d\n", got1, got8);
    if (got1 != 1 || got8 != 1)
        tu_fail("expected each good entry once");
    if (exists("s-1.msg") || exists("s-8.msg"))
        tu_fail("acknowledged entries are still on disk");
    if (!exists("s-3.msg") || !exists("notes.msg"))
        tu_fail("skipped entries were removed (they are left for inspection)");
    MQTTClient_disconnect(c, 1000);
    MQTTClient_destroy(&c);
    tu_sub_close(s);

    /* Directories that cannot be made. */
    {
        char file[320], under[340];
        snprintf(file, sizeof file, "%s/plainfile", base);
        write_entry("../plainfile", "x", 1);
        snprintf(under, sizeof under, "%s/sub", file);
        check_create_fails(under, "context under a regular file");
        check_create_fails(file, "context is a regular file");
    }
    {
        /* The client's own directory name is taken by a regular file. */
        char taken[700];
        MQTTClient c2 = NULL;
        const char *id2 = tu_client_id("taken");
        FILE *f;
        snprintf(taken, sizeof taken, "%s/%s-%s-%s", base, id2, tu_env("MQTT_TEST_HOST"), tu_env("MQTT_TEST_PORT"));
        if (!(f = fopen(taken, "w")) || fclose(f) != 0)
            tu_fail("cannot write %s", taken);
        traces[0] = '\0';
        rc = MQTTClient_create(&c2, uri, id2, MQTTCLIENT_PERSISTENCE_DEFAULT, base);
        if (rc != MQTTCLIENT_PERSISTENCE_ERROR)
            tu_fail("store directory taken by a file: create returned %d", rc);
        printf("store directory taken by a file: create -2\n");
    }
    {
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
        if (system(cmd) != 0)
            tu_log("could not remove %s", base);
    }
    return 0;
}
