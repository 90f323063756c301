package io.usertcp.wire;

import java.util.Objects;

/**
 * Thrown by the checking parsers when a packet cannot be accepted; carries the {@link DropReason} the
 * caller counts. It records no stack trace and no suppressed exceptions, so throwing it per bad packet
 * is cheap (a flood of garbage must not cost a stack walk per packet).
 */
public final class MalformedPacketException extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient DropReason reason;

    public MalformedPacketException(DropReason reason) {
        this(reason, null);
    }

    /** @param detail optional text for logs; the reason alone identifies the drop. */
    public MalformedPacketException(DropReason reason, String detail) {
        super(detail == null ? Objects.requireNonNull(reason).name() : reason.name() + ": " + detail,
                null, false, false);
        this.reason = reason;
    }

    /** Why the packet was dropped. */
    public DropReason reason() {
        return reason;
    }
}
