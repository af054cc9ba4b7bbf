# A broker that answers CONNECT with CONNACK and then never answers anything, logging each
# packet it receives with its time since the connection: shows when a client pings and when
# it gives up on the PINGRESP. Usage: silent_broker.py PORT [5]   (5 = MQTT 5 CONNACK)
import socket
import sys
import time

port = int(sys.argv[1])
connack = b"\x20\x03\x00\x00\x00" if sys.argv[2:] == ["5"] else b"\x20\x02\x00\x00"
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(1)
conn, _ = srv.accept()
t0 = time.monotonic()
while True:
    data = conn.recv(4096)
    if not data:
        print("%.2f closed by client" % (time.monotonic() - t0))
        break
    print("%.2f got %s" % (time.monotonic() - t0, data.hex()), flush=True)
    if data[0] == 0x10:
        conn.sendall(connack)
