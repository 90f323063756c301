package io.usertcp.tcp;

/** A connection's 4-tuple seen from our side; addresses are IPv4 as {@code int} (network order as a number). */
public record ConnectionKey(int localIp, int localPort, int remoteIp, int remotePort) {
    @Override
    public String toString() {
        return ip(localIp) + ":" + localPort + "->" + ip(remoteIp) + ":" + remotePort;
    }

    static String ip(int a) {
        return (a >>> 24) + "." + ((a >>> 16) & 0xFF) + "." + ((a >>> 8) & 0xFF) + "." + (a & 0xFF);
    }
}
