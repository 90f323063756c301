package io.usertcp.tcp;

/** The eleven connection states of RFC 9293 §3.3.2; {@link #toString()} gives the RFC name. */
public enum TcpState {
    CLOSED("CLOSED"),
    LISTEN("LISTEN"),
    SYN_SENT("SYN-SENT"),
    SYN_RECEIVED("SYN-RECEIVED"),
    ESTABLISHED("ESTABLISHED"),
    FIN_WAIT_1("FIN-WAIT-1"),
    FIN_WAIT_2("FIN-WAIT-2"),
    CLOSE_WAIT("CLOSE-WAIT"),
    CLOSING("CLOSING"),
    LAST_ACK("LAST-ACK"),
    TIME_WAIT("TIME-WAIT");

    private final String rfcName;

    TcpState(String rfcName) {
        this.rfcName = rfcName;
    }

    /** RFC 9293 §3.3.2: ESTABLISHED and every later state (both SYNs have been seen and acknowledged). */
    public boolean isSynchronized() {
        return ordinal() >= ESTABLISHED.ordinal();
    }

    /** SYN-SENT or SYN-RECEIVED. */
    public boolean isHandshake() {
        return this == SYN_SENT || this == SYN_RECEIVED;
    }

    /** CLOSED: no connection (and never again for this object). */
    public boolean isClosed() {
        return this == CLOSED;
    }

    /** States in which the peer may still send us data (it has not sent its FIN). */
    public boolean canReceive() {
        return this == ESTABLISHED || this == FIN_WAIT_1 || this == FIN_WAIT_2;
    }

    @Override
    public String toString() {
        return rfcName;
    }
}
