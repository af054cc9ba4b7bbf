/*
 * The broker's ceiling on this machine: the async_throughput case done with no
 * MQTT library at all, by one thread writing pre-encoded MQTT 3.1.1 packets to
 * two plain sockets and parsing what comes back.
 *
 *     raw_throughput URI QOS COUNT [PAYLOAD_BYTES [WINDOW]]
 *
 * Same arguments, same payloads and the same window as async_throughput (at
 * most WINDOW QoS 1/2 messages open between PUBLISH and PUBACK/PUBCOMP), so a
 * library's msg/s can be read as a share of what the broker allows here. All
 * COUNT PUBLISH packets are encoded before the clock starts.
 *
 * One RESULT line, case raw_qos<QOS>_<size> (64B, 4KiB, 1MiB), lib "raw socket".
 * Exit status: 0 fine, 1 faults, 2 setup, 3 watchdog.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "benchutil.h"

#define WAIT_S 60

/* A byte buffer that grows; `off` is how much of it has been consumed. */
struct buf {
	unsigned char *p;
	size_t len, cap, off;
};

static void buf_put(struct buf *b, const void *data, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror("realloc");
			exit(2);
		}
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
}

/* Drops what was consumed, keeping the unconsumed tail at the start. */
static void buf_compact(struct buf *b)
{
	if (b->off == 0)
		return;
	memmove(b->p, b->p + b->off, b->len - b->off);
	b->len -= b->off;
	b->off = 0;
}

static size_t put_varint(unsigned char *out, size_t v)
{
	size_t n = 0;

	do {
		unsigned char byte = v % 128;
		v /= 128;
		out[n++] = byte | (v ? 0x80 : 0);
	} while (v);
	return n;
}

static void put_u16(struct buf *b, unsigned v)
{
	unsigned char two[2] = { (unsigned char)(v >> 8), (unsigned char)v };
	buf_put(b, two, 2);
}

/* header byte, remaining length, then `body` */
static void put_packet(struct buf *out, unsigned char header, const struct buf *body)
{
	unsigned char fixed[5];
	size_t n;

	fixed[0] = header;
	n = 1 + put_varint(fixed + 1, body->len);
	buf_put(out, fixed, n);
	buf_put(out, body->p, body->len);
}

static void put_ack(struct buf *out, unsigned char header, unsigned id)
{
	unsigned char p[4] = { header, 2, (unsigned char)(id >> 8), (unsigned char)id };
	buf_put(out, p, 4);
}

static int open_socket(const char *uri)
{
	char host[256];
	const char *rest = strstr(uri, "://");
	const char *colon;
	struct addrinfo hints, *ai;
	int fd, one = 1;

	rest = rest ? rest + 3 : uri;
	colon = strrchr(rest, ':');
	if (!colon || (size_t)(colon - rest) >= sizeof host) {
		fprintf(stderr, "raw_throughput: cannot parse %s\n", uri);
		exit(2);
	}
	memcpy(host, rest, (size_t)(colon - rest));
	host[colon - rest] = 0;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0) {
		fprintf(stderr, "raw_throughput: cannot resolve %s\n", uri);
		exit(2);
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		fprintf(stderr, "raw_throughput: connect %s: %s\n", uri, strerror(errno));
		exit(2);
	}
	freeaddrinfo(ai);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static void write_all(int fd, const struct buf *b)
{
	size_t done = 0;

	while (done < b->len) {
		ssize_t n = send(fd, b->p + done, b->len - done, MSG_NOSIGNAL);
		if (n <= 0) {
			perror("raw_throughput: send");
			exit(2);
		}
		done += (size_t)n;
	}
}

/* Reads exactly n bytes (setup only, blocking). */
static void read_exact(int fd, unsigned char *p, size_t n)
{
	while (n) {
		ssize_t got = recv(fd, p, n, 0);
		if (got <= 0) {
			fprintf(stderr, "raw_throughput: broker closed during setup\n");
			exit(2);
		}
		p += got;
		n -= (size_t)got;
	}
}

static int mqtt_connect(const char *uri, const char *client_id)
{
	struct buf body = {0}, pkt = {0};
	unsigned char connack[4];
	int fd = open_socket(uri);

	put_u16(&body, 4);
	buf_put(&body, "MQTT", 4);
	buf_put(&body, "\x04\x02", 2);	/* 3.1.1, clean session */
	put_u16(&body, 60);		/* keepalive */
	put_u16(&body, (unsigned)strlen(client_id));
	buf_put(&body, client_id, strlen(client_id));
	put_packet(&pkt, 0x10, &body);
	write_all(fd, &pkt);
	read_exact(fd, connack, 4);
	if (connack[0] != 0x20 || connack[3] != 0) {
		fprintf(stderr, "raw_throughput: CONNACK %02x rc %d\n", connack[0], connack[3]);
		exit(2);
	}
	free(body.p);
	free(pkt.p);
	return fd;
}

