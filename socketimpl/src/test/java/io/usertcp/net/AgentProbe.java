package io.usertcp.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * An ordinary program that knows nothing of usertcp: plain {@code java.net} and JSSE. The agent
 * tests run it in a child JVM under {@code -javaagent} and check what it prints.
 *
 * <p>{@code loopback KERNEL_PORT}: serves HTTP, TLS and echo to itself on 127.0.0.1 (all on
 * usertcp's loopback), and shows that the kernel's listener on KERNEL_PORT is unreachable.
 * <br>{@code remote HOST HTTP_PORT TLS_PORT ECHO_PORT}: talks to servers of the kernel at HOST.
 */
public final class AgentProbe {
    private AgentProbe() {}

    public static void main(String[] args) throws Exception {
        if (args[0].equals("loopback")) {
            loopback(Integer.parseInt(args[1]));
        } else {
            String host = args[1];
            http(host, Integer.parseInt(args[2]));
            tls(host, Integer.parseInt(args[3]));
            echo(host, Integer.parseInt(args[4]));
        }
        System.out.println("probe done");
    }

    static void loopback(int kernelPort) throws Exception {
        InetAddress lo = InetAddress.getLoopbackAddress();
        ServerSocket http = new ServerSocket(0, 50, lo);
        serve(http, AgentProbe::answerHttp);
        SSLServerSocket tls = (SSLServerSocket) SSLServerSocketFactory.getDefault().createServerSocket(0, 50, lo);
        serve(tls, AgentProbe::echoLines);
        ServerSocket echo = new ServerSocket();
        echo.bind(new InetSocketAddress(lo, 0));
        serve(echo, AgentProbe::echoLines);
        http(lo.getHostAddress(), http.getLocalPort());
        tls(lo.getHostAddress(), tls.getLocalPort());
        echo(lo.getHostAddress(), echo.getLocalPort());
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(lo, kernelPort), 5000);
            System.out.println("kernel listener: reachable (the agent is NOT in use)");
        } catch (IOException e) {
            System.out.println("kernel listener: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    static void http(String host, int port) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL("http://" + host + ":" + port + "/probe").openConnection();
        c.setConnectTimeout(10_000);
        c.setReadTimeout(10_000);
        try (InputStream in = c.getInputStream()) {
            System.out.println("http: " + c.getResponseCode() + " " + new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
        }
    }

    static void tls(String host, int port) throws IOException {
        try (SSLSocket s = (SSLSocket) SSLSocketFactory.getDefault().createSocket(host, port)) {
            s.setSoTimeout(10_000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write("secret line\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            String back = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            System.out.println("tls: " + s.getSession().getProtocol() + " " + back);
        }
    }

    static void echo(String host, int port) throws IOException {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("plain line\n".getBytes(StandardCharsets.UTF_8));
            String back = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
            System.out.println("echo: " + back + " local=" + s.getLocalAddress().getHostAddress());
        }
    }

    interface Handler {
        void handle(Socket s) throws IOException;
    }

    static void serve(ServerSocket ss, Handler h) {
        Thread t = new Thread(() -> {
            while (!ss.isClosed()) {
                try (Socket s = ss.accept()) {
                    s.setSoTimeout(10_000);
                    h.handle(s);
                } catch (IOException e) {
                    if (!ss.isClosed()) {
                        System.out.println("server error: " + e);
                    }
                }
            }
        }, "probe-server");
        t.setDaemon(true);
        t.start();
    }

    static void answerHttp(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            // skip the request head
        }
        byte[] body = "hello from the probe server".getBytes(StandardCharsets.UTF_8);
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    static void echoLines(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        String line;
        while ((line = in.readLine()) != null) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
