package io.usertcp.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** The kernel's TCP through plain JDK sockets (no usertcp factory installed). */
final class KernelNet implements Net {

    static final class KConn implements Conn {
        final Socket s;
        final InputStream in;
        final OutputStream out;

        KConn(Socket s) throws IOException {
            this.s = s;
            this.in = s.getInputStream();
            this.out = s.getOutputStream();
        }

        @Override public int read(byte[] b, int off, int len) throws IOException { return in.read(b, off, len); }
        @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }
        @Override public void shutdownOutput() throws IOException { s.shutdownOutput(); }
        @Override public void setNoDelay(boolean on) throws IOException { s.setTcpNoDelay(on); }
        @Override public void close() throws IOException { s.close(); }
    }

    @Override
    public Conn connect(InetAddress local, int localPort, InetAddress remote, int port) throws IOException {
        Socket s = new Socket();
        try {
            if (localPort != 0) {
                s.setReuseAddress(true);
                s.bind(new InetSocketAddress(local, localPort));
            }
            s.connect(new InetSocketAddress(remote, port), 10_000);
            return new KConn(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    @Override
    public Listener listen(InetAddress addr, int port, int backlog) throws IOException {
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(addr, port), backlog);
        return new Listener() {
            @Override public Conn accept() throws IOException { return new KConn(ss.accept()); }
            @Override public void close() throws IOException { ss.close(); }
        };
    }

    @Override
    public String describe() {
        return "kernel TCP (JDK sockets)";
    }

    @Override
    public void close() {
        // nothing to release
    }
}