static void mqtt_subscribe(int fd, const char *topic, int qos)
{
	struct buf body = {0}, pkt = {0};
	unsigned char suback[5];
	unsigned char q = (unsigned char)qos;

	put_u16(&body, 1);
	put_u16(&body, (unsigned)strlen(topic));
	buf_put(&body, topic, strlen(topic));
	buf_put(&body, &q, 1);
	put_packet(&pkt, 0x82, &body);
	write_all(fd, &pkt);
	read_exact(fd, suback, 5);
	if (suback[0] != 0x90 || suback[4] != q) {
		fprintf(stderr, "raw_throughput: SUBACK %02x granted %d\n", suback[0], suback[4]);
		exit(2);
	}
	free(body.p);
	free(pkt.p);
}

/* One parsed packet from a stream: header byte, body pointer and length. */
static int next_packet(struct buf *in, unsigned char *header, unsigned char **body, size_t *len)
{
	size_t avail = in->len - in->off, i, mult = 1, rl = 0;
	unsigned char *p = in->p + in->off;

	for (i = 1; i < avail && i <= 4; i++) {
		rl += (p[i] & 127) * mult;
		mult *= 128;
		if (!(p[i] & 128))
			break;
	}
	if (i >= avail || i > 4 || avail < 1 + i + rl)
		return 0;
	*header = p[0];
	*body = p + 1 + i;
	*len = rl;
	in->off += 1 + i + rl;
	return 1;
}

static int fill(int fd, struct buf *in)
{
	ssize_t n;

	buf_compact(in);
	if (in->cap - in->len < 65536) {
		in->cap = in->len + 65536 * 2;
		in->p = realloc(in->p, in->cap);
	}
	n = recv(fd, in->p + in->len, in->cap - in->len, MSG_DONTWAIT);
	if (n == 0) {
		fprintf(stderr, "raw_throughput: the broker closed a connection\n");
		return -1;
	}
	if (n < 0)
		return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
	in->len += (size_t)n;
	return 1;
}

