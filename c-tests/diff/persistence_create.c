/*
 * Persistence choices at create time (differential): NONE, DEFAULT (file
 * store, with and without a directory), USER with a NULL context and USER
 * with a callback table. Prints create/connect/publish codes and, for USER,
 * the order in which the library called the persistence callbacks.
 *
 * Each case runs in a fork()ed child inside its own temporary directory, so
 * DEFAULT's files land there and are removed afterwards.
 */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "MQTTClientPersistence.h"
#include "testutil.h"

/* ---- a USER store that keeps nothing and logs each call ---- */
static char calls[200];
static void called(const char *what)
{
    size_t n = strlen(calls), w = strlen(what);
    /* Collapse repeats of the same call so counts that depend on timing
     * (e.g. extra keys() scans) do not show. */
    if (n >= w && strcmp(calls + n - w, what) == 0)
        return;
    if (n + w + 2 < sizeof calls) {
        if (n)
            strcat(calls, ",");
        strcat(calls, what);
    }
}
static int p_open(void **h, const char *id, const char *uri, void *ctx) { (void)id; (void)uri; *h = ctx; called("open"); return 0; }
static int p_close(void *h) { (void)h; called("close"); return 0; }
static int p_put(void *h, char *k, int n, char *b[], int l[]) { (void)h; (void)k; (void)n; (void)b; (void)l; called("put"); return 0; }
static int p_get(void *h, char *k, char **b, int *l) { (void)h; (void)k; (void)b; (void)l; called("get"); return MQTTCLIENT_PERSISTENCE_ERROR; }
static int p_remove(void *h, char *k) { (void)h; (void)k; called("remove"); return 0; }
static int p_keys(void *h, char ***k, int *n) { (void)h; *k = NULL; *n = 0; called("keys"); return 0; }
static int p_clear(void *h) { (void)h; called("clear"); return 0; }
static int p_containskey(void *h, char *k) { (void)h; (void)k; called("containskey"); return MQTTCLIENT_PERSISTENCE_ERROR; }

struct pcase { const char *name; int type; int ctx; };
enum { CTX_NULL, CTX_DIR, CTX_TABLE, CTX_TABLE_NULL };

static int run_case(void *arg)
{
    const struct pcase *pc = arg;
    static MQTTClient_persistence table = { NULL, p_open, p_close, p_put, p_get, p_remove, p_keys, p_clear, p_containskey };
    char dir[] = "/tmp/ctest-persist-XXXXXX";
    void *ctx = NULL;
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt = 0;
    int crc, rc = 0, prc = 0, wrc = 0;

    if (!mkdtemp(dir) || chdir(dir) != 0)
        tu_fail("temp dir");
    if (pc->ctx == CTX_DIR)
        ctx = dir;
    else if (pc->ctx == CTX_TABLE || pc->ctx == CTX_TABLE_NULL) {
        /* Paho refuses a table whose own context is NULL. */
        table.context = pc->ctx == CTX_TABLE ? (void *)dir : NULL;
        ctx = &table;
    }
    crc = MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("pers"), pc->type, ctx);
    if (crc == MQTTCLIENT_SUCCESS) {
        o.cleansession = 0;
        rc = MQTTClient_connect(c, &o);
        if (rc == MQTTCLIENT_SUCCESS) {
            prc = MQTTClient_publish(c, tu_topic("persist"), 2, "hi", 1, 0, &dt);
            wrc = MQTTClient_waitForCompletion(c, dt, 5000);
            MQTTClient_disconnect(c, 1000);
        }
        MQTTClient_destroy(&c);
    }
    snprintf(tu_child_note, sizeof tu_child_note, "create=%d connect=%d publish=%d wait=%d calls=[%s]",
             crc, rc, prc, wrc, calls);
    if (chdir("/") != 0)
        tu_log("chdir failed");
    {
        char cmd[64];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        if (system(cmd) != 0)
            tu_log("could not remove %s", dir);
    }
    return 0;
}

int main(void)
{
    static const struct pcase cases[] = {
        { "none", MQTTCLIENT_PERSISTENCE_NONE, CTX_NULL },
        { "default_null_context", MQTTCLIENT_PERSISTENCE_DEFAULT, CTX_NULL },
        { "default_dir_context", MQTTCLIENT_PERSISTENCE_DEFAULT, CTX_DIR },
        { "user_null_context", MQTTCLIENT_PERSISTENCE_USER, CTX_NULL },
        { "user_table_null_context", MQTTCLIENT_PERSISTENCE_USER, CTX_TABLE_NULL },
        { "user_table", MQTTCLIENT_PERSISTENCE_USER, CTX_TABLE },
    };
    size_t i;
    check_library();
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = 0, how = tu_in_child(run_case, (void *)&cases[i], 15, &rc);
        if (how == TU_CHILD_OK)
            printf("%s: %s\n", cases[i].name, tu_child_note);
        else
            printf("%s: %s\n", cases[i].name, how == TU_CHILD_CRASH ? "crash" : "hang/error");
    }
    return 0;
}
