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

#endif
