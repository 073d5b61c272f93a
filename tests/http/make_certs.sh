#!/bin/sh
# Throwaway TLS material for tests/http/test_http_net.c, made at test
# time with the openssl CLI (nothing secret is kept in the tree):
#
#   sh make_certs.sh DIR
#
#   DIR/ca.pem        a test CA
#   DIR/server.pem    a server certificate it signed, for IP 127.0.0.1
#   DIR/server.key    its key
#   DIR/other-ca.pem  an unrelated CA, which must not be trusted for it
set -eu
dir=$1
cd "$dir"
ca() { # NAME SUBJECT
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
		-nodes -keyout "$1.key" -out "$1.pem" -days 2 -subj "$2" \
		-addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}
ca ca "/CN=wsp test CA"
ca other-ca "/CN=wsp other test CA"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout server.key -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
cat > server.ext <<EXT
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
EXT
openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
	-CAcreateserial -days 2 -extfile server.ext -out server.pem 2>/dev/null
rm -f server.csr server.ext ca.srl ca.key other-ca.key