static int flush(int fd, struct buf *out)
{
	while (out->off < out->len) {
		ssize_t n = send(fd, out->p + out->off, out->len - out->off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
		out->off += (size_t)n;
	}
	out->off = out->len = 0;
	return 0;
}

int main(int argc, char **argv)
{
	const char *uri, *topic = bu_topic("raw");
	int qos, pub, sub;
	long count, size, window, i, open_msgs = 0, queued = 0, received = 0, next = 0;
	long dup = 0, reorder = 0, corrupt = 0, failed = 0;
	struct buf all = {0}, pub_out = {0}, sub_out = {0}, pub_in = {0}, sub_in = {0};
	size_t *offsets;
	unsigned char *payload;
	double t0, t_end = 0, cpu0, cpu;
	char name[40];

	if (argc < 4) {
		fprintf(stderr, "usage: %s URI QOS COUNT [PAYLOAD_BYTES [WINDOW]]\n", argv[0]);
		return 2;
	}
	uri = argv[1];
	qos = atoi(argv[2]);
	count = strtol(argv[3], NULL, 10);
	size = argc > 4 ? strtol(argv[4], NULL, 10) : 64;
	window = argc > 5 ? strtol(argv[5], NULL, 10) : 20;
	if (qos < 0 || qos > 2 || count < 1 || size < 16 || window < 1) {
		fprintf(stderr, "raw_throughput: bad arguments\n");
		return 2;
	}
	snprintf(name, sizeof name, "raw_qos%d_%s", qos, bu_size_name(size));
	bu_watchdog(WAIT_S * 3, name);

	sub = mqtt_connect(uri, bu_client_id("rawsub"));
	mqtt_subscribe(sub, topic, qos);
	pub = mqtt_connect(uri, bu_client_id("rawpub"));

	/* every PUBLISH, encoded up front; offsets[i] is where packet i starts */
	offsets = malloc(sizeof *offsets * (size_t)(count + 1));
	payload = malloc((size_t)size);
	for (i = 0; i < count; i++) {
		struct buf body = {0};
		bu_fill_payload(payload, (size_t)size, (unsigned long)i);
		put_u16(&body, (unsigned)strlen(topic));
		buf_put(&body, topic, strlen(topic));
		if (qos)
			put_u16(&body, (unsigned)(i % 65535 + 1));
		buf_put(&body, payload, (size_t)size);
		offsets[i] = all.len;
		put_packet(&all, (unsigned char)(0x30 | (qos << 1)), &body);
		free(body.p);
	}
	offsets[count] = all.len;

	cpu0 = bu_cpu_us();
	t0 = bu_now_us();
	while (received < count) {
		struct pollfd fds[2] = { { pub, POLLIN, 0 }, { sub, POLLIN, 0 } };
		unsigned char h, *body;
		size_t len;

		/* QoS 0 has no acknowledgements: TCP alone paces it */
		if (queued < count && (qos == 0 || open_msgs < window)) {
			long upto = qos == 0 ? count : queued + (window - open_msgs);
			if (upto > count)
				upto = count;
			buf_put(&pub_out, all.p + offsets[queued], offsets[upto] - offsets[queued]);
			open_msgs += upto - queued;
			queued = upto;
		}
		if (flush(pub, &pub_out) < 0 || flush(sub, &sub_out) < 0)
			break;
		if (pub_out.len)
			fds[0].events |= POLLOUT;
		if (sub_out.len)
			fds[1].events |= POLLOUT;
		if (poll(fds, 2, WAIT_S * 1000) <= 0) {
			fprintf(stderr, "raw_throughput: nothing happened for %d s\n", WAIT_S);
			break;
		}
		if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) && fill(pub, &pub_in) < 0)
			break;
		if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) && fill(sub, &sub_in) < 0)
			break;

		while (next_packet(&pub_in, &h, &body, &len)) {
			unsigned id = len >= 2 ? (unsigned)(body[0] << 8 | body[1]) : 0;
			switch (h >> 4) {
			case 4:	/* PUBACK */
			case 7:	/* PUBCOMP */
				open_msgs--;
				break;
			case 5:	/* PUBREC */
				put_ack(&pub_out, 0x62, id);
				break;
			default:
				fprintf(stderr, "raw_throughput: publisher got packet type %d\n", h >> 4);
				failed++;
			}
		}
		while (next_packet(&sub_in, &h, &body, &len)) {
			unsigned type = h >> 4, q = (h >> 1) & 3, id = 0;
			size_t tlen, skip;
			long seq;

			if (type == 6) {	/* PUBREL */
				put_ack(&sub_out, 0x70, (unsigned)(body[0] << 8 | body[1]));
				continue;
			}
			if (type != 3 || len < 2) {
				fprintf(stderr, "raw_throughput: subscriber got packet type %u\n", type);
				failed++;
				continue;
			}
			tlen = (size_t)(body[0] << 8 | body[1]);
			skip = 2 + tlen + (q ? 2 : 0);
			if (q)
				id = (unsigned)(body[2 + tlen] << 8 | body[3 + tlen]);
			seq = skip <= len ? bu_check_payload(body + skip, len - skip) : -1;
			if (q == 1)
				put_ack(&sub_out, 0x40, id);
			else if (q == 2)
				put_ack(&sub_out, 0x50, id);
			if (seq < 0)
				corrupt++;
			else if (seq < next)
				dup++;
			else {
				if (seq > next)
					reorder++;
				next = seq + 1;
				received++;
				t_end = bu_now_us();
			}
		}
	}
	cpu = bu_cpu_us() - cpu0;
	if (!t_end)
		t_end = bu_now_us();

	bu_result_begin(name, "raw socket (no library)", "-");
	bu_result_int("n", count);
	bu_result_int("payload", size);
	bu_result_int("window", window);
	bu_result_num("seconds", (t_end - t0) / 1e6);
	bu_result_num("msgs_per_s", received / ((t_end - t0) / 1e6));
	bu_result_num("mib_per_s", received * (double)size / (1 << 20) / ((t_end - t0) / 1e6));
	bu_result_num("cpu_us_per_msg", cpu / count);
	bu_result_int("threads", bu_proc_status("Threads"));
	bu_result_int("rss_kb", bu_proc_status("VmRSS"));
	bu_result_int("hwm_kb", bu_proc_status("VmHWM"));
	bu_result_int("failed", failed);
	bu_result_int("lost", count - received);
	bu_result_int("dup", dup);
	bu_result_int("reorder", reorder);
	bu_result_int("corrupt", corrupt);
	bu_result_end();

	close(pub);
	close(sub);
	return (failed || dup || reorder || corrupt || received < count) ? 1 : 0;
}
