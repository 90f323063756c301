package io.usertcp.link.tun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.tun.jna.Errno;
import io.usertcp.link.tun.jna.ErrnoException;
import org.junit.jupiter.api.Test;

class TunConfigTest {

    @Test
    void defaults() {
        TunConfig c = TunConfig.builder().build();
        assertNull(c.name());
        assertEquals("/dev/net/tun", c.devicePath());
        assertEquals(TunConfig.Mode.CREATE_OR_ATTACH, c.mode());
        assertFalse(c.hasKernelAddress());
        assertEquals(-1, c.prefixLength());
        assertEquals(0, c.mtu());
        assertTrue(c.up());
        assertFalse(c.configuresKernel());
    }

    @Test
    void cidrAndIntAddressesAgree() {
        TunConfig a = TunConfig.builder().kernelAddress("198.18.0.1/24").build();
        assertEquals(0xC6120001, a.kernelAddress());
        assertEquals(24, a.prefixLength());
        assertTrue(a.configuresKernel());
        assertEquals("198.18.0.1", Ipv4.format(a.kernelAddress()));
        assertEquals(0xFFFFFF00, Ipv4.netmask(24));
        assertEquals(0, Ipv4.netmask(0));
        assertEquals(-1, Ipv4.netmask(32));
        assertThrows(IllegalArgumentException.class, () -> TunConfig.builder().kernelAddress("198.18.0.1"));
        assertThrows(IllegalArgumentException.class, () -> TunConfig.builder().kernelAddress("198.18.0.256/24"));
        assertThrows(IllegalArgumentException.class, () -> TunConfig.builder().kernelAddress("198.18.0.1/33"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4.parse("1.2.3"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4.parse("1.2.3.-4"));
    }

    @Test
    void mtuOutOfRangeSaysTheRange() {
        IllegalArgumentException low = assertThrows(IllegalArgumentException.class, () -> TunConfig.builder().name("t0").mtu(67));
        assertTrue(low.getMessage().contains("MTU 67 is out of range for TUN device t0: a TUN device accepts 68..65535"), low.getMessage());
        IllegalArgumentException high = assertThrows(IllegalArgumentException.class, () -> TunConfig.builder().mtu(65536));
        assertTrue(high.getMessage().contains("68..65535"), high.getMessage());
        assertEquals(68, TunConfig.builder().mtu(68).build().mtu());
        assertEquals(65535, TunConfig.builder().mtu(65535).build().mtu());
    }

    @Test
    void kernelRejectingTheMtuIsReportedAsOutOfRange() {
        TunConfig c = TunConfig.builder().name("t0").mtu(9000).build();
        TunException e = TunErrors.configureFailed(c, "t0", "MTU 9000", new ErrnoException("ioctl(SIOCSIFMTU)", Errno.EINVAL));
        assertEquals(TunException.Reason.MTU_OUT_OF_RANGE, e.reason());
        assertTrue(e.getMessage().contains("MTU 9000 is out of range for TUN device t0"), e.getMessage());
    }

    @Test
    void interfaceNamesAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> TunConfig.builder().name("0123456789abcdef"));
        assertThrows(IllegalArgumentException.class, () -> TunConfig.builder().name("a b"));
        assertThrows(IllegalArgumentException.class, () -> TunConfig.builder().name("a/b"));
        assertThrows(IllegalArgumentException.class, () -> TunConfig.builder().name(""));
        assertEquals("0123456789abcde", TunConfig.builder().name("0123456789abcde").build().name());
    }

    @Test
    void errnoMessagesNameTheFix() {
        TunConfig c = TunConfig.builder().name("t9").build();
        TunException busy = TunErrors.setIffFailed(c, true, new ErrnoException("ioctl(TUNSETIFF)", Errno.EBUSY));
        assertEquals(TunException.Reason.BUSY, busy.reason());
        assertTrue(busy.getMessage().contains("t9 is busy"), busy.getMessage());

        TunException perm = TunErrors.setIffFailed(c, false, new ErrnoException("ioctl(TUNSETIFF)", Errno.EPERM));
        assertEquals(TunException.Reason.NO_PERMISSION, perm.reason());
        assertTrue(perm.getMessage().contains("ip tuntap add dev t9 mode tun user " + System.getProperty("user.name")), perm.getMessage());

        TunException foreign = TunErrors.setIffFailed(c, true, new ErrnoException("ioctl(TUNSETIFF)", Errno.EPERM));
        assertTrue(foreign.getMessage().contains("belongs to another user"), foreign.getMessage());

        TunException notTun = TunErrors.setIffFailed(c, true, new ErrnoException("ioctl(TUNSETIFF)", Errno.EINVAL));
        assertEquals(TunException.Reason.NOT_A_TUN, notTun.reason());

        TunException noDriver = TunErrors.openFailed("/dev/net/tun", new ErrnoException("open", Errno.ENODEV));
        assertEquals(TunException.Reason.NO_DEVICE_NODE, noDriver.reason());
        assertTrue(noDriver.getMessage().contains("modprobe tun"), noDriver.getMessage());

        TunException access = TunErrors.openFailed("/dev/net/tun", new ErrnoException("open", Errno.EACCES));
        assertEquals(TunException.Reason.DEVICE_NODE_ACCESS, access.reason());
        assertTrue(access.getMessage().contains("chmod 0666 /dev/net/tun"), access.getMessage());
    }
}
