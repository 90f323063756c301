package io.usertcp.net;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/**
 * The client of {@code bin/usertcp demo}: ordinary JDK networking code that knows nothing of
 * usertcp (HttpURLConnection, a plain Socket). Run under the agent, it talks over usertcp.
 *
 * <p>Usage: {@code demo-client HOST HTTP_PORT ECHO_PORT [DAYTIME_PORT]}. With Apache Commons Net on
 * the class path it also asks the daytime server through Commons Net's {@code DaytimeTCPClient}
 * (looked up reflectively: this module does not depend on Commons Net).
 */
final class DemoClient {
    private DemoClient() {}

    public static void main(String[] args) throws Exception {
        String host = args.length > 0 ? args[0] : "198.18.0.1";
        int httpPort = args.length > 1 ? Integer.parseInt(args[1]) : 8080;
        int echoPort = args.length > 2 ? Integer.parseInt(args[2]) : 7007;
        int daytimePort = args.length > 3 ? Integer.parseInt(args[3]) : -1;

        URL url = new URL("http://" + host + ":" + httpPort + "/hello");
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(5000);
        int status = c.getResponseCode();
        String body;
        try (InputStream in = c.getInputStream()) {
            body = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
        System.out.println("client: GET " + url + " -> " + status + " \"" + body + "\"");

        try (Socket s = new Socket(host, echoPort)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("hello over usertcp\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            System.out.println("client: echo " + host + ":" + echoPort + " -> \"" + in.readLine() + "\" (via "
                    + s.getClass().getSimpleName() + " " + s.getLocalSocketAddress() + ")");
        }

        if (daytimePort > 0) {
            Class<?> dc;
            try {
                dc = Class.forName("org.apache.commons.net.daytime.DaytimeTCPClient");
            } catch (ClassNotFoundException e) {
                System.out.println("client: (Apache Commons Net is not on the class path: no daytime exchange)");
                return;
            }
            Object daytime = dc.getConstructor().newInstance();
            dc.getMethod("setDefaultTimeout", int.class).invoke(daytime, 5000);
            dc.getMethod("connect", String.class, int.class).invoke(daytime, host, daytimePort);
            try {
                String time = (String) dc.getMethod("getTime").invoke(daytime);
                System.out.println("client: Commons Net DaytimeTCPClient " + host + ":" + daytimePort + " -> \""
                        + time.trim() + "\"");
            } finally {
                dc.getMethod("disconnect").invoke(daytime);
            }
        }
    }
}
