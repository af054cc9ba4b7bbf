/*
 * A scripted fake broker for tests that need exact broker replies: it runs
 * on its own thread on a free loopback port, accepts connections one at a
 * time, reads each CONNECT, records the protocol level it asked for, sends
 * the scripted reply bytes for that connection, optionally holds the
 * connection open while ignoring everything, and closes it.
 */
#ifndef FAKEBROKER_H
#define FAKEBROKER_H

/* Use designated initializers: { .bytes = b, .len = n, .hold_ms = 3000 }. */
typedef struct fake_reply {
    const unsigned char *bytes; /* sent after the CONNECT; NULL = send nothing */
    int len;
    int hold_ms; /* keep the connection open this long after the reply,
                    reading and discarding what the client sends */
    const unsigned char *later; /* sent later_ms after the reply, if set */
    int later_len;
    int later_ms;
} fake_reply;

typedef struct fake_broker fake_broker;

/* Connection i gets replies[i]; connections past the end get the last one. */
fake_broker *fake_start(const fake_reply *replies, int nreplies);
int fake_port(fake_broker *fb);
/* Number of CONNECTs seen so far; levels[] gets their protocol levels
 * (3 = MQTT 3.1, 4 = 3.1.1, 5 = 5). */
int fake_levels(fake_broker *fb, int *levels, int max);
/* Number of connections the fake broker closed on its own so far (hold time
 * over), not counting those the client closed first. */
int fake_closed(fake_broker *fb);
/* Copies up to max of the bytes connection conn (0 = first) sent after its
 * CONNECT while the fake broker held it (at most the first 256); returns
 * how many. */
int fake_received(fake_broker *fb, int conn, unsigned char *buf, int max);
void fake_stop(fake_broker *fb);

/*
 * Script mode, in the manner of mosquitto's test/lib: each accepted
 * connection plays a list of steps, in order, ended by FS_END, e.g.
 *
 *     static const unsigned char connack[] = { 0x20, 0x02, 0x00, 0x00 };
 *     static const unsigned char publish_dup[] = { 0x3a, 0x06, 0x00, 0x01, 't', 0x00, 0x01, 'p' };
 *     static const fake_step first[] = {
 *         FS_EXPECT_TYPE(FAKE_CONNECT), FS_SEND(connack),
 *         FS_EXPECT_TYPE(FAKE_PUBLISH), FS_CLOSE, FS_END };
 *     static const fake_step second[] = {
 *         FS_EXPECT_TYPE(FAKE_CONNECT), FS_SEND(connack_session_present),
 *         FS_EXPECT(publish_dup), FS_ACK(0x40), FS_SILENT(0), FS_END };
 *     const fake_step *scripts[] = { first, second };
 *     fake_broker *fb = fake_start_script(scripts, 2);
 *     ... drive the client ...
 *     fake_check(fb);   // fails the test with the report if a step mismatched
 *     fake_stop(fb);
 *
 * A mismatch (wrong packet, a timeout, the client closing or sending where
 * the script does not say so) is recorded with the step, what was expected
 * and the bytes that came, and ends that connection (the broker closes it).
 * At FS_END the broker closes the connection unless the client did first.
 * A connection beyond the last script is a mismatch too, closed at once.
 * Connections are served one at a time, as they are accepted.
 *
 * The byte macros take arrays (they use sizeof), not pointers.
 */

/* Packet types for FS_EXPECT_TYPE. */
enum {
    FAKE_CONNECT = 1, FAKE_CONNACK, FAKE_PUBLISH, FAKE_PUBACK, FAKE_PUBREC, FAKE_PUBREL,
    FAKE_PUBCOMP, FAKE_SUBSCRIBE, FAKE_SUBACK, FAKE_UNSUBSCRIBE, FAKE_UNSUBACK,
    FAKE_PINGREQ, FAKE_PINGRESP, FAKE_DISCONNECT, FAKE_AUTH
};

enum fake_op {
    FAKE_END = 0,
    FAKE_EXPECT,            /* read one packet and compare it */
    FAKE_EXPECT_DISCONNECT, /* read one packet: a DISCONNECT with this reason code */
    FAKE_EXPECT_CLOSED,     /* the client closes the connection, sending nothing more */
    FAKE_SEND,              /* write bytes */
    FAKE_SEND_TRICKLE,      /* write bytes one at a time, ms apart */
    FAKE_ACK,               /* write { type, 2 + len, id, bytes... } with the packet id of the
                               last packet expected (bytes: e.g. SUBACK codes; may be none) */
    FAKE_SLEEP,             /* wait, reading nothing */
    FAKE_SILENT,            /* read and ignore what comes for ms (0: until the client closes) */
    FAKE_CLOSE,             /* close the connection now, ending the script */
    FAKE_EXPECT_QUIET       /* nothing may arrive for ms (a packet or a close is a mismatch) */
};

