package io.usertcp.wire;

/**
 * Real packets captured from Linux (6.x) over 127.0.0.1 in a private network namespace (AF_PACKET on
 * lo). Loopback leaves TCP checksums CHECKSUM_PARTIAL, so the TCP checksum fields were filled in
 * afterwards; every other byte is as the kernel sent it. The same bytes are in
 * src/test/resources/packets/*.bin (fuzzer seeds).
 */
final class Packets {
    private Packets() {}

    static final int LOCALHOST = 0x7F000001;

    /**
     * 127.0.0.1.48526 > 127.0.0.1.8080: Flags [S], seq 2200314776, win 65495,
     * options [mss 65495,sackOK,TS val 4211050214 ecr 0,nop,wscale 10], length 0.
     */
    static final String SYN =
            "4500003c96be40004006a5fb7f0000017f000001"
            + "bd8e1f908326239800000000a002ffd74a3b0000"
            + "0204ffd70402080afaff86e6000000000103030a";

    /** 8080 > 48526: Flags [S.], seq 3128610052, ack 2200314777, win 65483, same options, ts 681357088. */
    static final String SYN_ACK =
            "4500003c0000400040063cba7f0000017f000001"
            + "1f90bd8eba7acd0483262399a012ffcbeaf90000"
            + "0204ffd70402080a289caf20faff86e60103030a";

    /** 48526 > 8080: Flags [P.], seq 1:6, ack 1, win 64, options [nop,nop,TS], length 5 "hello". */
    static final String DATA =
            "4500003996c040004006a5fc7f0000017f000001"
            + "bd8e1f9083262399ba7acd0580180040cf990000"
            + "0101080afaff86e6289caf20"
            + "68656c6c6f";

    /** 48526 > 8080: Flags [F.], seq 6, ack 1, win 64, options [nop,nop,TS]. */
    static final String FIN_ACK =
            "4500003496c140004006a6007f0000017f000001"
            + "bd8e1f908326239eba7acd058011004012ab0000"
            + "0101080afaff87ae289caf20";

    static final int IP_HEADER = 20;
}
