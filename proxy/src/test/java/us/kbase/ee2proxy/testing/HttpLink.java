package us.kbase.ee2proxy.testing;

import java.io.IOException;
import java.net.URI;

/**
 * A keep-alive raw HTTP connection to one server that reconnects after the server closed it
 * (an answer with {@code Connection: close}, or a dead socket), so a long run of requests can
 * include ones that end their connection.
 */
public final class HttpLink implements AutoCloseable {
    private final URI url;
    private RawHttp connection;

    public HttpLink(URI url) {
        this.url = url;
    }

    public RawHttp.Response exchange(byte[] request) throws IOException {
        if (connection == null) {
            connection = new RawHttp(url);
        }
        RawHttp.Response r;
        try {
            r = connection.send(request).read();
        } catch (IOException e) {
            close();
            throw e;
        }
        if ("close".equalsIgnoreCase(r.header("Connection"))) {
            close();
        }
        return r;
    }

    @Override
    public void close() throws IOException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }
}
