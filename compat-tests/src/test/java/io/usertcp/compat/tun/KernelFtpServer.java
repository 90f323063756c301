package io.usertcp.compat.tun;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import org.apache.ftpserver.DataConnectionConfigurationFactory;
import org.apache.ftpserver.FtpServer;
import org.apache.ftpserver.FtpServerFactory;
import org.apache.ftpserver.ftplet.FtpException;
import org.apache.ftpserver.ftplet.UserManager;
import org.apache.ftpserver.impl.DefaultFtpServer;
import org.apache.ftpserver.listener.ListenerFactory;
import org.apache.ftpserver.usermanager.PropertiesUserManagerFactory;
import org.apache.ftpserver.usermanager.impl.BaseUser;
import org.apache.ftpserver.usermanager.impl.WritePermission;

/**
 * Apache FtpServer on the kernel side of a TUN (its MINA/NIO sockets never go through a
 * SocketImplFactory): one user with write access to {@code home}, passive data connections on
 * the listen address, any free ports.
 */
final class KernelFtpServer implements AutoCloseable {
    static final String USER = "compat";
    static final String PASSWORD = "compat-secret";

    private final FtpServer server;
    final int port;

    /** {@code listen} may be null: all addresses (the passive address is then the control connection's). */
    KernelFtpServer(InetAddress listen, Path home) throws FtpException {
        FtpServerFactory sf = new FtpServerFactory();
        ListenerFactory lf = new ListenerFactory();
        if (listen != null) {
            lf.setServerAddress(listen.getHostAddress());
        }
        lf.setPort(0);
        if (listen != null) {
            DataConnectionConfigurationFactory dc = new DataConnectionConfigurationFactory();
            dc.setPassiveAddress(listen.getHostAddress());
            dc.setActiveLocalAddress(listen.getHostAddress());
            lf.setDataConnectionConfiguration(dc.createDataConnectionConfiguration());
        }
        sf.addListener("default", lf.createListener());
        UserManager um = new PropertiesUserManagerFactory().createUserManager();
        BaseUser u = new BaseUser();
        u.setName(USER);
        u.setPassword(PASSWORD);
        u.setHomeDirectory(home.toString());
        u.setAuthorities(List.of(new WritePermission()));
        um.save(u);
        sf.setUserManager(um);
        server = sf.createServer();
        server.start();
        port = ((DefaultFtpServer) server).getListener("default").getPort();
    }

    @Override
    public void close() {
        server.stop();
    }
}
