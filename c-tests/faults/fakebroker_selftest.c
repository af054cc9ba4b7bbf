/*
 * The scripted fake broker itself (no MQTT library involved): a raw TCP
 * client plays the other side, and each way a script can go wrong must be
 * recorded as a mismatch, so that the fault tests built on it can fail:
 * wrong bytes (exact and masked), a packet where quiet was expected, the
 * client closing early, nothing arriving in time, a DISCONNECT with the
 * wrong reason code, a connection beyond the scripts. And the good paths: a
 * matching script runs to its end, FS_ACK echoes the packet id, trickled
 * bytes all arrive, step times are recorded.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fakebroker.h"
#include "testutil.h"

static int dial(fake_broker *fb)
{
    struct sockaddr_in a;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)fake_port(fb));
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0)
        tu_fail("dial");
    return s;
}

static void put(int s, const unsigned char *b, int n)
{
    if (send(s, b, (size_t)n, MSG_NOSIGNAL) != n)
        tu_fail("send");
}

/* Reads exactly n bytes within 3 s. */
static void get(int s, unsigned char *b, int n)
{
    int got = 0;
    while (got < n) {
        struct pollfd p = { s, POLLIN, 0 };
        ssize_t r;
        if (poll(&p, 1, 3000) <= 0)
            tu_fail("get: timeout after %d of %d bytes", got, n);
        r = read(s, b + got, (size_t)(n - got));
        if (r <= 0)
            tu_fail("get: closed after %d of %d bytes", got, n);
        got += (int)r;
    }
}

/* 1 when the peer closes within 3 s (after reading whatever it sent). */
static int closed_by_peer(int s)
{
    unsigned char b[64];
    long long end = tu_now_ms() + 3000;
    while (tu_now_ms() < end) {
        struct pollfd p = { s, POLLIN, 0 };
        if (poll(&p, 1, 100) > 0 && read(s, b, sizeof b) <= 0)
            return 1;
    }
    return 0;
}

static const unsigned char connect_pkt[] = { 0x10, 0x0d, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04,
                                             0x02, 0x00, 0x3c, 0x00, 0x01, 'c' };
