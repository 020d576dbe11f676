#!/bin/bash
# count.sh TREE LABEL: syscalls of the proxy per pass-through request (strace -c over 8 s of wrk -t2 -c16 after a 20 s warm-up),
# so load-independent. TREE: a checkout with sim and proxy jars built. Writes to $OUT_DIR/LABEL (default /tmp/relay-sys).
set -u
TREE=$1; LABEL=$2; OUT=${OUT_DIR:-/tmp/relay-sys}/$LABEL; mkdir -p $OUT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
SP=$(port); PP=$(port); AP=$(port)
java -Xmx512m -jar $TREE/sim/target/ee2-sim.jar serve --port $SP --config $TREE/config/quickstart-sim.yaml > $OUT/sim.log 2>&1 & SIM=$!
sleep 6
java -Xms256m -Xmx1g -jar $TREE/proxy/target/ee2-admission-proxy.jar serve --listen 127.0.0.1:$PP --upstream http://127.0.0.1:$SP/ --admin 127.0.0.1:$AP > $OUT/proxy.log 2>&1 & PX=$!
for i in $(seq 1 60); do curl -s -o /dev/null http://127.0.0.1:$PP/ -d '{}' && break; sleep 1; done
wrk -t2 -c16 -d20s -s "$(dirname "$(readlink -f "$0")")/ver.lua" http://127.0.0.1:$PP/ > $OUT/warm.txt 2>&1
strace -f -c -e trace=epoll_ctl,epoll_wait,read,write,readv,writev,recvfrom,sendto -p $PX -o $OUT/strace.txt &
ST=$!; sleep 2
wrk -t2 -c16 -d8s -s "$(dirname "$(readlink -f "$0")")/ver.lua" http://127.0.0.1:$PP/ > $OUT/wrk.txt 2>&1
kill -INT $ST; wait $ST
kill $PX $SIM; wait $PX $SIM 2>/dev/null
REQ=$(grep -o '[0-9]* requests in' $OUT/wrk.txt | awk '{print $1}')
echo "$LABEL requests=$REQ"
awk -v n=$REQ '$NF ~ /^(epoll_ctl|epoll_wait|read|write|readv|writev|recvfrom|sendto)$/ {printf "  %-10s %9d calls  %.3f per request\n", $NF, $4, $4/n}' $OUT/strace.txt