typedef struct fake_step {
    enum fake_op op;
    int type;                   /* EXPECT without bytes: packet type (FAKE_CONNECT...);
                                   ACK: the first byte to send (0x40 PUBACK, 0x50, 0x62, 0x70, 0x90) */
    const unsigned char *bytes; /* EXPECT: the packet; SEND, TRICKLE: what to write;
                                   ACK: what follows the packet id (at most 100 bytes) */
    int len;
    const unsigned char *mask;  /* EXPECT: len bytes, a set bit is compared; NULL: all */
    int prefix;                 /* EXPECT: the packet may be longer than len */
    int reason;                 /* EXPECT_DISCONNECT: the reason code (0 also matches e0 00) */
    int ms;                     /* EXPECT*: timeout (0 = 5000); TRICKLE: gap per byte;
                                   SLEEP, SILENT, EXPECT_QUIET: how long */
} fake_step;

#define FS_EXPECT_TYPE(t) { .op = FAKE_EXPECT, .type = (t) }
#define FS_EXPECT(b) { .op = FAKE_EXPECT, .bytes = (b), .len = (int)sizeof(b) }
#define FS_EXPECT_MASKED(b, m) { .op = FAKE_EXPECT, .bytes = (b), .len = (int)sizeof(b), .mask = (m) }
#define FS_EXPECT_PREFIX(b, m) { .op = FAKE_EXPECT, .bytes = (b), .len = (int)sizeof(b), .mask = (m), .prefix = 1 }
#define FS_EXPECT_WITHIN(t, timeout_ms) { .op = FAKE_EXPECT, .type = (t), .ms = (timeout_ms) }
#define FS_EXPECT_DISCONNECT(r) { .op = FAKE_EXPECT_DISCONNECT, .reason = (r) }
#define FS_EXPECT_CLOSED(timeout_ms) { .op = FAKE_EXPECT_CLOSED, .ms = (timeout_ms) }
#define FS_SEND(b) { .op = FAKE_SEND, .bytes = (b), .len = (int)sizeof(b) }
#define FS_SEND_TRICKLE(b, gap_ms) { .op = FAKE_SEND_TRICKLE, .bytes = (b), .len = (int)sizeof(b), .ms = (gap_ms) }
#define FS_ACK(first_byte) { .op = FAKE_ACK, .type = (first_byte) }
#define FS_ACK_WITH(first_byte, b) { .op = FAKE_ACK, .type = (first_byte), .bytes = (b), .len = (int)sizeof(b) }
#define FS_SLEEP(n) { .op = FAKE_SLEEP, .ms = (n) }
#define FS_SILENT(n) { .op = FAKE_SILENT, .ms = (n) }
#define FS_EXPECT_QUIET(n) { .op = FAKE_EXPECT_QUIET, .ms = (n) }
#define FS_CLOSE { .op = FAKE_CLOSE }
#define FS_END { .op = FAKE_END }

/* Connection i plays scripts[i]. The arrays must outlive the broker.
 * fake_levels, fake_closed and fake_received work in this mode too. */
fake_broker *fake_start_script(const fake_step *const *scripts, int nscripts);
/* Waits until connection conn has finished its script: 1 when it ran to
 * FS_END or FS_CLOSE, -1 when a step mismatched, 0 after timeout_ms. */
int fake_wait_script(fake_broker *fb, int conn, int timeout_ms);
/* Number of mismatches so far (0 = every step so far went as scripted). */
int fake_failures(fake_broker *fb);
/* tu_fail with every mismatch recorded, unless there is none. */
void fake_check(fake_broker *fb);
/* Connections accepted so far. */
int fake_connections(fake_broker *fb);
/* tu_now_ms() when step `step` of connection conn completed (for EXPECT:
 * when its packet had arrived whole; EXPECT_CLOSED: when the close was
 * seen); step -1 is the accept. -1 when not reached. */
long long fake_step_ms(fake_broker *fb, int conn, int step);
/* Copies the packet step `step` of connection conn matched (EXPECT*) into
 * buf, at most max bytes (packets are kept up to 512 bytes); returns its
 * length, or -1 when that step matched no packet. */
int fake_packet(fake_broker *fb, int conn, int step, unsigned char *buf, int max);

#endif