static const unsigned char connack[] = { 0x20, 0x02, 0x00, 0x00 };
static const unsigned char pub_q1[] = { 0x32, 0x06, 0x00, 0x01, 't', 0x12, 0x34, 'p' };
static const unsigned char pub_q1_dup[] = { 0x3a, 0x06, 0x00, 0x01, 't', 0x12, 0x34, 'p' };
static const unsigned char pub_q1_any_id[] = { 0x32, 0x06, 0x00, 0x01, 't', 0x00, 0x00, 'p' };
static const unsigned char pub_mask_id[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0xff };
static const unsigned char disc_81[] = { 0xe0, 0x01, 0x81 };
static const unsigned char connect_prefix[] = { 0x10, 0x00, 0x00, 0x04, 'M', 'Q', 'T', 'T', 0x04, 0x02 };
static const unsigned char connect_prefix_mask[] = { 0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
static const unsigned char trickled[] = { 0x90, 0x03, 0x00, 0x05, 0x01 };

/* Runs script on a fresh broker while `client` plays the other side;
 * returns the number of mismatches. */
static int play(const fake_step *script, void (*client)(int s, fake_broker *fb))
{
    const fake_step *scripts[1];
    fake_broker *fb;
    int s, n;
    scripts[0] = script;
    fb = fake_start_script(scripts, 1);
    s = dial(fb);
    client(s, fb);
    close(s);
    fake_wait_script(fb, 0, 5000);
    n = fake_failures(fb);
    fake_stop(fb);
    return n;
}

static const fake_step good[] = { FS_EXPECT_PREFIX(connect_prefix, connect_prefix_mask),
                                  FS_SEND(connack),
                                  FS_EXPECT_MASKED(pub_q1_any_id, pub_mask_id),
                                  FS_ACK(0x40),
                                  FS_EXPECT_QUIET(200),
                                  FS_SEND_TRICKLE(trickled, 20),
                                  FS_EXPECT_DISCONNECT(0x81),
                                  FS_EXPECT_CLOSED(2000),
                                  FS_END };

static void good_client(int s, fake_broker *fb)
{
    unsigned char b[8];
    long long t0;
    put(s, connect_pkt, sizeof connect_pkt);
    get(s, b, 4);
    TU_ASSERT(memcmp(b, connack, 4) == 0);
    put(s, pub_q1, sizeof pub_q1);
    get(s, b, 4);
    TU_ASSERT(b[0] == 0x40 && b[1] == 2 && b[2] == 0x12 && b[3] == 0x34); /* the id echoed */
    t0 = tu_now_ms();
    get(s, b, sizeof trickled);
    TU_ASSERT(memcmp(b, trickled, sizeof trickled) == 0);
    TU_ASSERT(tu_now_ms() - t0 >= 60); /* 4 gaps of 20 ms, less scheduling */
    put(s, disc_81, sizeof disc_81);
    shutdown(s, SHUT_WR);
    TU_ASSERT(fake_wait_script(fb, 0, 3000) == 1);
    TU_ASSERT(fake_step_ms(fb, 0, -1) > 0 && fake_step_ms(fb, 0, 7) >= fake_step_ms(fb, 0, 0));
    {
        int levels[2];
        TU_ASSERT(fake_levels(fb, levels, 2) == 1 && levels[0] == 4);
    }
    {
        unsigned char p[16];
        TU_ASSERT(fake_packet(fb, 0, 2, p, sizeof p) == (int)sizeof pub_q1 && memcmp(p, pub_q1, sizeof pub_q1) == 0);
    }
}

static const fake_step want_dup[] = { FS_EXPECT(pub_q1_dup), FS_SILENT(0), FS_END };
static void sends_no_dup(int s, fake_broker *fb)
{
    (void)fb;
    put(s, pub_q1, sizeof pub_q1);
    TU_ASSERT(closed_by_peer(s)); /* a mismatch ends the connection */
}

static const fake_step want_quiet[] = { FS_EXPECT_QUIET(500), FS_END };
static void talks(int s, fake_broker *fb)
{
    (void)fb;
    put(s, pub_q1, sizeof pub_q1);
    closed_by_peer(s);
}

static const fake_step want_packet[] = { FS_EXPECT_TYPE(FAKE_PUBLISH), FS_END };
static void closes(int s, fake_broker *fb)
{
    (void)s;
    (void)fb;
}

static const fake_step want_fast[] = { FS_EXPECT_WITHIN(FAKE_PUBLISH, 200), FS_END };
static void slow(int s, fake_broker *fb)
{
    (void)fb;
    tu_sleep_ms(500);
    put(s, pub_q1, sizeof pub_q1);
    closed_by_peer(s);
}

static const fake_step want_disc_82[] = { FS_EXPECT_DISCONNECT(0x82), FS_END };
static void disc_wrong_reason(int s, fake_broker *fb)
{
    (void)fb;
    put(s, disc_81, sizeof disc_81);
    closed_by_peer(s);
}

static const fake_step want_close[] = { FS_EXPECT_CLOSED(1000), FS_END };
static void stays_open(int s, fake_broker *fb)
{
    (void)fb;
    closed_by_peer(s);
}

int main(void)
{
    tu_watchdog(60);
    TU_ASSERT(play(good, good_client) == 0);
    TU_ASSERT(play(want_dup, sends_no_dup) == 1);
    TU_ASSERT(play(want_quiet, talks) == 1);
    TU_ASSERT(play(want_packet, closes) == 1);
    TU_ASSERT(play(want_fast, slow) == 1);
    TU_ASSERT(play(want_disc_82, disc_wrong_reason) == 1);
    TU_ASSERT(play(want_close, stays_open) == 1);
    {
        /* A second connection with one script: a mismatch. */
        static const fake_step one[] = { FS_CLOSE };
        const fake_step *scripts[] = { one };
        fake_broker *fb = fake_start_script(scripts, 1);
        int a = dial(fb), b;
        TU_ASSERT(closed_by_peer(a));
        b = dial(fb);
        TU_ASSERT(closed_by_peer(b));
        close(a);
        close(b);
        TU_ASSERT(fake_failures(fb) == 1 && fake_connections(fb) == 2);
        fake_stop(fb);
    }
    printf("fake broker: 1 good script passed, 7 bad ones caught\n");
    return 0;
}
