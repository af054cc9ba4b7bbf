/* A mosquitto of the test's own; see ownbroker.h. */
#define _POSIX_C_SOURCE 200809L
#include "ownbroker.h"
#include "testutil.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define MOSQUITTO "/usr/sbin/mosquitto"

static int loopback_socket(struct sockaddr_in *a, int port)
{
    memset(a, 0, sizeof *a);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a->sin_port = htons((unsigned short)port);
    return socket(AF_INET, SOCK_STREAM, 0);
}

int tb_free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int s = loopback_socket(&a, 0), port;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) || getsockname(s, (struct sockaddr *)&a, &len))
        tu_fail("tb_free_port: bind failed");
    port = ntohs(a.sin_port);
    close(s);
    return port;
}

static int accepts(int port)
{
    struct sockaddr_in a;
    int s = loopback_socket(&a, port), ok;
    ok = s >= 0 && connect(s, (struct sockaddr *)&a, sizeof a) == 0;
    if (s >= 0)
        close(s);
    return ok;
}

void tb_start(tb_broker *b)
{
    const char *dir = tu_env_opt("MQTT_TEST_TMPDIR");
    char conf[512], logf[512];
    char *argv[4];
    long long deadline;
    FILE *f;
    int fd;

    if (!dir)
        dir = "/tmp";
    if (b->port == 0)
        b->port = tb_free_port();
    snprintf(b->uri, sizeof b->uri, "tcp://127.0.0.1:%d", b->port);
    snprintf(conf, sizeof conf, "%s/ownbroker-%d.conf", dir, b->port);
    snprintf(logf, sizeof logf, "%s/ownbroker-%d.log", dir, b->port);
    if (!(f = fopen(conf, "w")))
        tu_fail("tb_start: cannot write %s", conf);
    if (b->persistent)
        fprintf(f, "persistence true\npersistence_location %s/\npersistence_file ownbroker-%d.db\n", dir, b->port);
    else
        fprintf(f, "persistence false\n");
    /* max_inflight_messages 0: with mosquitto 2.0.11's default (20), QoS 1
     * messages queued for an offline persistent client were lost across a
     * restart, with Paho and ours alike (40% in async/reconnect_inflight). */
    fprintf(f, "log_dest stderr\nlog_type error\nlog_type warning\nlog_type notice\n"
               "connection_messages true\nmax_connections -1\nmax_queued_messages 100000\nmax_inflight_messages 0\n%s"
               "listener %d 127.0.0.1\nallow_anonymous true\n",
            geteuid() == 0 ? "user root\n" : "", b->port);
    fclose(f);
    fd = open(logf, O_WRONLY | O_CREAT | O_APPEND, 0644);
    argv[0] = MOSQUITTO;
    argv[1] = "-c";
    argv[2] = conf;
    argv[3] = NULL;
    fflush(stdout);
    fflush(stderr);
    b->pid = fork();
    if (b->pid < 0)
        tu_fail("tb_start: fork failed");
    if (b->pid == 0) {
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(MOSQUITTO, argv);
        _exit(127);
    }
    if (fd >= 0)
        close(fd);
    deadline = tu_now_ms() + 10000;
    while (!accepts(b->port)) {
        int status;
        if (waitpid(b->pid, &status, WNOHANG) == b->pid)
            tu_fail("tb_start: mosquitto exited (see %s)", logf);
        if (tu_now_ms() > deadline)
            tu_fail("tb_start: mosquitto does not listen on %d (see %s)", b->port, logf);
        tu_sleep_ms(20);
    }
    tu_log("own broker pid %d on %s", (int)b->pid, b->uri);
}

void tb_stop(tb_broker *b, int abrupt)
{
    int status;
    if (b->pid <= 0)
        return;
    kill(b->pid, abrupt ? SIGKILL : SIGTERM);
    while (waitpid(b->pid, &status, 0) < 0)
        ;
    tu_log("own broker pid %d stopped", (int)b->pid);
    b->pid = 0;
}
