package io.usertcp.stack;

import io.usertcp.tcp.ConnectionKey;
import io.usertcp.tcp.TcpConnection;
import io.usertcp.tcp.TcpState;

/**
 * The stack's record of one connection in its table. Every mutable field is guarded by the
 * engine lock.
 */
final class Conn {
    final TcpConnection tcp;
    final ConnectionKey key;
    final int tos;

    /** The socket the application holds; null while the connection waits in an accept queue. */
    TcpSocket socket;
    /** The listening socket that created it (passive open), until it is accepted. */
    TcpSocket listener;
    /** In the stack's dirty queue: to be polled before the lock is released. */
    boolean dirty;
    /** Gone from the connection table (it reached CLOSED). */
    boolean removed;
    /** A FIN from the peer has been received (it went through CLOSE-WAIT, CLOSING or TIME-WAIT). */
    boolean finReceived;
    /** The connection reached ESTABLISHED at some point (a connect that raced with a RST succeeded). */
    boolean wasSynchronized;
    /** The state in which a received RST ended the connection, or null. */
    TcpState resetIn;

    Conn(TcpConnection tcp, ConnectionKey key, int tos) {
        this.tcp = tcp;
        this.key = key;
        this.tos = tos;
    }

    @Override
    public String toString() {
        return "Conn[" + key + " " + tcp.state() + "]";
    }
}
