package io.usertcp.net;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The kernel side of {@code bin/usertcp demo}: runs in a JVM <em>without</em> the agent, so its
 * sockets are the kernel's. Serves one tiny HTTP/1.1 page (closing the connection after each
 * response, so the server closes first), a line echo (the client closes first) and daytime
 * (RFC 867: the time as text, then close). Prints {@code ready} once all listen; exits after
 * {@code --seconds} (default 60).
 *
 * <p>Usage: {@code demo-server [--bind ADDR] [--http PORT] [--echo PORT] [--daytime PORT] [--seconds N]}
 */
final class DemoServer {
    private DemoServer() {}

    public static void main(String[] args) throws Exception {
        String bind = "0.0.0.0";
        int httpPort = 8080;
        int echoPort = 7007;
        int daytimePort = 1313;
        int seconds = 60;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--bind": bind = args[i + 1]; break;
                case "--http": httpPort = Integer.parseInt(args[i + 1]); break;
                case "--echo": echoPort = Integer.parseInt(args[i + 1]); break;
                case "--daytime": daytimePort = Integer.parseInt(args[i + 1]); break;
                case "--seconds": seconds = Integer.parseInt(args[i + 1]); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        InetAddress addr = InetAddress.getByName(bind);
        ServerSocket http = new ServerSocket();
        http.bind(new InetSocketAddress(addr, httpPort));
        ServerSocket echo = new ServerSocket();
        echo.bind(new InetSocketAddress(addr, echoPort));
        ServerSocket daytime = new ServerSocket();
        daytime.bind(new InetSocketAddress(addr, daytimePort));
        daemon("http", () -> serve(http, DemoServer::http));
        daemon("echo", () -> serve(echo, DemoServer::echo));
        daemon("daytime", () -> serve(daytime, DemoServer::daytime));
        System.out.println("ready");
        System.out.flush();
        TimeUnit.SECONDS.sleep(seconds);
    }

    private interface Handler {
        void handle(Socket s) throws IOException;
    }

    private static void daemon(String name, Runnable r) {
        Thread t = new Thread(r, "demo-" + name);
        t.setDaemon(true);
        t.start();
    }

    private static void serve(ServerSocket ss, Handler h) {
        while (true) {
            try (Socket s = ss.accept()) {
                s.setSoTimeout(10_000);
                h.handle(s);
            } catch (IOException e) {
                System.err.println("demo-server: " + e);
            }
        }
    }

    /** Reads the request head, answers with a small page and Connection: close, then closes. */
    private static void http(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String requestLine = in.readLine();
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            // skip headers
        }
        byte[] body = ("Hello from the kernel's TCP! You asked: " + requestLine + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n";
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
    }

    /** RFC 867: "Once a connection is established the current date and time is sent out the connection". */
    private static void daytime(Socket s) throws IOException {
        String now = java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)
                .format(java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
        s.getOutputStream().write((now + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Echoes lines until the client closes, then closes. */
    private static void echo(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = s.getOutputStream();
        String line;
        while ((line = in.readLine()) != null) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }
}
