/*
 * ALPN (differential, libpaho-mqtt3cs): protos/protos_len reach the server. The
 * server is `openssl s_server -alpn`, which speaks no MQTT, so connect times out with
 * MQTTCLIENT_FAILURE; what s_server reports of the client's hello is printed.
 */
// timeout: 60
#define _POSIX_C_SOURCE 200809L
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "MQTTClient.h"
#include "testutil.h"

static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t n = sizeof a;
    int s = socket(AF_INET, SOCK_STREAM, 0), port;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(s, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(s, (struct sockaddr *)&a, &n) != 0)
        tu_fail("bind");
    port = ntohs(a.sin_port);
    close(s);
    return port;
}

/* s_server prints ACCEPT once it listens. */
static int accepting(const char *out)
{
    char line[512];
    int ok = 0;
    FILE *f = fopen(out, "r");
    if (f == NULL)
        return 0;
    while (!ok && fgets(line, sizeof line, f))
        ok = strncmp(line, "ACCEPT", 6) == 0;
    fclose(f);
    return ok;
}

int main(void)
{
    const char *dir = tu_env("MQTT_TEST_CERT_DIR");
    char crt[1200], key[1200], ca[1200], out[1200], port_s[16], uri[64], line[512];
    int port = free_port(), rc;
    pid_t pid;
    FILE *f;
    check_library();
    tu_watchdog(50);
    snprintf(crt, sizeof crt, "%s/server.crt", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    snprintf(ca, sizeof ca, "%s/CA.crt", dir);
    snprintf(out, sizeof out, "%s/s_server.out", tu_env("MQTT_TEST_TMPDIR"));
    snprintf(port_s, sizeof port_s, "%d", port);
    unlink(out);
    pid = fork();
    if (pid == 0) {
        FILE *o = freopen(out, "w", stdout);
        (void)o;
        dup2(1, 2);
        execlp("openssl", "openssl", "s_server", "-accept", port_s, "-cert", crt, "-key", key, "-alpn",
               "mqtt,x-other", "-www", "-naccept", "1", (char *)NULL);
        _exit(127);
    }
    /* Not probed by connecting: that would use up s_server's one accept. */
    for (int i = 0; !accepting(out); i++) {
        if (i > 100)
            tu_fail("openssl s_server did not start");
        tu_sleep_ms(50);
    }
    {
        MQTTClient c = NULL;
        MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
        MQTTClient_SSLOptions s = MQTTClient_SSLOptions_initializer;
        static const unsigned char protos[] = "\x04mqtt";
        snprintf(uri, sizeof uri, "ssl://localhost:%d", port);
        TU_EXPECT_RC(MQTTClient_create(&c, uri, tu_client_id("alpn"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
        s.trustStore = ca;
        s.verify = 1;
        s.protos = protos;
        s.protos_len = 5;
        o.ssl = &s;
        o.connectTimeout = 2;
        rc = MQTTClient_connect(c, &o);
        printf("connect: %d\n", rc);
        MQTTClient_destroy(&c);
    }
    /* With -naccept 1 it ends after our connection, its output flushed. */
    for (int i = 0; waitpid(pid, NULL, WNOHANG) == 0; i++) {
        if (i == 100) {
            kill(pid, SIGTERM);
            waitpid(pid, NULL, 0);
            break;
        }
        tu_sleep_ms(50);
    }
    if ((f = fopen(out, "r")) == NULL)
        tu_fail("no s_server output");
    while (fgets(line, sizeof line, f)) {
        fputs(line, stderr);
        if (strstr(line, "ALPN protocols advertised"))
            fputs(line, stdout);
    }
    fclose(f);
    return 0;
}
