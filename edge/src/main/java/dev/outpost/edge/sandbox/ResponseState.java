package dev.outpost.edge.sandbox;

import java.net.InetSocketAddress;

/** A response handle's head: status, version, headers; for backend responses also where it came from. */
public final class ResponseState {
    public int status = 200;
    public int version = HttpVersion.HTTP_11;
    public HeaderList headers = new HeaderList();
    public boolean manualFraming;
    public InetSocketAddress remote;
}
