/*
 * MQTTAsync_setBeforePersistenceWrite / setAfterPersistenceRead (ours only):
 * hooks that XOR every stored byte, as an application would encrypt its
 * store. Both hooks sometimes change a buffer in place and sometimes replace
 * it with a new MQTTAsync_malloc'd one, freeing the old with MQTTAsync_free.
 *
 *  1. A publisher process with a file store sends three messages (QoS 1, 2,
 *     0) before any connect and dies (_exit): the files on disk hold neither
 *     the topic nor the payloads in plain text.
 *  2. A new process without the hooks cannot read them: nothing is pending,
 *     nothing crashes (each entry is skipped with a trace line), and the
 *     entries stay.
 *  3. A new process with the hooks restores them and delivers all three, in
 *     plain text, once each; the store ends empty.
 *  4. 2,000 QoS 1 publishes of 1 KB through the hook, on a connected client
 *     (half of them have their packet buffer replaced): the heap in use grows
 *     by less than 256 KB (a leak of the replaced buffers, or of the ones
 *     they replaced, would be 1 MB or more; a double free aborts).
 */
// link: paho-mqtt3a
#define _GNU_SOURCE /* memmem, mallinfo2 */
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "MQTTAsync.h"
#include "MQTTClientPersistence.h"
#include "testutil.h"
#include "testutil_async.h"

#define KEY 0x5a
static int writes, reads;

static int before_write(void *context, int bufcount, char *buffers[], int buflens[])
{
    int i, j;
    (void)context;
    for (i = 0; i < bufcount; i++) {
        /* Every other buffer is replaced, the others changed in place. */
        if ((writes + i) % 2 == 0) {
            char *fresh = MQTTAsync_malloc(buflens[i] > 0 ? (size_t)buflens[i] : 1);
            if (!fresh)
                return -1;
            for (j = 0; j < buflens[i]; j++)
                fresh[j] = (char)(buffers[i][j] ^ KEY);
            MQTTAsync_free(buffers[i]);
            buffers[i] = fresh;
        } else
            for (j = 0; j < buflens[i]; j++)
                buffers[i][j] ^= KEY;
    }
    writes++;
    return 0;
}

static int after_read(void *context, char **buffer, int *buflen)
{
    int j;
    (void)context;
    if (reads++ % 2 == 0) {
        char *fresh = MQTTAsync_malloc(*buflen > 0 ? (size_t)*buflen : 1);
        if (!fresh)
            return -1;
        for (j = 0; j < *buflen; j++)
            fresh[j] = (char)((*buffer)[j] ^ KEY);
        MQTTAsync_free(*buffer);
        *buffer = fresh;
    } else
        for (j = 0; j < *buflen; j++)
            (*buffer)[j] ^= KEY;
    return 0;
}

