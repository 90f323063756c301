package io.usertcp.link;

import java.io.IOException;

/**
 * A {@link PacketLink} cannot carry packets: its interface is administratively down (Linux gives
 * EIO for a write to a TUN whose interface is down) or the device is gone for good (deleted under
 * an open descriptor: EBADFD). {@link #permanent()} tells which: a down link may come back up and
 * a later call may succeed; a gone one never will. The stack fails the connections that use the
 * link with "Network is down" (ENETDOWN's text) either way.
 */
public class LinkDownException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String link;
    private final boolean permanent;

    public LinkDownException(String link, boolean permanent, String message) {
        super(message);
        this.link = link;
        this.permanent = permanent;
    }

    /** The name of the link. */
    public String link() {
        return link;
    }

    /** True when the device is gone and no later call can succeed. */
    public boolean permanent() {
        return permanent;
    }
}
