package io.usertcp.compat.tun;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.apache.commons.net.ftp.FTP;
import org.apache.commons.net.ftp.FTPClient;

/**
 * An ordinary program that knows nothing of usertcp: plain java.net, HttpURLConnection (http and
 * https) and Commons Net FTP. {@link AgentProgramTest} runs it in a separate JVM with only
 * {@code -javaagent:usertcp-agent.jar=…} added, the way a user would. One result line per step.
 *
 * <p>Arguments: httpUrl httpsUrl ftpHost ftpPort ftpUser ftpPassword
 */
public final class UnmodifiedClient {
    private UnmodifiedClient() {}

    public static void main(String[] args) throws Exception {
        String http = args[0];
        String https = args[1];
        String ftpHost = args[2];
        int ftpPort = Integer.parseInt(args[3]);

        URL u = new URL(http);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 10_000);
            System.out.println("socket local=" + s.getLocalAddress().getHostAddress());
        }
        System.out.println("http " + get(http));
        System.out.println("https " + get(https));

        FTPClient ftp = new FTPClient();
        ftp.setConnectTimeout(10_000);
        ftp.setDefaultTimeout(30_000);
        ftp.connect(ftpHost, ftpPort);
        try {
            if (!ftp.login(args[4], args[5])) {
                throw new IllegalStateException("ftp login: " + ftp.getReplyString());
            }
            ftp.setFileType(FTP.BINARY_FILE_TYPE);
            ftp.enterLocalPassiveMode();
            System.out.println("ftp passive " + roundTrip(ftp, "passive.txt", "passive over usertcp"));
            ftp.enterLocalActiveMode();
            System.out.println("ftp active " + roundTrip(ftp, "active.txt", "active over usertcp"));
            ftp.logout();
        } finally {
            ftp.disconnect();
        }
        System.out.println("done");
    }

    static String get(String url) throws Exception {
        HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(30_000);
        try (InputStream in = c.getInputStream()) {
            return c.getResponseCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    static String roundTrip(FTPClient ftp, String name, String text) throws Exception {
        if (!ftp.storeFile(name, new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)))) {
            return "STOR failed: " + ftp.getReplyString().trim();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ftp.retrieveFile(name, out)) {
            return "RETR failed: " + ftp.getReplyString().trim();
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
