package io.usertcp.compat.tun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.usertcp.link.tun.RequiresTun;
import io.usertcp.net.UserTcp;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Random;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPFile;
import org.apache.commons.net.ftp.FTPReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commons Net FTPClient on usertcp (198.18.0.2) against Apache FtpServer on the kernel side
 * (198.18.0.1, same JVM: its MINA/NIO sockets are kernel sockets) over a real TUN: login, list,
 * upload and download of a 20 MiB file in passive and in active mode (active mode puts a
 * ServerSocket on usertcp that the kernel-side server connects to), each checked with SHA-256.
 */
@RequiresTun
@Timeout(180)
class FtpOverTunTest {
    static final int SIZE = 20 << 20;
    static final String USER = KernelFtpServer.USER;
    static final String PASSWORD = KernelFtpServer.PASSWORD;

    static UserTcp ut;
    static KernelFtpServer server;
    static int port;
    static byte[] data;
    static byte[] sha;

    @TempDir
    static Path home;

    @BeforeAll
    static void start() throws Exception {
        ut = TunStack.get();
        data = new byte[SIZE];
        new Random(20).nextBytes(data);
        sha = MessageDigest.getInstance("SHA-256").digest(data);
        server = new KernelFtpServer(TunStack.KERNEL, home);
        port = server.port;
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    FTPClient login() throws IOException {
        FTPClient ftp = new FTPClient();
        ftp.setSocketFactory(ut.socketFactory());
        ftp.setServerSocketFactory(ut.serverSocketFactory()); // active mode: the data listener is on usertcp
        ftp.setConnectTimeout(10_000);
        ftp.setDefaultTimeout(60_000);
        ftp.connect(TunStack.KERNEL, port);
        assertTrue(FTPReply.isPositiveCompletion(ftp.getReplyCode()), ftp.getReplyString());
        assertEquals(TunStack.USERTCP, ftp.getLocalAddress(), "the FTP client runs on usertcp");
        assertTrue(ftp.login(USER, PASSWORD), ftp.getReplyString());
        assertTrue(ftp.setFileType(FTP.BINARY_FILE_TYPE), ftp.getReplyString());
        return ftp;
    }

    void roundTrip(FTPClient ftp, String name) throws Exception {
        assertTrue(ftp.storeFile(name, new ByteArrayInputStream(data)), "STOR: " + ftp.getReplyString());
        assertArrayEquals(sha, MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(home.resolve(name))),
                "SHA-256 of the file the server stored");

        FTPFile[] list = ftp.listFiles();
        assertTrue(Arrays.stream(list).anyMatch(f -> f.getName().equals(name) && f.getSize() == SIZE),
                "LIST shows " + name + " with " + SIZE + " bytes: " + Arrays.toString(list));

        MessageDigest md = MessageDigest.getInstance("SHA-256");
        long[] count = new long[1];
        OutputStream sink = new DigestOutputStream(new OutputStream() {
            @Override public void write(int b) { count[0]++; }

            @Override public void write(byte[] b, int off, int len) { count[0] += len; }
        }, md);
        assertTrue(ftp.retrieveFile(name, sink), "RETR: " + ftp.getReplyString());
        assertEquals(SIZE, count[0], "bytes downloaded");
        assertArrayEquals(sha, md.digest(), "SHA-256 of the downloaded file");
    }

    @Test
    void passiveMode() throws Exception {
        FTPClient ftp = login();
        try {
            ftp.enterLocalPassiveMode();
            roundTrip(ftp, "passive.bin");
            assertTrue(ftp.logout(), ftp.getReplyString());
        } finally {
            ftp.disconnect();
        }
    }

    @Test
    void activeMode() throws Exception {
        FTPClient ftp = login();
        try {
            ftp.enterLocalActiveMode();
            roundTrip(ftp, "active.bin");
            assertTrue(ftp.logout(), ftp.getReplyString());
        } finally {
            ftp.disconnect();
        }
    }

    @Test
    void directoryCommands() throws Exception {
        FTPClient ftp = login();
        try {
            ftp.enterLocalPassiveMode();
            assertTrue(ftp.makeDirectory("sub"), ftp.getReplyString());
            assertTrue(ftp.changeWorkingDirectory("sub"), ftp.getReplyString());
            assertEquals("/sub", ftp.printWorkingDirectory());
            assertTrue(ftp.storeFile("small.txt", new ByteArrayInputStream("hello over usertcp".getBytes())),
                    ftp.getReplyString());
            String[] names = ftp.listNames();
            assertArrayEquals(new String[] {"small.txt"}, names);
            assertTrue(ftp.deleteFile("small.txt"), ftp.getReplyString());
            assertTrue(ftp.changeToParentDirectory(), ftp.getReplyString());
            assertTrue(ftp.removeDirectory("sub"), ftp.getReplyString());
            assertTrue(ftp.logout(), ftp.getReplyString());
        } finally {
            ftp.disconnect();
        }
    }
}