static int arrived_ignore(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)topic_len;
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static MQTTAsync create(const char *base, const char *id, int hooks)
{
    MQTTAsync c;
    MQTTAsync_createOptions co = MQTTAsync_createOptions_initializer;
    int rc;
    co.sendWhileDisconnected = 1;
    co.allowDisconnectedSendAtAnyTime = 1;
    co.MQTTVersion = MQTTVERSION_3_1_1;
    if ((rc = MQTTAsync_createWithOptions(&c, tu_env("MQTT_TEST_URI"), id, MQTTCLIENT_PERSISTENCE_DEFAULT,
                                          (void *)base, &co)) != 0)
        tu_fail("create %d", rc);
    if (MQTTAsync_setCallbacks(c, NULL, NULL, arrived_ignore, NULL) != 0)
        tu_fail("setCallbacks");
    if (hooks && (MQTTAsync_setBeforePersistenceWrite(c, NULL, before_write) != 0 ||
                  MQTTAsync_setAfterPersistenceRead(c, NULL, after_read) != 0))
        tu_fail("setting the hooks");
    return c;
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

static int child_main(const char *role, const char *base, const char *id)
{
    MQTTAsync c;
    tu_watchdog(20);
    if (strcmp(role, "write") == 0) {
        static const char *payloads[] = { "SECRET-PAYLOAD-1", "SECRET-PAYLOAD-2", "SECRET-PAYLOAD-0" };
        int i;
        c = create(base, id, 1);
        for (i = 0; i < 3; i++) {
            int rc = MQTTAsync_send(c, tu_topic("secret-topic"), (int)strlen(payloads[i]), payloads[i], (i + 1) % 3, 0, NULL);
            if (rc != 0)
                tu_fail("send %d", rc);
        }
        if (writes < 3)
            tu_fail("the before-write hook ran %d times for 3 messages", writes);
        _exit(0);
    }
    if (strcmp(role, "nohooks") == 0) {
        c = create(base, id, 0);
        if (pending(c) != 0)
            tu_fail("without the read hook, %d entries were restored", pending(c));
        MQTTAsync_destroy(&c);
        return 0;
    }
    if (strcmp(role, "read") == 0) {
        MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
        int waited = 0;
        c = create(base, id, 1);
        if (pending(c) != 3)
            tu_fail("with the read hook, %d entries restored, expected 3", pending(c));
        if (reads < 3)
            tu_fail("the after-read hook ran %d times", reads);
        o.cleansession = 0;
        if (ta_connect(c, &o, MQTTVERSION_3_1_1) != 0)
            tu_fail("connect");
        while (pending(c) > 0 && waited < 10000) {
            tu_sleep_ms(50);
            waited += 50;
        }
        if (pending(c) != 0)
            tu_fail("%d messages still pending", pending(c));
        ta_close(&c);
        return 0;
    }
    tu_fail("unknown role %s", role);
    return 1;
}

static void run_child(const char *role, const char *base, const char *id)
{
    pid_t pid;
    int status;
    fflush(stdout);
    fflush(stderr);
    if ((pid = fork()) < 0)
        tu_fail("fork");
    if (pid == 0) {
        execl("/proc/self/exe", "child", "--child", role, base, id, (char *)NULL);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        tu_fail("child %s ended with status %#x", role, status);
}

/* Number of .msg files in the store; fails if one contains `plain`. */
static int scan_store(const char *dir, const char *plain)
{
    DIR *d;
    struct dirent *e;
    int n = 0;
    if (!(d = opendir(dir)))
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[1200], buf[4096];
        size_t len = strlen(e->d_name), got;
        FILE *f;
        if (len < 5 || strcmp(e->d_name + len - 4, ".msg") != 0)
            continue;
        n++;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (!(f = fopen(path, "rb")))
            tu_fail("cannot read %s", path);
        got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        if (memmem(buf, got, plain, strlen(plain)))
            tu_fail("%s holds \"%s\" in plain text", e->d_name, plain);
    }
    closedir(d);
    return n;
}

/* ---- the subscriber ---- */
static char got[8][32];
static int ngot;

static int sub_arrived(void *ctx, char *topic, int topic_len, MQTTAsync_message *m)
{
    (void)ctx;
    (void)topic_len;
    ta_lock();
    if (ngot < 8)
        snprintf(got[ngot++], sizeof got[0], "%.*s", m->payloadlen, (char *)m->payload);
    ta_unlock_notify();
    MQTTAsync_freeMessage(&m);
    MQTTAsync_free(topic);
    return 1;
}

static int three(void *arg)
{
    (void)arg;
    return ngot >= 3;
}

static int all_done;
static void on_done(void *ctx, MQTTAsync_successData *r)
{
    (void)ctx;
    (void)r;
    ta_lock();
    all_done++;
    ta_unlock_notify();
}
static int done_at_least(void *arg)
{
    return all_done >= *(int *)arg;
}

static void leak_check(const char *base)
{
    MQTTAsync c;
    MQTTAsync_connectOptions o = MQTTAsync_connectOptions_initializer;
    static char payload[1000];
    size_t before, after;
    int i, want, round;

    memset(payload, 'x', sizeof payload);
    c = create(base, tu_client_id("leak"), 1);
    if (ta_connect(c, &o, MQTTVERSION_3_1_1) != 0)
        tu_fail("leak: connect");
    before = 0;
    for (round = 0; round < 2; round++) {
        int n = round == 0 ? 200 : 2000;
        for (i = 0; i < n; i++) {
            MQTTAsync_responseOptions r = MQTTAsync_responseOptions_initializer;
            r.onSuccess = on_done;
            if (MQTTAsync_send(c, tu_topic("leak"), sizeof payload, payload, 1, 0, &r) != 0)
                tu_fail("leak: send %d", i);
            if (i % 100 == 99) {
                want = i + 1 + (round ? 200 : 0);
                if (!ta_wait_until(done_at_least, &want, 10000))
                    tu_fail("leak: only %d of %d acknowledged", all_done, want);
            }
        }
        want = n + (round ? 200 : 0);
        if (!ta_wait_until(done_at_least, &want, 10000))
            tu_fail("leak: only %d of %d acknowledged", all_done, want);
        if (round == 0)
            before = mallinfo2().uordblks;
    }
    after = mallinfo2().uordblks;
    printf("heap in use after 200 and after 2,200 hooked publishes: growth %s 256 KB\n",
           after < before + (256u << 10) ? "under" : "OVER");
    tu_log("heap in use: %zu -> %zu", before, after);
    if (after >= before + (256u << 10))
        tu_fail("heap grew by %zu bytes over 2,000 publishes", after - before);
    ta_close(&c);
}

int main(int argc, char **argv)
{
    MQTTAsync sub;
    char base[300], cwd[256], id[32], dir[700];
    int i;

    if (argc == 5 && strcmp(argv[1], "--child") == 0) {
        check_library_async();
        return child_main(argv[2], argv[3], argv[4]);
    }
    if (argc > 1)
        tu_fail("usage: %s (children get --child ROLE BASE ID)", argv[0]);
    check_library_async();
    tu_watchdog(55);
    if (!getcwd(cwd, sizeof cwd))
        tu_fail("getcwd");
    snprintf(base, sizeof base, "%s/hooks-%d", cwd, (int)getpid());
    if (mkdir(base, 0755) != 0)
        tu_fail("mkdir %s", base);
    snprintf(id, sizeof id, "%s", tu_client_id("hooks"));
    snprintf(dir, sizeof dir, "%s/%s-%s-%s", base, id, tu_env("MQTT_TEST_HOST"), tu_env("MQTT_TEST_PORT"));

    tu_step("write");
    run_child("write", base, id);
    if (scan_store(dir, "SECRET-PAYLOAD") != 3 || scan_store(dir, "secret-topic") != 3)
        tu_fail("expected 3 entries in %s", dir);
    printf("3 entries stored, no plain topic or payload in them\n");

    tu_step("no hooks");
    run_child("nohooks", base, id);
    if (scan_store(dir, "SECRET-PAYLOAD") != 3)
        tu_fail("entries removed by a client that could not read them");
    printf("without the read hook: nothing restored, entries kept\n");

    tu_step("read");
    sub = ta_create(tu_env("MQTT_TEST_URI"), "sub", MQTTVERSION_3_1_1);
    MQTTAsync_setCallbacks(sub, NULL, NULL, sub_arrived, NULL);
    if (ta_connect(sub, NULL, MQTTVERSION_3_1_1) != 0)
        tu_fail("subscriber connect");
    ta_subscribe(sub, tu_topic("secret-topic"), 2, 0);
    run_child("read", base, id);
    ta_wait_until(three, NULL, 5000);
    tu_sleep_ms(500);
    ta_lock();
    printf("delivered:");
    for (i = 0; i < ngot; i++)
        printf(" %s", got[i]);
    printf("\n");
    if (ngot != 3)
        tu_fail("%d messages delivered, expected 3", ngot);
    for (i = 0; i < 3; i++) {
        char want[32];
        int j, n = 0;
        snprintf(want, sizeof want, "SECRET-PAYLOAD-%d", i);
        for (j = 0; j < ngot; j++)
            n += strcmp(got[j], want) == 0;
        if (n != 1)
            tu_fail("%s delivered %d times", want, n);
    }
    ta_unlock_notify();
    if (scan_store(dir, "SECRET-PAYLOAD") != 0)
        tu_fail("entries left after delivery");
    ta_close(&sub);

    tu_step("leak check");
    leak_check(base);
    {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
        if (system(cmd) != 0)
            tu_log("could not remove %s", base);
    }
    return 0;
}
