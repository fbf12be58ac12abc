# iproute2 over netlink route sockets: links and addresses of the loopback device
ip -o link show lo | sed 's/ qlen.*//'
ip link show lo | head -1 | cut -d' ' -f2-3
ip -br link | grep -c '^lo'
ip addr show dev lo | head -1 | cut -d' ' -f2-3
ip link set lo up && echo up
ip -4 -o addr show lo | awk '{print $2, $3, $4}'
ip -6 -o addr show lo | awk '{print $2, $3, $4}'
ip -br addr show lo | awk '{print $1, $2, $3}'
ip route show table local | grep -c 127.0.0.1
ip -s link show lo | grep -c RX
ip addr add 10.9.8.7/24 dev lo && ip -4 -o addr show lo | awk '{print $4}' | sort
ip addr del 10.9.8.7/24 dev lo; ip -4 -o addr show lo | wc -l
ip -j link show lo | grep -o '"ifname":"lo"'
ip link show nosuch 2>&1; echo "status $?"
cat /proc/net/dev | awk 'NR>2 {print $1}'
ls /sys/class/net
