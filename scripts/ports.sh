# Sourced by the start scripts: what "a free port" and "our server is
# ready" mean. A server answering on the port is not enough — another
# InfluxDB or a stray process may hold it — so readiness also requires
# that the listening socket belongs to the process we started (Linux:
# /proc/net/tcp inode ↔ /proc/PID/fd).

# port_in_use PORT: something accepts connections on 127.0.0.1:PORT.
port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port: a loopback port nothing listens on now.
free_port() {
	local port
	for _ in $(seq 1 50); do
		port=$((20000 + RANDOM % 40000))
		if ! port_in_use "$port"; then
			echo "$port"
			return 0
		fi
	done
	echo "no free loopback port found" >&2
	return 1
}

# listener_inodes PORT: socket inodes listening on PORT (IPv4 and IPv6).
listener_inodes() {
	local hex
	hex=$(printf '%04X' "$1")
	# local_address is field 2 (ADDR:PORT in hex), st field 4 (0A = LISTEN),
	# inode field 10.
	awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { print $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# owns_port PID PORT: the process PID holds the listening socket of PORT.
owns_port() {
	local pid=$1 port=$2 inode fd
	for inode in $(listener_inodes "$port"); do
		for fd in /proc/"$pid"/fd/*; do
			if [ "$(readlink "$fd" 2>/dev/null)" = "socket:[$inode]" ]; then
				return 0
			fi
		done
	done
	return 1
}

# refuse_busy_port NAME PORT: fail with a clear message when PORT is taken,
# before a server is started that could only die with "address in use"
# while the foreign one answers our readiness check.
refuse_busy_port() {
	if port_in_use "$2"; then
		echo "$1: port $2 on 127.0.0.1 is already in use by another process; refusing to start (choose another port, or stop that process)" >&2
		return 1
	fi
}
