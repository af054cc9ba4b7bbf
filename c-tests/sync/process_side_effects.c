/*
 * No process-wide side effects and TCP_NODELAY on (ours only):
 *  - the SIGPIPE disposition the program chose (here a handler of its own)
 *    is unchanged after create, connect, publish, disconnect and destroy
 *    (Paho sets SIGPIPE to SIG_IGN for the whole process; we write with
 *    MSG_NOSIGNAL instead);
 *  - the client's TCP socket to the broker has TCP_NODELAY set, found by
 *    looking at this process's sockets for one connected to the broker port.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "MQTTClient.h"
#include "testutil.h"

static void on_pipe(int sig) { (void)sig; }

static int sigpipe_is_ours(void)
{
    struct sigaction sa;
    sigaction(SIGPIPE, NULL, &sa);
    return sa.sa_handler == on_pipe;
}

/* TCP_NODELAY of the socket connected to 127.0.0.1:port; -1 if none found. */
static int nodelay_to(int port)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int found = -1;
    if (!d)
        tu_fail("cannot list /proc/self/fd");
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name), on = 0;
        struct sockaddr_in peer;
        socklen_t len = sizeof peer, olen = sizeof on;
        struct stat st;
        if (e->d_name[0] == '.' || fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
            continue;
        if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0 || peer.sin_family != AF_INET ||
            ntohs(peer.sin_port) != port)
            continue;
        if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &olen) == 0)
            found = on != 0;
    }
    closedir(d);
    return found;
}

int main(void)
{
    struct sigaction sa;
    MQTTClient c = NULL;
    MQTTClient_connectOptions o = MQTTClient_connectOptions_initializer;
    MQTTClient_deliveryToken dt;
    int nodelay;

    check_library();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_pipe;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);

    TU_EXPECT_RC(MQTTClient_create(&c, tu_env("MQTT_TEST_URI"), tu_client_id("fx"), MQTTCLIENT_PERSISTENCE_NONE, NULL), 0);
    TU_EXPECT_RC(MQTTClient_connect(c, &o), 0);
    TU_EXPECT_RC(MQTTClient_publish(c, tu_topic("fx"), 1, "x", 1, 0, &dt), 0);
    TU_EXPECT_RC(MQTTClient_waitForCompletion(c, dt, 5000), 0);
    nodelay = nodelay_to(atoi(tu_env("MQTT_TEST_PORT")));
    TU_EXPECT_RC(MQTTClient_disconnect(c, 1000), 0);
    MQTTClient_destroy(&c);

    if (!sigpipe_is_ours())
        tu_fail("the library changed the process's SIGPIPE disposition");
    if (nodelay < 0)
        tu_fail("no socket connected to the broker port found");
    if (nodelay != 1)
        tu_fail("TCP_NODELAY is off on the broker connection");
    printf("PASS\n");
    return 0;
}
