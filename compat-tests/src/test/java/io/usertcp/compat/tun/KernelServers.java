package io.usertcp.compat.tun;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Small kernel-side servers (plain JDK sockets) for the classic TCP services: echo, daytime, chargen. */
final class KernelServers {
    private KernelServers() {}

    /** A server on its own daemon thread, one daemon thread per connection. */
    static final class Server implements Closeable {
        final ServerSocket socket;

        Server(InetAddress addr, Handler handler, String name) throws IOException {
            socket = new ServerSocket();
            socket.bind(new InetSocketAddress(addr, 0));
            Thread t = new Thread(() -> {
                try {
                    while (true) {
                        Socket s = socket.accept();
                        Thread h = new Thread(() -> {
                            try (s) {
                                handler.handle(s);
                            } catch (IOException ignored) {
                                // the client went away
                            }
                        }, name + "-conn");
                        h.setDaemon(true);
                        h.start();
                    }
                } catch (IOException closed) {
                    // listener closed
                }
            }, name);
            t.setDaemon(true);
            t.start();
        }

        int port() { return socket.getLocalPort(); }

        @Override public void close() throws IOException { socket.close(); }
    }

    interface Handler { void handle(Socket s) throws IOException; }

    /** RFC 862. */
    static Server echo(InetAddress addr) throws IOException {
        return new Server(addr, s -> s.getInputStream().transferTo(s.getOutputStream()), "echo");
    }

    /** RFC 867: one line, then close. */
    static Server daytime(InetAddress addr, String time) throws IOException {
        return new Server(addr, s -> s.getOutputStream().write((time + "\r\n").getBytes(StandardCharsets.US_ASCII)),
                "daytime");
    }

    /** RFC 864 line {@code n} (0-based): 72 printable characters rotating by one, CRLF. */
    static String chargenLine(int n) {
        StringBuilder sb = new StringBuilder(74);
        for (int i = 0; i < 72; i++) {
            sb.append((char) (' ' + (n + i) % 95));
        }
        return sb.append("\r\n").toString();
    }

    /** RFC 864: lines until the client closes. */
    static Server chargen(InetAddress addr) throws IOException {
        return new Server(addr, s -> {
            OutputStream out = s.getOutputStream();
            for (int n = 0; ; n++) {
                out.write(chargenLine(n).getBytes(StandardCharsets.US_ASCII));
            }
        }, "chargen");
    }

    /** RFC 863: reads and drops everything, answers nothing; completes {@code done} with the count at EOF. */
    static Server discard(InetAddress addr, java.util.concurrent.CompletableFuture<Long> done) throws IOException {
        return new Server(addr, s -> {
            InputStream in = s.getInputStream();
            byte[] b = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(b)) != -1; ) {
                total += n;
            }
            done.complete(total);
        }, "discard");
    }
}
