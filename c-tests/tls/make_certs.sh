#!/bin/sh
# Makes the TLS test material in DIR the way the user's guide does it (openssl command line):
#   CA.crt/CA.key          EC prime256v1 CA ("MQTT-CA"); ca-chain.crt is the full chain file
#   server.crt/server.key  EC server cert, the guide's server.conf extensions, SANs incl.
#                          localhost and 127.0.0.1
#   nomatch.crt/.key       server cert from the same CA whose SANs name only mqtt.example.com
#   client.crt/client.key  device certificate CN=SN0001
#   revoked.crt/.key       device certificate CN=SN0002, revoked in crl.pem
#   client-rsa.crt/.key    device certificate CN=SN0003 with an RSA key
#   client-enc.key         client.key encrypted with the passphrase "secret"
#   other-CA.crt, other.crt/.key   a second CA (RSA 4096 as the guide's alternative) and a
#                          device certificate CN=SN0001 it signed
#   notpem.txt             a file that is not PEM
# Usage: make_certs.sh DIR
set -eu
DIR=$1
mkdir -p "$DIR"
cd "$DIR"
SUBJ="/C=CN/ST=ZheJiang/L=HangZhou"
q() { "$@" >/dev/null 2>&1 || { echo "make_certs.sh: failed: $*" >&2; "$@"; exit 1; }; }

q openssl ecparam -genkey -name prime256v1 -out CA.key
q openssl req -new -x509 -key CA.key -sha256 -subj "$SUBJ/O=TencentCloud/CN=MQTT-CA" -days 3650 -out CA.crt
cp CA.crt ca-chain.crt

server_conf() { # $1 = alt_names lines
    cat <<EOF
[req]
distinguished_name = req_distinguished_name
req_extensions = v3_req
prompt = no
[req_distinguished_name]
C = CN
ST = ZheJiang
L = HangZhou
O = Example
CN = mqtt.example.com
[v3_req]
basicConstraints = CA:FALSE
keyUsage = digitalSignature,keyEncipherment,dataEncipherment
extendedKeyUsage = serverAuth
subjectAltName = @alt_names
[alt_names]
$1
EOF
}
server_conf "DNS.1 = mqtt.example.com
DNS.2 = localhost
IP.1 = 127.0.0.1
IP.2 = ::1" > server.conf
server_conf "DNS.1 = mqtt.example.com" > nomatch.conf
for s in server nomatch; do
    q openssl ecparam -genkey -name prime256v1 -out $s.key
    q openssl req -new -key $s.key -out $s.csr -config $s.conf
    q openssl x509 -req -in $s.csr -CA CA.crt -CAkey CA.key -CAcreateserial -out $s.crt -days 365 -sha256 -extensions v3_req -extfile $s.conf
done

device() { # name CN keytype CA
    if [ "$3" = rsa ]; then q openssl genrsa -out $1.key 2048
    else q openssl ecparam -genkey -name prime256v1 -out $1.key; fi
    q openssl req -new -key $1.key -out $1.csr -subj "$SUBJ/O=IoV/CN=$2"
    q openssl x509 -req -in $1.csr -CA $4.crt -CAkey $4.key -CAcreateserial -out $1.crt -days 365 -sha256
}
device client SN0001 ec CA
device revoked SN0002 ec CA
device client-rsa SN0003 rsa CA
q openssl pkey -in client.key -aes256 -passout pass:secret -out client-enc.key

q openssl genrsa -out other-CA.key 4096
q openssl req -new -x509 -key other-CA.key -sha256 -subj "$SUBJ/O=Other/CN=Other-CA" -days 3650 -out other-CA.crt
device other SN0001 ec other-CA

# The CRL: a minimal `openssl ca` database that revokes revoked.crt.
mkdir -p ca-db
: > ca-db/index.txt
echo 1000 > ca-db/crlnumber
cat > ca.conf <<EOF
[ca]
default_ca = CA_default
[CA_default]
database = ca-db/index.txt
crlnumber = ca-db/crlnumber
certificate = CA.crt
private_key = CA.key
default_md = sha256
default_crl_days = 30
EOF
q openssl ca -config ca.conf -revoke revoked.crt
q openssl ca -config ca.conf -gencrl -out crl.pem

echo "this is not a PEM file" > notpem.txt
chmod 644 ./*.key
